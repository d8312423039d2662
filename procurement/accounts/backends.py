"""The password backend: Django's, reading with the user whether they turned a second factor
on, so that a web request does not ask for it separately (``SecondFactorMiddleware``)."""

from django.contrib.auth import backends
from django.db.models import Exists, OuterRef

from procurement.accounts.models import User


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        try:
            user = User._default_manager.annotate(second_factor_on=Exists(confirmed)).get(
                pk=user_id
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

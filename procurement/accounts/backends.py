"""The password backend: Django's, reading with the user whether they turned a second factor
on (``SecondFactorMiddleware``) and the time zone of the city they work for
(``OrganisationContextMiddleware``), so that a web request does not ask for them separately."""

from django.contrib.auth import backends
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from procurement.accounts.models import Membership, User
from procurement.core.compiled import compiled


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        try:
            found = _user_read_by_requests(int(user_id))
        except (TypeError, ValueError):  # a session that names no user id
            return None
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None


def _users_read_by_requests() -> QuerySet[User]:
    """Users with ``second_factor_on`` and ``city_time_zone`` (``User.primary_membership``'s
    city's: the first membership that has a city, a city one). Its SQL is built once per
    process (``_user_read_by_requests``): building the annotations cost a web request as much
    as running the query."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    city_zone = (
        Membership.objects.filter(user=OuterRef("pk"), city__isnull=False)
        .order_by("id")
        .values("city__timezone")[:1]
    )
    return User._default_manager.annotate(
        second_factor_on=Exists(confirmed), city_time_zone=Subquery(city_zone)
    )


_user_read_by_requests = compiled(
    lambda user_id: _users_read_by_requests().filter(pk=user_id), kinds=(int,)
)

"""How API requests prove who sends them: an API token, or the web session once it is complete.

A session that has only the password of a user who turned the second factor on is refused on
every API route, as ``SecondFactorMiddleware`` refuses it on web pages.
"""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from procurement.accounts.middleware import user_has_second_factor

SECOND_FACTOR_REQUIRED = "second_factor_required"


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, refusing (401) a session that still owes the TOTP code."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        # ``is_verified`` is set by django-otp's middleware on the request's user.
        verified = getattr(user, "is_verified", lambda: False)()
        if not verified and user_has_second_factor(user):
            raise exceptions.AuthenticationFailed(
                {
                    "detail": _(
                        "This account has a second factor: give the code from your "
                        "authenticator app on the web page first, or use an API token."
                    ),
                    "code": SECOND_FACTOR_REQUIRED,
                }
            )
        return result

"""The optional second factor: a user who turned TOTP on must give a code after the password."""

from django.shortcuts import redirect
from django.urls import reverse

# Only the pages that lead to the code are open to a password-only session: the rest of
# /accounts/ (the second factor's setup, the API tokens) is the account's own business.
EXEMPT_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/otp/verify/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/api/",
)


class SecondFactorMiddleware:
    """Send a password-only session of a user with a confirmed TOTP device to the code page.

    API routes answer with JSON instead of a redirect: their session authentication refuses such
    a session (``procurement.accounts.authentication``), and the token endpoint asks for the code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(EXEMPT_PREFIXES)
            and user.is_authenticated
            and not user.is_verified()
            and user_has_second_factor(user)
        ):
            return redirect(f"{reverse('otp-verify')}?next={request.get_full_path()}")
        return self.get_response(request)


def user_has_second_factor(user) -> bool:
    """Whether ``user`` confirmed a TOTP device: read with the user by the session's backend
    (``procurement.accounts.backends``), asked here otherwise."""
    known = getattr(user, "second_factor_on", None)
    if known is not None:
        return bool(known)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()

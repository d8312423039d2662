"""How API requests prove who sends them: an API token, or the web session once it is complete.

A session that has only the password of a user who turned the second factor on is refused on
every API route, as ``SecondFactorMiddleware`` refuses it on web pages.
"""

import re
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular import authentication as spectacular_authentication
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth as knox_auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import authentication, exceptions

from procurement.accounts.middleware import user_has_second_factor
from procurement.core.audit import data_version_column
from procurement.core.compiled import compiled

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


class TokenAuthentication(knox_auth.TokenAuthentication):
    """django-rest-knox's tokens: stored hashed, ending after an idle time (``REST_KNOX``).

    Knox's own rules, read leaner. A credential that cannot be a token (wrong length, not
    hexadecimal) is refused before any query, so odd bytes in the header never reach the
    database. Only the presented token's expiry is checked per request: knox also deletes every
    other expired token of the user on every request, an extra query each time; they are deleted
    when the user next gets a token instead (``api_token_issue``), and an expired token is
    refused whether or not its row is still there. The token and its user are read in one
    query, with the data version the API read cache keys on, its SQL built once per process
    (``procurement.core.compiled``: building it cost three times running it; the rows still go
    through the database's converters, without which SQLite's times came back naive and every
    API call of the embedded default failed). The idle extension (knox's ``renew_token``)
    writes only when it moves the expiry by more than ``MIN_REFRESH_INTERVAL``.
    """

    def authenticate_credentials(self, token: bytes):
        length = knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
        if not re.fullmatch(rb"[0-9a-f]{%d}" % length, token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        text = token.decode()
        digest = hash_token(text)
        for auth_token in _tokens_with_key(text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(_("Invalid token."))

    def _cleanup_token(self, auth_token) -> bool:
        """Whether ``auth_token`` has expired (then it is deleted)."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


# The tokens whose key is the one given, each with its user already read and the data version
# (``procurement.core.audit.data_version``) as ``data_version``, which the API read cache keys
# on (one query).
_tokens_with_key = compiled(
    lambda key: (
        get_token_model()
        .objects.select_related("user")
        .filter(token_key=key)
        .annotate(data_version=data_version_column())
    )
)


class SessionScheme(spectacular_authentication.SessionScheme):
    """The OpenAPI schema describes the session as before (``cookieAuth``)."""

    target_class = "procurement.accounts.authentication.SessionAuthentication"


class TokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema describes the token as before (``tokenAuth``, prefix ``Token``)."""

    target_class = "procurement.accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )

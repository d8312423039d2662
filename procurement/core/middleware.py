"""The project's middleware, and the paths each middleware of the stack runs on.

Every request used to pay the whole stack (sessions, CSRF, authentication, the second factor,
messages, htmx…) before any view ran: ``/healthz`` cost about twice a bare Django view, and an
API call with a token loaded what only a browser's session uses. ``scoped`` wraps a middleware
so that it runs only where it matters (``settings.MIDDLEWARE`` names the wrapped ones):

- ``/healthz`` (liveness, asked every few seconds by the load balancer): the security headers
  (and Django's CSRF and clickjacking middleware, which stay whole on every request: the deploy
  check looks for them by name, and CSRF passes over DRF's views by itself);
- API requests with a token and no session cookie: no session, messages or htmx (an API call
  that comes with the browser's session, as the pliegos' download links do, keeps them);
- static files: WhiteNoise only under ``STATIC_URL``.
"""

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage import default_storage
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty
from django.utils.module_loading import import_string

HEALTH_PATH = "/healthz"
API_PREFIX = "/api/v1/"
HOOKS = ("process_view", "process_exception", "process_template_response")


def is_health(request: HttpRequest) -> bool:
    return request.path_info == HEALTH_PATH


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX) or is_health(request)


def is_sessionless_api(request: HttpRequest) -> bool:
    """An API call that brings no session cookie (a token, or nothing): nothing of the browser's
    session can concern it. ``/healthz`` is one too."""
    return is_health(request) or (
        request.path_info.startswith(API_PREFIX)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def is_not_static(request: HttpRequest) -> bool:
    return not request.path_info.startswith(settings.STATIC_URL)


def scoped(dotted_path: str, *, skip: Callable[[HttpRequest], bool]) -> type:
    """A subclass of the middleware at ``dotted_path`` that passes the requests ``skip`` names
    straight to the next one, hooks (``process_view``…) included. A subclass, so the checks
    that look for the original (the admin's, django-axes') still find it."""
    base = import_string(dotted_path)

    def __call__(self, request):
        if skip(request):
            return self.get_response(request)
        return base.__call__(self, request)

    def passed_over(hook):
        def call(self, request, *args, **kwargs):
            return None if skip(request) else hook(self, request, *args, **kwargs)

        return call

    members = {"__call__": __call__, "__doc__": f"{dotted_path}, not for {skip.__name__}."}
    members.update(
        {name: passed_over(getattr(base, name)) for name in HOOKS if hasattr(base, name)}
    )
    return type(f"Scoped{base.__name__}", (base,), members)


StaticFilesMiddleware = scoped("whitenoise.middleware.WhiteNoiseMiddleware", skip=is_not_static)
SessionMiddleware = scoped(
    "django.contrib.sessions.middleware.SessionMiddleware", skip=is_sessionless_api
)
LocaleMiddleware = scoped("django.middleware.locale.LocaleMiddleware", skip=is_health)
CommonMiddleware = scoped("django.middleware.common.CommonMiddleware", skip=is_health)
AuthenticationMiddleware = scoped(
    "django.contrib.auth.middleware.AuthenticationMiddleware", skip=is_sessionless_api
)
OTPMiddleware = scoped("django_otp.middleware.OTPMiddleware", skip=is_sessionless_api)
HtmxMiddleware = scoped("django_htmx.middleware.HtmxMiddleware", skip=is_api)
_ScopedMessageMiddleware = scoped(
    "django.contrib.messages.middleware.MessageMiddleware", skip=is_api
)


class MessageMiddleware(_ScopedMessageMiddleware):
    """Django's messages, their storage made when something first reads or adds one (a page
    served from the cache never does; making it signs and reads the cookie)."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        # A storage never made has read nothing and added nothing: there is nothing to store.
        if not _made(getattr(request, "_messages", None)):
            return response
        return super().process_response(request, response)


def _made(storage) -> bool:
    return storage is not None and (
        not isinstance(storage, SimpleLazyObject) or storage._wrapped is not empty
    )


def messages_may_wait(request: HttpRequest) -> bool:
    """Whether ``request`` may have messages to show or store, without reading them: its
    message storage is in use, or a message is kept in its cookie or its session (the places
    Django's default storage keeps them)."""
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    if _made(storage):
        return True
    session = getattr(request, "session", None)
    return CookieStorage.cookie_name in request.COOKIES or (
        session is not None
        and settings.SESSION_COOKIE_NAME in request.COOKIES
        and SessionStorage.session_key in session
    )


class OrganisationContextMiddleware:
    """Show times in the time zone of the city the user works for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_sessionless_api(request):  # no session user (a token's user is DRF's business)
            return self.get_response(request)
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            zone = self.zone_name(user)
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    @staticmethod
    def zone_name(user) -> str | None:
        """The time zone of the user's primary membership's city, as the password backend read
        it with the user (``city_time_zone``) or, for a user read otherwise, from it."""
        if hasattr(user, "city_time_zone"):
            return user.city_time_zone
        membership = user.primary_membership
        return membership.city.timezone if membership is not None and membership.city_id else None


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline scripts) and a restrictive Permissions-Policy.

    Django's SecurityMiddleware sets HSTS, nosniff and the referrer policy; the clickjacking
    middleware sets X-Frame-Options.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class RejectNulMiddleware:
    """Answer 400 to a NUL character (``%00``) in the path, the query or a form body.

    PostgreSQL cannot hold NUL in text, so such a value reaching a query is a 500 on the
    database CI and production use (and a silent miss on SQLite). Forms and serializers refuse
    it field by field; this catches the parameters that views read directly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_health(request) and self._has_nul(request):
            from django.http import HttpResponseBadRequest, JsonResponse
            from django.utils.translation import gettext as _

            message = _("The request contains a NUL character (code 0), which is not allowed.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        params = [request.GET]
        if request.content_type == "application/x-www-form-urlencoded":
            params.append(request.POST)
        return any(
            "\x00" in key or any("\x00" in value for value in query.getlist(key))
            for query in params
            for key in query
        )

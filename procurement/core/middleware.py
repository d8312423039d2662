"""Show times in the time zone of the city the user works for."""

import zoneinfo

from django.utils import timezone


class OrganisationContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = user.primary_membership
            if membership is not None and membership.city_id:
                zone = zoneinfo.ZoneInfo(membership.city.timezone)
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


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
        if self._has_nul(request):
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

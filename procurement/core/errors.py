"""Error pages: JSON under /api/, HTML elsewhere."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    """A request Django refuses before any view (too many fields, a malformed host or body)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Bad request: the request is malformed or too large.")}, status=400
        )
    return defaults.bad_request(request, exception)

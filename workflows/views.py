"""Readiness and the background status page."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from workflows.health import background_status


@never_cache
def readyz(request):
    """Readiness: 200 when the database and the broker answer and background work is not
    stalled, 503 otherwise; the body says which (no personal data, no login needed)."""
    status = background_status()
    ready = status.database and status.broker and not status.stalled
    return JsonResponse(status.as_dict(), status=200 if ready else 503)


@never_cache
@staff_member_required
def status_page(request):
    """The same report as /readyz, for administrators."""
    return render(request, "workflows/status.html", {"status": background_status()})

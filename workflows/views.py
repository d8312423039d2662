"""Readiness, the background status page, and the deadline calculator."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from procurement.accounts.models import City
from procurement.core.exceptions import ApplicationError
from workflows.calendars import DAY_KIND_CHOICES, DayKind, deadline_calculate
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


def deadline_calculator(request):
    """When a period ends in a city, and the holidays it went over: what an officer checks
    before typing a deadline. Public (cities and holidays are). With htmx, only the answer."""
    params = request.GET
    asked = {
        "city": params.get("city", ""),
        "start": params.get("start", ""),
        "days": params.get("days", ""),
        "kind": params.get("kind", DayKind.CALENDAR),
    }
    result = error = None
    if params.get("start") or params.get("days"):
        try:
            _city, result = deadline_calculate(**asked)
        except ApplicationError as refused:
            error = refused
    context = {
        "asked": asked,
        "result": result,
        "error": error,
        "cities": City.objects.order_by("name").only("pk", "name"),
        "kinds": DAY_KIND_CHOICES,
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the refusal is the answer shown in place.
        return render(request, "workflows/deadline_result.html", context)
    return render(request, "workflows/deadline.html", context, status=400 if error else 200)

from django.http import HttpResponse

HEALTHY = b'{"status": "ok"}'
# What ``never_cache`` would work out again on each request (asked every few seconds).
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def healthz(request):
    """Liveness, and the benchmark's baseline: a tiny JSON, no database, never cached. Only
    the security headers' middleware runs before it (``procurement.core.middleware``)."""
    response = HttpResponse(HEALTHY, content_type="application/json")
    response.headers["Cache-Control"] = NEVER_CACHE
    return response

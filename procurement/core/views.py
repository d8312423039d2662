from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness, and the benchmark's baseline: a tiny JSON, no database."""
    return JsonResponse({"status": "ok"})

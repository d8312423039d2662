"""The stack's floor (the benchmark only): a bare Django JSON view with no middleware, served
by the same gunicorn command and settings as the application. ``/healthz`` is reported as a
ratio to it, so what the middleware stack costs every request is measured, not guessed.

    DJANGO_SETTINGS_MODULE=bench.floor gunicorn procurement.wsgi
"""

from django.http import JsonResponse
from django.urls import path

from procurement.settings.production import *  # noqa: F403

MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.floor"


def bare(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("healthz", bare)]

"""The OpenCPI project: settings, URLs, Celery, the shared kernel and the parties."""

from procurement.celery import app as celery_app

__all__ = ["celery_app"]

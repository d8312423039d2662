"""WSGI entry point (gunicorn procurement.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings.production")

application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their tables of procedures and rules) lives as
# long as the worker: move it out of the garbage collector's sight, so its full collections,
# which ran every few requests, scan only what requests create.
gc.collect()
gc.freeze()

"""The Celery application.

With no ``CELERY_BROKER_URL`` the broker is kombu's filesystem transport in the project's
``var/broker`` folder: it needs no server, and a worker started by ``make run`` shares it with the
web server, so background work really runs on a laptop.
"""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings.dev")

app = Celery("procurement")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _prepare_embedded_broker(sender, **kwargs) -> None:
    """The filesystem transport needs its folders before the first message."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)

"""The Celery application.

With no ``CELERY_BROKER_URL`` the broker is embedded: kombu's SQLAlchemy transport on a SQLite
file in the project's ``var`` folder (``settings.EMBEDDED_BROKER_FILE``). It needs no server, and
the worker started by ``make run`` shares it with the web server, so background work really
runs on a laptop. A message is a row written in a transaction: a process killed in the middle
of writing or reading one leaves the queue whole (kombu's filesystem transport, used before,
could leave a half-written file that killed the worker for good).
"""

import os
import sqlite3

from celery import Celery
from django.utils.module_loading import import_string

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings.dev")

app = Celery("procurement")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Apps whose tasks live in a sub-package: a worker that does not import them drops their messages
# as unregistered (the OCDS releases were lost that way).
app.autodiscover_tasks(["publication.ocds"])


@app.on_after_configure.connect
def _prepare_embedded_broker(sender, **kwargs) -> None:
    """The embedded broker's file gets its folder and WAL journal (a publisher and the worker
    then never block each other's reads), and the pool class named in the settings is loaded
    (settings stay free of SQLAlchemy imports)."""
    from django.conf import settings

    if not settings.BROKER_EMBEDDED:
        return
    options = sender.conf.broker_transport_options
    if isinstance(options.get("poolclass"), str):
        options["poolclass"] = import_string(options["poolclass"])
    path = settings.EMBEDDED_BROKER_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path, timeout=settings.SQLITE_BUSY_SECONDS) as database:
        database.execute("PRAGMA journal_mode=WAL")
    database.close()

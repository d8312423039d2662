import pytest
from django.db import connections


@pytest.fixture
def celery_worker_thread(settings):
    """A real Celery worker, in a thread of this process, consuming from the configured broker
    (Redis in CI). Tasks are sent through the broker, not run eagerly."""
    from celery.contrib.testing.worker import start_worker

    from procurement.celery import app

    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("celery")
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True
        for connection in connections.all():
            connection.close()

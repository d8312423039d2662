"""The embedded broker (kombu's SQLAlchemy transport on SQLite) carries tasks to a real worker,
and the worker knows every task the application sends."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_registers_every_task_the_application_sends():
    """A worker imports the task modules by discovery alone; a task it does not know is dropped."""
    code = (
        "from procurement.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print('\\n'.join(sorted(app.tasks)))\n"
    )
    names = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    import django.apps  # noqa: F401 - the test process has every task module imported
    from celery import current_app

    sent = {name for name in current_app.tasks if not name.startswith("celery.")}
    assert sent - set(names) == set()
    assert "tenders.ocds_release_write" in names


def test_the_embedded_broker_is_the_default_without_a_broker_url(tmp_path):
    env = {
        **os.environ,
        "OPENCPI_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "procurement.settings.dev",
    }
    env.pop("CELERY_BROKER_URL", None)
    code = (
        "import django; django.setup()\n"
        "from procurement.celery import app\n"
        "app.loader.import_default_modules()\n"
        "from django.conf import settings\n"
        "print(app.conf.broker_url)\n"
        "with app.connection_for_write() as connection:\n"
        "    queue = connection.SimpleQueue('probe')\n"
        "    queue.put({'n': 1})\n"
        "    message = queue.get(timeout=5)\n"
        "    message.ack()\n"
        "    print(message.payload['n'])\n"
        "    queue.close()\n"
        "from procurement.core.tasks import broker_sweep_task\n"
        "print(broker_sweep_task())\n"
    )
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    # The message, delivered, is then swept away by the hourly clean-up.
    assert out.stdout.split() == [f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}", "1", "1"]
    assert (tmp_path / "broker.sqlite3").exists()
    assert time.monotonic() - started < 60

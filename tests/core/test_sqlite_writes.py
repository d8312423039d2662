"""The embedded SQLite database under concurrent writers: a write that meets another
connection's write transaction waits for it instead of failing with "database is locked".

Two processes of the application (as a web worker and the Celery worker are) share a database
file; the settings are the real ones, read from DATABASE_URL.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOLD_SECONDS = 2.0

HOLDER = """
import sys, time, django
django.setup()
from django.db import connection, transaction
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO counter (n) VALUES (1)")
    print("holding", flush=True)
    time.sleep(float(sys.argv[1]))
print("released", flush=True)
"""

# Reads, then writes, in one transaction: the shape of every service (lock, check, save).
WRITER = """
import time, django
django.setup()
from django.db import connection, transaction
started = time.monotonic()
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM counter")
        cursor.execute("INSERT INTO counter (n) VALUES (2)")
print("waited", round(time.monotonic() - started, 2), flush=True)
"""


def _run(code: str, database_url: str, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "procurement.settings.test",
    }
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_write_waits_for_another_connections_write_transaction(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    setup = _run(
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "connection.cursor().execute('CREATE TABLE counter (n integer)')\n"
        "print(connection.cursor().execute('PRAGMA journal_mode').fetchone()[0])\n",
        url,
    )
    out, err = setup.communicate(timeout=60)
    assert setup.returncode == 0, err
    assert out.strip() == "wal"

    holder = _run(HOLDER, url, str(HOLD_SECONDS))
    assert holder.stdout.readline().strip() == "holding"
    started = time.monotonic()
    writer = _run(WRITER, url)
    out, err = writer.communicate(timeout=60)
    holder.communicate(timeout=60)
    assert writer.returncode == 0, err[-2000:]
    assert "waited" in out
    # The writer started while the holder had most of its hold left, and finished after it.
    assert time.monotonic() - started >= HOLD_SECONDS * 0.5

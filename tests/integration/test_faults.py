"""Faults survived: the broker down while an officer fires a transition, and the database
dropping a connection in the middle of one. Each runs against PostgreSQL; the broker test runs
the application in separate processes against a Redis server of its own that it stops and starts.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from procurement.core.models import AuditEntry
from tenders.models import Tender
from tests.factories.tenders import make_tender

ROOT = Path(__file__).resolve().parents[2]
REDIS_PORT = 6391 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").lstrip("gw") or 0)


def _env() -> dict:
    db = connection.settings_dict
    env = os.environ.copy()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "procurement.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "OPENCPI_TEST_EAGER": "0",
        }
    )
    return env


def _django(code: str) -> str:
    """Run ``code`` in a fresh process of the application (as a web worker would)."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _wait(predicate, timeout=60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.postgres
def test_broker_down_during_a_transition_loses_nothing_and_sends_nothing_twice(live_demo):
    """The transition commits; its documents and open-data release go out once the broker is
    back (through the effect outbox), exactly once each."""
    redis = shutil.which("redis-server")
    if redis is None:
        pytest.fail("redis-server is needed for the broker fault test")
    from documents import demo as documents_demo
    from documents.models import GeneratedDocument
    from publication.models import OcdsRelease
    from tenders.consultation.services import consultation_save
    from workflows.models import PendingEffect

    documents_demo.seed()
    officer = live_demo.user("officer.logrono")
    tender = make_tender(city=live_demo.city("logrono"), state="consultation_draft")
    from django.utils import timezone

    now = timezone.now()
    consultation_save(
        actor=officer,
        tender=tender,
        subject="Broker outage drill",
        opens_at=now + timezone.timedelta(days=1),
        closes_at=now + timezone.timedelta(days=20),
    )

    # 1. The broker is down (nothing listens on its port) while the officer publishes.
    output = _django(
        "from procurement.accounts.models import User\n"
        "from tenders.models import Tender\n"
        "from workflows.services import transition_perform\n"
        f"t = transition_perform(process=Tender.objects.get(pk={tender.pk}), name='publish_consultation',"
        " actor=User.objects.get(username='officer.logrono'))\n"
        "print('STATUS', t.status)\n"
    )
    assert "STATUS consultation_announced" in output
    tender.refresh_from_db()
    assert tender.status == "consultation_announced"
    entry = AuditEntry.objects.get(object_id=str(tender.pk), name="publish_consultation")
    # The eForms handler sends nothing where notices are not built (the test settings), so it
    # needs no broker: every handler that sends something waits for it.
    pending = PendingEffect.objects.filter(audit_entry_id=entry.pk).exclude(
        handler__endswith=".notices_after_published_step"
    )
    assert pending.exists() and not pending.filter(dispatched_at__isnull=False).exists()
    assert all(p.attempts == 1 and p.last_error for p in pending)
    assert not GeneratedDocument.objects.filter(tender=tender).exists()

    # 2. The broker comes back, a worker starts, the relay (beat, every minute) runs.
    server = subprocess.Popen(
        [redis, "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = None
    try:
        time.sleep(0.5)
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "procurement",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2):  # a second relay finds nothing left to send
            _django("from workflows.effects import effects_dispatch\nprint(effects_dispatch())")
        assert _wait(lambda: not pending.filter(dispatched_at__isnull=True).exists())
        assert _wait(
            lambda: (
                GeneratedDocument.objects.filter(tender=tender).exclude(status="pending").exists()
            )
        )
        assert _wait(lambda: OcdsRelease.objects.filter(tender=tender).exists())
        time.sleep(2)
    finally:
        for process in (worker, server):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        connections.close_all()
    notices = GeneratedDocument.objects.filter(tender=tender, kind="consultation_notice")
    assert notices.count() == 1 and notices.get().status == "ready"
    assert OcdsRelease.objects.filter(tender=tender, audit_entry=entry).count() == 1


@pytest.mark.postgres
def test_a_connection_dropped_mid_transition_leaves_no_half_written_process(live_demo):
    """The database ends the session in the middle of a transition: nothing of it stays, and
    the next request works on a fresh connection."""
    from django.db import InterfaceError, OperationalError, transaction

    officer = live_demo.user("officer.logrono")
    tender = make_tender(city=live_demo.city("logrono"))
    started, go_on = threading.Event(), threading.Event()
    outcome: list[str] = []

    def fire():
        try:
            with transaction.atomic():
                locked = Tender.objects.select_for_update().get(pk=tender.pk)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    outcome.append(str(cursor.fetchone()[0]))
                started.set()
                go_on.wait(10)
                from workflows.services import transition_perform

                transition_perform(process=locked, name="validate_need", actor=officer)
            outcome.append("committed")
        except (OperationalError, InterfaceError) as error:
            outcome.append(f"failed: {type(error).__name__}")
        finally:
            connection.close()

    thread = threading.Thread(target=fire)
    thread.start()
    assert started.wait(10)
    with connection.cursor() as cursor:  # the "database restart" for that session
        cursor.execute("SELECT pg_terminate_backend(%s)", [int(outcome[0])])
    go_on.set()
    thread.join(30)
    assert outcome[-1].startswith("failed"), outcome
    tender.refresh_from_db()
    assert tender.status == "need_draft"
    assert not AuditEntry.objects.filter(object_id=str(tender.pk), action="transition").exists()
    from workflows.services import transition_perform

    transition_perform(process=tender, name="validate_need", actor=officer)
    tender.refresh_from_db()
    assert tender.status == "need_validated"


@pytest.mark.postgres
def test_a_worker_killed_while_making_a_document_makes_it_once_after_a_restart(live_demo):
    """A task whose worker dies is retried (the broker's redelivery, or the documents relay),
    and the document, locked and checked inside the task, is made exactly once."""
    redis = shutil.which("redis-server")
    if redis is None:
        pytest.fail("redis-server is needed for the worker fault test")
    from django.db import transaction

    from documents import demo as documents_demo
    from documents.models import GeneratedDocument

    documents_demo.seed()
    tender = make_tender(city=live_demo.city("logrono"), state="need_validated")
    env = {**_env(), "OPENCPI_VISIBILITY_TIMEOUT": "3"}
    server = subprocess.Popen(
        [redis, "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def start_worker():
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "procurement",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    workers = []
    try:
        time.sleep(0.5)
        output = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup()\n"
                "from procurement.accounts.models import User\n"
                "from documents.services import document_order\n"
                f"d = document_order(actor=User.objects.get(username='officer.logrono'), process_id={tender.pk},"
                " kind='justification_memo')\nprint('DOC', d.pk)\n",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        document_id = int(output.split("DOC")[1].split()[0])
        # Hold the document's row so the worker blocks inside the task, mid-way…
        with transaction.atomic():
            GeneratedDocument.objects.select_for_update().get(pk=document_id)
            workers.append(start_worker())
            blocked = _wait(lambda: _worker_waiting_on_a_lock(), timeout=30)
            # …then kill it there, as a crash or an out-of-memory kill would.
            workers[0].kill()
            workers[0].wait(timeout=10)
        assert blocked, "the worker never reached the document"
        assert GeneratedDocument.objects.get(pk=document_id).status == "pending"
        workers.append(start_worker())
        # The lost task is retried by the relay (beat, every few minutes) once it is overdue.
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup()\n"
                "from documents.services import documents_relay\nprint(documents_relay(older_than_seconds=0))",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        assert _wait(
            lambda: GeneratedDocument.objects.get(pk=document_id).status != "pending", timeout=90
        )
        time.sleep(2)
    finally:
        for process in [*workers, server]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        connections.close_all()
    document = GeneratedDocument.objects.get(pk=document_id)
    assert document.status == "ready" and document.sha256
    assert GeneratedDocument.objects.filter(tender=tender).count() == 1
    assert (
        AuditEntry.objects.filter(name="document_generate", object_id=str(document_id)).count() == 1
    )


def _worker_waiting_on_a_lock() -> bool:
    """Another session of this database waits on a row lock (the worker, inside the task)."""
    with connections["default"].cursor() as cursor:
        # Statistics views are snapshotted per transaction: take a fresh look each time.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0

"""Health you can see: /readyz, the administrators' status page and the officers' banner report
the database, the broker, the worker's and beat's heartbeats and the effects outbox."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from procurement.core.models import Heartbeat
from workflows.models import PendingEffect


def _beat(name: str, seconds_ago: float, since_ago: float = 3600) -> None:
    now = timezone.now()
    Heartbeat.objects.update_or_create(
        name=name,
        defaults={
            "at": now - dt.timedelta(seconds=seconds_ago),
            "since": now - dt.timedelta(seconds=since_ago),
        },
    )


def _pending_effect(age_seconds: float) -> PendingEffect:
    effect = PendingEffect.objects.create(
        effect="tender_notice",
        handler="x.y",
        model="tenders.Tender",
        object_pk="1",
        audit_entry_id=1,
    )
    PendingEffect.objects.filter(pk=effect.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=age_seconds)
    )
    return effect


def test_readyz_answers_200_with_every_figure_when_background_work_runs(db, client):
    _beat("worker", 10)
    _beat("beat", 5)
    _pending_effect(20)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["broker"] == "ok"
    assert 9 <= body["worker_heartbeat_age_seconds"] < 60
    assert 4 <= body["beat_last_tick_age_seconds"] < 60
    assert body["pending_effects"] == 1
    assert 19 <= body["oldest_pending_effect_age_seconds"] < 60
    assert body["problems"] == []
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(
    ("arrange", "problem"),
    [
        (lambda: (_beat("worker", 400), _beat("beat", 5)), "No worker has run a task for 6"),
        (lambda: (_beat("worker", 5), _beat("beat", 600)), "has not ticked for 10"),
        # A worker never seen while beat has been up for ten minutes.
        (lambda: _beat("beat", 5, since_ago=600), "No worker has run a task for 10"),
        (
            lambda: (_beat("worker", 5), _beat("beat", 5), _pending_effect(360)),
            "waiting to be sent for 6",
        ),
    ],
    ids=["worker silent", "beat silent", "worker never seen", "effect waiting"],
)
def test_readyz_answers_503_and_says_why_when_background_work_stalls(db, client, arrange, problem):
    arrange()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "stalled"
    assert any(problem in text for text in body["problems"]), body["problems"]


def test_a_fresh_install_is_ready_before_the_first_heartbeat(db, client):
    """Right after `make run` starts nothing has beaten yet: that is not a stall."""
    assert client.get("/readyz").status_code == 200


def test_the_worker_heartbeat_task_and_beats_scheduler_record_their_heartbeats(db, tmp_path):
    from procurement.celery import app
    from procurement.core.heartbeat import Scheduler
    from procurement.core.tasks import heartbeat_task

    heartbeat_task.delay()  # eager in tests: the task's own code, run here
    assert Heartbeat.objects.get(name="worker").at > timezone.now() - dt.timedelta(seconds=5)
    scheduler = Scheduler(app=app, schedule_filename=str(tmp_path / "schedule"), lazy=False)
    try:
        assert scheduler.tick() <= 30
    finally:
        scheduler.close()
    beat = Heartbeat.objects.get(name="beat")
    assert beat.at > timezone.now() - dt.timedelta(seconds=5)


def test_administrators_see_the_status_page_and_others_do_not(demo, client, login):
    from procurement.accounts.models import User

    _beat("worker", 12)
    _beat("beat", 3)
    User.objects.create_superuser("root", "root@example.org", "opencpi-demo")
    officer = login("officer.logrono")
    assert officer.get("/admin/status/").status_code == 302  # to the admin login
    client.logout()
    login("root")
    page = client.get("/admin/status/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Worker's last heartbeat" in text
    assert re.search(r"\b1[2-9] s ago", text), text
    assert "Effects waiting to be sent" in text


def test_officers_see_a_banner_when_background_work_has_stalled(demo, client, login):
    _beat("worker", 900)
    _beat("beat", 5)
    officer = login("officer.logrono")
    page = officer.get("/").content.decode()
    assert "Background work (documents, e-mails, deadlines) is stalled" in page
    assert "No worker has run a task for 15 minutes" in page
    client.logout()
    supplier = login("supplier.acme")
    assert "Background work" not in supplier.get("/").content.decode()


def test_no_banner_while_background_work_runs(demo, login):
    _beat("worker", 10)
    _beat("beat", 5)
    assert "Background work" not in login("officer.logrono").get("/").content.decode()

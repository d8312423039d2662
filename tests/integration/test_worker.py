"""The beat task on a real Celery worker and broker fires due deadlines and mails the officers."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from procurement.core.models import OutboundEmail
from tenders.consultation.services import consultation_save
from tenders.models import Tender
from tests.factories.tenders import make_tender
from workflows.services import transition_perform


def wait_for(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_beat_runs_the_scheduler_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["fire-due-events"]
    assert entry["task"] == "workflows.fire_due_events"
    assert entry["schedule"] <= 60


@pytest.mark.postgres
@pytest.mark.celery
def test_a_due_consultation_opens_through_the_worker_and_officers_are_told_once(
    live_demo, celery_worker_thread
):
    officer = live_demo.user("officer.logrono")
    tender = make_tender(city=live_demo.city("logrono"), state="consultation_draft")
    now = timezone.now()
    consultation_save(
        actor=officer,
        tender=tender,
        subject="Air sensors",
        opens_at=now - dt.timedelta(minutes=5),
        closes_at=now + dt.timedelta(days=10),
    )
    transition_perform(process=tender, name="publish_consultation", actor=officer)

    from workflows.tasks import fire_due_events_task

    fire_due_events_task.delay()
    assert wait_for(lambda: Tender.objects.get(pk=tender.pk).status == "consultation_open")
    assert wait_for(lambda: OutboundEmail.objects.filter(sent_at__isnull=False).count() == 1)
    # A second beat finds nothing due and sends nothing more.
    fire_due_events_task.delay()
    time.sleep(2)
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1
    assert "officer.logrono@demo.opencpi.local" in mail.outbox[0].to
    assert "Consultation open" in mail.outbox[0].subject or "Consulta" in mail.outbox[0].subject

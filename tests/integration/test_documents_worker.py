"""A real worker on a real broker makes the consultation notice once, after commit."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from documents.models import GeneratedDocument
from tenders.consultation.services import consultation_save
from tests.factories.tenders import make_tender
from workflows.services import transition_perform


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.postgres
@pytest.mark.celery
def test_publishing_a_consultation_makes_its_notice_through_the_worker_once(
    live_demo, celery_worker_thread
):
    from documents import demo as documents_demo
    from documents.tasks import documents_for_effect_task

    documents_demo.seed()
    officer = live_demo.user("officer.logrono")
    tender = make_tender(
        city=live_demo.city("logrono"), state="consultation_draft", title="Farolas que escuchan"
    )
    now = timezone.now()
    consultation_save(
        actor=officer,
        tender=tender,
        subject="Alumbrado adaptativo",
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=20),
    )
    transition_perform(process=tender, name="publish_consultation", actor=officer)

    def ready():
        return GeneratedDocument.objects.filter(tender=tender, status="ready").exists()

    assert wait_for(ready)
    document = GeneratedDocument.objects.get(tender=tender)
    assert document.kind == "consultation_notice" and len(document.sha256) == 64
    # The same effect delivered again (a retry) makes nothing new.
    documents_for_effect_task.delay(
        "consultation_notice", tender.pk, int(document.key.split(":")[1])
    )
    time.sleep(2)
    assert GeneratedDocument.objects.filter(tender=tender).count() == 1

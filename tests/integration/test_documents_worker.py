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


@pytest.mark.postgres
@pytest.mark.celery
def test_through_the_worker_a_published_step_s_release_lists_the_document_it_made(
    live_demo, celery_worker_thread
):
    """No waiting on a timer: the notice, once stored, raises ``document_ready``, and the
    release is written then, with the notice in it."""
    import json

    from documents import demo as documents_demo
    from publication.models import OcdsRelease

    documents_demo.seed()
    officer = live_demo.user("officer.logrono")
    tender = make_tender(
        city=live_demo.city("logrono"), state="consultation_draft", title="Bancos con sombra"
    )
    now = timezone.now()
    consultation_save(
        actor=officer,
        tender=tender,
        subject="Mobiliario urbano que da sombra",
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=20),
    )
    transition_perform(process=tender, name="publish_consultation", actor=officer)

    assert wait_for(lambda: OcdsRelease.objects.filter(tender=tender).exists())
    document = GeneratedDocument.objects.get(tender=tender)
    assert document.status == "ready"
    [release] = OcdsRelease.objects.filter(tender=tender)
    assert release.audit_entry_id == document.audit_entry_id
    assert f'"doc-{document.pk}"' in json.dumps(release.data)

"""Questions of a draft consultation are edited and deleted on the web, each change on the
process's history; a refused edit keeps what was typed (#19)."""

import datetime as dt

import pytest
from django.urls import reverse

from procurement.core.models import AuditEntry
from tenders.consultation.services import consultation_save, question_save
from tests.factories.tenders import make_tender

pytestmark = pytest.mark.django_db

OPENS = dt.datetime(2027, 5, 4, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def draft(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state="consultation_draft")
    consultation = consultation_save(
        actor=officer,
        tender=tender,
        subject="Bancos inteligentes",
        opens_at=OPENS,
        closes_at=OPENS + dt.timedelta(days=30),
    )
    question = question_save(actor=officer, consultation=consultation, text="¿Qué propone?")
    return tender, question


def test_officer_edits_a_question_and_the_change_is_on_the_history(draft, login):
    tender, question = draft
    client = login("officer.logrono")
    page = client.get(reverse("tender-questions", args=[tender.pk]), {"edit": question.pk})
    assert "¿Qué propone?</textarea>" in page.content.decode()
    response = client.post(
        reverse("tender-questions", args=[tender.pk]),
        {"question_id": question.pk, "text": "¿Qué solución propone?", "kind": "text"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "¿Qué solución propone?"
    assert tender.consultation_for_engine().questions.count() == 1
    row = AuditEntry.objects.get(object_id=str(tender.pk), name="question_update")
    assert row.data == {
        "object": "1. ¿Qué solución propone?",
        "changes": {"text": ["¿Qué propone?", "¿Qué solución propone?"]},
    }


def test_a_refused_question_edit_keeps_what_was_typed(draft, login):
    tender, question = draft
    client = login("officer.logrono")
    response = client.post(
        reverse("tender-questions", args=[tender.pk]),
        {
            "question_id": question.pk,
            "text": "¿Nivel de madurez?",
            "kind": "single",
            "choices": "solo una",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "¿Nivel de madurez?</textarea>" in page and "solo una</textarea>" in page
    question.refresh_from_db()
    assert question.text == "¿Qué propone?"


def test_officer_deletes_a_question_and_the_deletion_is_on_the_history(draft, login):
    tender, question = draft
    client = login("officer.logrono")
    client.post(reverse("tender-questions", args=[tender.pk]), {"delete": question.pk})
    assert not tender.consultation_for_engine().questions.exists()
    row = AuditEntry.objects.get(object_id=str(tender.pk), name="question_delete")
    assert row.data == {"object": "1. ¿Qué propone?", "changes": {}}


def test_a_supplier_cannot_edit_a_question(draft, login):
    tender, question = draft
    client = login("supplier.acme")
    response = client.post(
        reverse("tender-questions", args=[tender.pk]),
        {"question_id": question.pk, "text": "Hackeado", "kind": "text"},
    )
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.text == "¿Qué propone?"

"""The suppliers' submission path under a rush: a draft and its answers are one request, the
answers a response shows are the stored ones, and the cost of a submission is fixed."""

import datetime as dt
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.core.models import AuditEntry
from tenders.consultation.services import consultation_save, question_save
from tenders.models import Answer, Response
from tests.factories.tenders import make_tender
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

OPENS = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 5, 29, 12, 0, tzinfo=dt.UTC)
DURING = OPENS + dt.timedelta(days=1)


def _consultation(demo, questions: int):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state="consultation_draft")
    consultation = consultation_save(
        actor=officer, tender=tender, subject="Smart benches", opens_at=OPENS, closes_at=CLOSES
    )
    for n in range(questions):
        question_save(actor=officer, consultation=consultation, text=f"Q{n}", required=n == 0)
    transition_perform(
        process=tender, name="publish_consultation", actor=officer, now=OPENS - dt.timedelta(days=2)
    )
    fire_due_events(models=MACHINES, now=OPENS)
    return consultation


def _answers(consultation, text: str) -> list[dict]:
    return [
        {"question": q.pk, "value": f"{text} {q.order}"}
        for q in consultation.questions.order_by("order")
    ]


def _submit(api, consultation, text: str) -> dict:
    created = api.post(
        f"/api/v1/consultations/{consultation.pk}/responses/",
        {"answers": _answers(consultation, text)},
        format="json",
    )
    assert created.status_code == 201, created.json()
    submitted = api.post(f"/api/v1/responses/{created.json()['id']}/submit/")
    assert submitted.status_code == 200, submitted.json()
    return submitted.json()


def test_a_draft_started_with_answers_shows_them_and_submits(demo, api_as):
    consultation = _consultation(demo, 3)
    api = api_as("supplier.acme")
    with time_machine.travel(DURING, tick=False):
        body = _submit(api, consultation, "Benches")
    assert body["status"] == "submitted"
    assert [a["value"] for a in body["answers"]] == ["Benches 1", "Benches 2", "Benches 3"]
    assert body["answers"] == api.get(f"/api/v1/responses/{body['id']}/").json()["answers"]
    entry = AuditEntry.objects.get(name="response_submit", object_id=str(body["id"]))
    assert entry.to_state == "submitted" and entry.actor is not None
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()


def test_starting_again_with_answers_updates_the_same_response(demo, api_as):
    consultation = _consultation(demo, 2)
    api = api_as("supplier.acme")
    first_question = consultation.questions.get(order=1).pk
    with time_machine.travel(DURING, tick=False):
        _submit(api, consultation, "First")
        again = api.post(
            f"/api/v1/consultations/{consultation.pk}/responses/",
            {
                "answers": [
                    {"question": first_question, "value": "discarded"},
                    {"question": first_question, "value": "Second", "confidential": True},
                ]
            },
            format="json",
        )
    assert again.status_code == 201, again.json()
    response = Response.objects.get(consultation=consultation)
    assert again.json()["id"] == response.pk and response.status == "submitted"
    assert Answer.objects.filter(response=response).count() == 2
    assert Answer.objects.get(response=response, question_id=first_question).value == "Second"
    assert AuditEntry.objects.filter(name="response_edit", object_id=str(response.pk)).count() == 1


def test_a_closed_consultation_takes_no_answers_on_an_existing_draft(demo, api_as):
    consultation = _consultation(demo, 1)
    api = api_as("supplier.acme")
    with time_machine.travel(DURING, tick=False):
        assert api.post(f"/api/v1/consultations/{consultation.pk}/responses/").status_code == 201
    with time_machine.travel(CLOSES + dt.timedelta(minutes=1), tick=False):
        late = api.post(
            f"/api/v1/consultations/{consultation.pk}/responses/",
            {"answers": _answers(consultation, "Late")},
            format="json",
        )
    assert late.status_code == 409
    assert not Answer.objects.filter(response__consultation=consultation).exists()


def test_the_queries_of_a_submission_do_not_grow_with_its_answers(demo, api_as):
    warm, small, large = _consultation(demo, 1), _consultation(demo, 1), _consultation(demo, 12)
    api = api_as("supplier.acme")
    with time_machine.travel(DURING, tick=False):
        _submit(api, warm, "Warm")  # caches (content types, permissions) filled
        with CaptureQueriesContext(connection) as one:
            _submit(api, small, "One")
        with CaptureQueriesContext(connection) as twelve:
            _submit(api, large, "Many")
    assert len(twelve) == len(one)
    assert len(one) <= 40

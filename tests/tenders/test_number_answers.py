"""A number answer to a consultation is read the way people type it in Spain (#19):
``35.000,00`` and ``1.000,50`` are numbers, as ``18,50`` already was."""

import datetime as dt

import pytest
import time_machine

from tenders.consultation.services import consultation_save, question_save
from tenders.models import Answer
from tests.factories.tenders import make_tender
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

OPENS = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 5, 29, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def price_question(demo):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state="consultation_draft")
    consultation = consultation_save(
        actor=officer, tender=tender, subject="Bancos", opens_at=OPENS, closes_at=CLOSES
    )
    question = question_save(
        actor=officer, consultation=consultation, text="Precio por unidad", kind="number"
    )
    transition_perform(
        process=tender, name="publish_consultation", actor=officer, now=OPENS - dt.timedelta(days=2)
    )
    fire_due_events(models=MACHINES, now=OPENS)
    return consultation, question


@pytest.mark.parametrize(
    ("typed", "stored"), [("35.000,00", "35000.00"), ("1.000,50", "1000.50"), ("18,50", "18.50")]
)
def test_a_spanish_number_answer_is_read(price_question, api_as, typed, stored):
    consultation, question = price_question
    api = api_as("supplier.acme")
    with time_machine.travel(OPENS + dt.timedelta(days=1), tick=False):
        created = api.post(
            f"/api/v1/consultations/{consultation.pk}/responses/",
            {"answers": [{"question": question.pk, "value": typed}]},
            format="json",
        )
    assert created.status_code == 201, created.json()
    assert Answer.objects.get(question=question).value == stored

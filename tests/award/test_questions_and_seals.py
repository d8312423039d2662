"""Bidders' questions move the deadline when answered late (LCSP art. 138.3); seals hold."""

import datetime as dt

import time_machine
from django.core import mail

from tenders.award.deuc import deuc_example
from tenders.models import TenderQuestion
from tests.award.conftest import DEADLINE, NOW
from workflows.registry import MACHINES
from workflows.services import fire_due_events


def test_a_late_answer_extends_the_deadline_and_tells_the_bidders(
    tender_with_criteria, api_as, django_capture_on_commit_callbacks
):
    tender, _criteria = tender_with_criteria
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        api_as("supplier.nova").post(
            f"/api/v1/tenders/{tender.pk}/bids/", {"lot": 1, "envelopes": {}}, format="json"
        )
        asked = api_as("supplier.acme").post(
            f"/api/v1/tenders/{tender.pk}/questions/",
            {"question": "¿Se admiten variantes?"},
            format="json",
        )
    assert asked.status_code == 201
    # The scheduler will not close the bids on a question owed an answer.
    assert fire_due_events(models=MACHINES, now=DEADLINE + dt.timedelta(minutes=1)) == 0
    tender.refresh_from_db()
    assert tender.status == "published"
    answered_at = DEADLINE - dt.timedelta(days=2)
    with (
        time_machine.travel(answered_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = api_as("officer.logrono").post(
            f"/api/v1/tender-questions/{asked.json()['id']}/answer/",
            {"answer": "No."},
            format="json",
        )
    assert answer.status_code == 200
    tender.refresh_from_db()
    assert tender.submission_deadline > answered_at + dt.timedelta(days=6) - dt.timedelta(seconds=1)
    assert any("Deadline extended" in m.subject for m in mail.outbox)
    public = api_as(None).get(f"/api/v1/tenders/{tender.pk}/questions/").json()
    assert public == [
        {
            "id": asked.json()["id"],
            "question": "¿Se admiten variantes?",
            "answer": "No.",
            "answered_at": public[0]["answered_at"],
            "created_at": public[0]["created_at"],
        }
    ]
    assert TenderQuestion.objects.get().asked_by.slug == "acme"  # kept, never published


def test_a_bid_after_the_deadline_is_refused_and_nothing_earlier_is_lost(
    tender_with_criteria, api_as
):
    tender, criteria = tender_with_criteria
    body = {
        "lot": 1,
        "envelopes": {
            "a": {
                "declaration": True,
                "deuc": deuc_example(name="Acme", tax_id="B26000002", email="a@example.org"),
            },
            "b": {str(criteria["quality"].pk): "plan"},
            "c": {str(criteria["price"].pk): "1000", str(criteria["warranty"].pk): "2"},
        },
    }
    with time_machine.travel(DEADLINE - dt.timedelta(seconds=1), tick=False):
        bid_id = (
            api_as("supplier.acme")
            .post(f"/api/v1/tenders/{tender.pk}/bids/", body, format="json")
            .json()["id"]
        )
        submitted = api_as("supplier.acme").post(
            f"/api/v1/bids/{bid_id}/submit/", {"confirm": True}, format="json"
        )
        assert submitted.status_code == 200
    with time_machine.travel(DEADLINE + dt.timedelta(seconds=1), tick=False):
        late = api_as("supplier.nova").post(
            f"/api/v1/tenders/{tender.pk}/bids/", body, format="json"
        )
        withdraw = api_as("supplier.acme").post(f"/api/v1/bids/{bid_id}/withdraw/")
    assert late.status_code == 409 and "deadline" in late.json()["detail"]
    assert withdraw.status_code == 409
    assert api_as("supplier.acme").get(f"/api/v1/bids/{bid_id}/").json()["status"] == "submitted"


def test_criteria_must_add_up_to_one_hundred(demo, api_as):
    from decimal import Decimal

    from tests.factories.tenders import make_tender

    tender = make_tender(
        city=demo.city("logrono"), state="procedure_chosen", value=Decimal("50000")
    )
    api = api_as("officer.logrono")
    assert (
        api.post(
            f"/api/v1/tenders/{tender.pk}/criteria/",
            {"name": "Quality", "kind": "value_judgement", "weight": "70"},
            format="json",
        ).status_code
        == 201
    )
    too_much = api.post(
        f"/api/v1/tenders/{tender.pk}/criteria/",
        {"name": "Price", "kind": "formula", "weight": "40", "formula": "proportional_lowest"},
        format="json",
    )
    assert too_much.status_code == 400 and "100" in too_much.json()["detail"]
    no_formula = api.post(
        f"/api/v1/tenders/{tender.pk}/criteria/",
        {"name": "Price", "kind": "formula", "weight": "30"},
        format="json",
    )
    assert no_formula.status_code == 400
    assert (
        api_as("officer.terrassa")
        .post(
            f"/api/v1/tenders/{tender.pk}/criteria/",
            {"name": "x", "kind": "value_judgement", "weight": "1"},
            format="json",
        )
        .status_code
        == 404
    )

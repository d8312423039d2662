"""A bidder's refused question is shown again as typed, with the reason (#19)."""

import datetime as dt

import time_machine
from django.urls import reverse

from tests.award.conftest import NOW


def test_a_refused_question_keeps_its_text(tender_with_criteria, login):
    tender, _criteria = tender_with_criteria
    text = "¿Se admiten sensores en fachadas privadas? " + "x" * 5000
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        client = login("supplier.acme")
        response = client.post(
            reverse("tender-overview", args=[tender.pk]), {"form": "question", "question": text}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert f">{text}</textarea>" in page
    assert "5,000" in page or "5.000" in page
    assert not tender.tender_questions.exists()

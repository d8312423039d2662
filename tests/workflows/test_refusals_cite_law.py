"""A step refused because of the state the process is in says which step comes first and the
law that orders them, on the web and in the API, like every guard's refusal does."""

import datetime as dt

import pytest

from procurement.core.exceptions import Conflict
from tenders.procedures import S, T
from tests.factories.tenders import make_tender
from workflows.services import transition_perform

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def envelopes_b_open(demo):
    return make_tender(city=demo.city("logrono"), state=S.TECH_OPENED, now=NOW)


def test_opening_envelope_c_before_the_value_report_names_the_report_and_its_article(
    demo, envelopes_b_open
):
    with pytest.raises(Conflict) as refused:
        transition_perform(
            process=envelopes_b_open,
            name=T.OPEN_ENVELOPE_C,
            actor=demo.user("committee.logrono"),
            now=NOW,
        )
    (reason,) = refused.value.reasons
    assert "Sign the value-judgement report" in reason
    assert "Open the formula envelopes (C)" in reason
    assert reason.endswith("(LCSP arts. 146.2 and 157.4).")
    assert "Not possible from the current state" not in reason


def test_the_api_refuses_envelope_c_before_the_value_report_with_409_and_the_article(
    api_as, envelopes_b_open
):
    response = api_as("committee.logrono").post(
        f"/api/v1/tenders/{envelopes_b_open.pk}/transitions/{T.OPEN_ENVELOPE_C}/",
        {},
        format="json",
    )
    assert response.status_code == 409
    reasons = response.json()["reasons"]
    assert any("Sign the value-judgement report" in r and "146.2" in r for r in reasons)


def test_the_web_refuses_envelope_c_before_the_value_report_with_the_article(
    login, envelopes_b_open
):
    response = login("committee.logrono").post(
        f"/processes/{envelopes_b_open.pk}/transitions/{T.OPEN_ENVELOPE_C}/"
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Sign the value-judgement report" in page and "146.2" in page


def test_a_step_of_another_procedure_is_refused_as_not_part_of_it(demo):
    tender = make_tender(city=demo.city("logrono"), procedure="pcp", state=S.FILE_APPROVED, now=NOW)
    with pytest.raises(Conflict) as refused:
        transition_perform(
            process=tender,
            name=T.PUBLISH_TENDER,
            actor=demo.user("officer.logrono"),
            data={"submission_deadline": NOW + dt.timedelta(days=60)},
            now=NOW,
        )
    assert "not a step of the procedure" in refused.value.reasons[0]
    assert refused.value.reasons[0].endswith("156).")

"""The SARA open procedure's bid period is 35 days (LCSP art. 156.2); a reduction of art. 156.3
is the officer's choice, given with its reasons, recorded in the audit row and the history."""

import datetime as dt
from decimal import Decimal

import pytest

from procurement.core.exceptions import Conflict
from procurement.core.models import AuditEntry
from tenders.award.services.bids import criterion_save, lot_save
from tenders.procedures import S, T
from tests.factories.tenders import make_tender
from tests.factories.walks import walk_to
from workflows.services import transition_perform

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
SARA = Decimal("250000")  # above the 216,000 threshold (LCSP art. 21)


def _ready_to_publish(demo, value: Decimal):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), state=S.PROCEDURE_CHOSEN, value=value, now=NOW)
    lot_save(actor=officer, tender=tender, title="The whole need", value=value)
    criterion_save(actor=officer, tender=tender, name="Quality", kind="value_judgement", weight=40)
    criterion_save(
        actor=officer,
        tender=tender,
        name="Price",
        kind="formula",
        weight=60,
        formula="proportional_lowest",
        is_price=True,
    )
    return walk_to(tender, S.FILE_APPROVED, now=NOW), officer


def _publish(tender, officer, days: int, reduction: str | None = None, reason: str = ""):
    data = {"submission_deadline": NOW + dt.timedelta(days=days)}
    if reduction is not None:
        data["bid_period_reduction"] = reduction
    return transition_perform(
        process=tender, name=T.PUBLISH_TENDER, actor=officer, data=data, reason=reason, now=NOW
    )


def test_without_a_chosen_reduction_a_sara_open_tender_needs_35_days(demo):
    tender, officer = _ready_to_publish(demo, SARA)
    with pytest.raises(Conflict) as refused:
        _publish(tender, officer, days=31)
    (reason,) = refused.value.reasons
    assert "35 days" in reason and reason.endswith("(LCSP art. 156.2).")
    # Day 35 is Easter Monday, a holiday in La Rioja: the deadline moves on (LCSP DA 12ª).
    assert _publish(tender, officer, days=40).status == S.PUBLISHED


def test_the_electronic_submission_reduction_is_chosen_with_reasons_and_recorded(demo, login):
    tender, officer = _ready_to_publish(demo, SARA)
    why = "Offers are received only through the electronic platform."
    tender = _publish(tender, officer, days=31, reduction="electronic_submission", reason=why)
    assert tender.status == S.PUBLISHED
    entry = AuditEntry.objects.get(object_id=str(tender.pk), name=T.PUBLISH_TENDER)
    assert entry.data["bid_period_reduction"] == "electronic_submission"
    assert entry.reason == why
    page = login("officer.logrono").get(f"/processes/{tender.pk}/").content.decode()
    assert "Electronic submission: 5 days fewer (LCSP art. 156.3.c)" in page


def test_the_electronic_reduction_still_needs_30_days(demo):
    tender, officer = _ready_to_publish(demo, SARA)
    with pytest.raises(Conflict) as refused:
        _publish(tender, officer, days=20, reduction="electronic_submission", reason="e-bids only")
    assert "30 days" in refused.value.reasons[0]
    assert refused.value.reasons[0].endswith("(LCSP art. 156.3.c).")


def test_a_reduction_without_reasons_is_refused(demo):
    tender, officer = _ready_to_publish(demo, SARA)
    with pytest.raises(Conflict) as refused:
        _publish(tender, officer, days=31, reduction="electronic_submission")
    assert any(
        "reasons for reducing" in r and r.endswith("(LCSP art. 156.3).")
        for r in (refused.value.reasons)
    )


@pytest.mark.parametrize(
    ("reduction", "article"),
    [("prior_information_notice", "156.3.a"), ("urgency", "156.3.b")],
)
def test_a_prior_notice_or_urgency_allows_15_days(demo, reduction, article):
    tender, officer = _ready_to_publish(demo, SARA)
    with pytest.raises(Conflict) as refused:
        _publish(tender, officer, days=10, reduction=reduction, reason="Reasons on the record.")
    assert refused.value.reasons[0].endswith(f"(LCSP art. {article}).")
    tender = _publish(tender, officer, days=16, reduction=reduction, reason="Reasons on record.")
    assert tender.status == S.PUBLISHED


def test_below_the_sara_threshold_no_reduction_applies(demo):
    tender, officer = _ready_to_publish(demo, Decimal("90000"))
    with pytest.raises(Conflict) as refused:
        _publish(tender, officer, days=16, reduction="urgency", reason="Reasons on the record.")
    assert "156.6" in refused.value.reasons[0]
    assert _publish(tender, officer, days=16).status == S.PUBLISHED


def test_an_unknown_reduction_is_a_clear_error(demo, api_as):
    tender, _officer = _ready_to_publish(demo, SARA)
    response = api_as("officer.logrono").post(
        f"/api/v1/tenders/{tender.pk}/transitions/{T.PUBLISH_TENDER}/",
        {
            "data": {
                "submission_deadline": "2099-01-01T10:00:00+01:00",
                "bid_period_reduction": "because",
            }
        },
        format="json",
    )
    assert response.status_code == 400
    assert "electronic_submission" in response.json()["detail"]


def test_the_api_offers_the_reductions_as_choices(demo, api_as):
    tender, _officer = _ready_to_publish(demo, SARA)
    options = api_as("officer.logrono").get(f"/api/v1/tenders/{tender.pk}/transitions/").json()
    (publish,) = [o for o in options if o["name"] == T.PUBLISH_TENDER]
    (field,) = [f for f in publish["data"] if f["name"] == "bid_period_reduction"]
    assert [c["value"] for c in field["choices"]] == [
        "none",
        "electronic_submission",
        "prior_information_notice",
        "urgency",
    ]

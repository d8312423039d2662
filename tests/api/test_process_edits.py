"""The API writes what the web's forms write: the need and its functional specifications, the
PCAP's lots and criteria, under the same editability rules and object permissions."""

import datetime as dt
from decimal import Decimal

import pytest

from tenders.award.services.bids import criterion_save, lot_save
from tenders.models import Criterion, Lot
from tenders.procedures import S, T
from tests.factories.tenders import make_tender

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SPECS = "Reduce the water used to irrigate the parks by 30 % with soil sensors."


@pytest.fixture
def drafting(demo):
    return make_tender(city=demo.city("logrono"), state=S.SPECS_DRAFT, now=NOW)


def test_an_officer_writes_the_specifications_through_the_api_and_the_process_moves_on(
    api_as, drafting
):
    api = api_as("officer.logrono")
    response = api.patch(
        f"/api/v1/tenders/{drafting.pk}/", {"functional_specifications": SPECS}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["functional_specifications"] == SPECS
    moved = api.post(f"/api/v1/tenders/{drafting.pk}/transitions/{T.CHOOSE_PROCEDURE}/", {})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == S.PROCEDURE_CHOSEN


def test_put_replaces_the_whole_need_and_asks_for_every_field(api_as, drafting):
    api = api_as("officer.logrono")
    partial = api.put(f"/api/v1/tenders/{drafting.pk}/", {"title": "Only"}, format="json")
    assert partial.status_code == 400
    assert "estimated_value" in partial.json()["errors"]
    whole = {
        "title": "Smart irrigation",
        "description": "Parks use too much water and the market has no answer yet.",
        "estimated_value": "180000.00",
        "cpv_codes": ["72000000-5"],
        "functional_specifications": SPECS,
    }
    response = api.put(f"/api/v1/tenders/{drafting.pk}/", whole, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["estimated_value"]) == ("Smart irrigation", "180000.00")


def test_the_estimated_value_is_read_as_spanish_amounts_are_typed(api_as, drafting):
    api = api_as("officer.logrono")
    response = api.patch(
        f"/api/v1/tenders/{drafting.pk}/", {"estimated_value": "180.000,50"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["estimated_value"] == "180000.50"
    ambiguous = api.patch(f"/api/v1/tenders/{drafting.pk}/", {"estimated_value": "1,000"})
    assert ambiguous.status_code == 400 and "estimated_value" in ambiguous.json()["errors"]


def test_specifications_are_frozen_once_the_file_is_approved(demo, api_as):
    tender = make_tender(city=demo.city("logrono"), state=S.FILE_APPROVED, now=NOW)
    response = api_as("officer.logrono").patch(
        f"/api/v1/tenders/{tender.pk}/", {"title": "Changed"}, format="json"
    )
    assert response.status_code == 409
    assert "122.1" in response.json()["detail"]


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 401), ("officer.terrassa", 404), ("legal.logrono", 403), ("supplier.acme", 404)],
)
def test_only_the_citys_officers_edit_a_process(api_as, drafting, username, status):
    response = api_as(username).patch(
        f"/api/v1/tenders/{drafting.pk}/", {"title": "Hijacked"}, format="json"
    )
    assert response.status_code == status
    drafting.refresh_from_db()
    assert drafting.title != "Hijacked"


@pytest.fixture
def pcap(demo, drafting):
    officer = demo.user("officer.logrono")
    lots = [
        lot_save(actor=officer, tender=drafting, title=f"Lot {n}", value=Decimal("50000"))
        for n in (1, 2, 3)
    ]
    quality = criterion_save(
        actor=officer, tender=drafting, name="Quality", kind="value_judgement", weight=40
    )
    price = criterion_save(
        actor=officer,
        tender=drafting,
        name="Price",
        kind="formula",
        weight=60,
        formula="proportional_lowest",
        is_price=True,
    )
    return drafting, lots, quality, price


def test_an_officer_edits_and_deletes_lots_and_the_rest_are_renumbered(api_as, pcap):
    tender, lots, _quality, _price = pcap
    api = api_as("officer.logrono")
    response = api.patch(f"/api/v1/lots/{lots[1].pk}/", {"title": "Sensors"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["number"]) == ("Sensors", 2)
    assert api.delete(f"/api/v1/lots/{lots[0].pk}/").status_code == 204
    assert list(tender.lots.order_by("number").values_list("number", "title")) == [
        (1, "Sensors"),
        (2, "Lot 3"),
    ]
    added = api.post(
        f"/api/v1/tenders/{tender.pk}/lots/", {"title": "Lot 4", "value": "1000"}, format="json"
    )
    assert added.json()["number"] == 3


def test_an_officer_edits_a_criterion_within_the_100_points(api_as, pcap):
    _tender, _lots, quality, price = pcap
    api = api_as("officer.logrono")
    too_heavy = api.patch(f"/api/v1/criteria/{quality.pk}/", {"weight": "50"}, format="json")
    assert too_heavy.status_code == 400
    assert "100" in too_heavy.json()["detail"]
    lighter = api.patch(f"/api/v1/criteria/{price.pk}/", {"weight": "50"}, format="json")
    assert lighter.status_code == 200, lighter.json()
    heavier = api.patch(f"/api/v1/criteria/{quality.pk}/", {"weight": "50"}, format="json")
    assert heavier.status_code == 200
    assert Criterion.objects.get(pk=quality.pk).weight == Decimal("50")
    assert api.delete(f"/api/v1/criteria/{quality.pk}/").status_code == 204
    assert not Criterion.objects.filter(pk=quality.pk).exists()


def test_lots_and_criteria_are_frozen_with_the_file(demo, api_as):
    tender = make_tender(city=demo.city("logrono"), state=S.PUBLISHED, now=NOW)
    lot, criterion = tender.lots.first(), tender.criteria.first()
    api = api_as("officer.logrono")
    assert api.patch(f"/api/v1/lots/{lot.pk}/", {"title": "X"}, format="json").status_code == 409
    assert api.delete(f"/api/v1/criteria/{criterion.pk}/").status_code == 409
    assert Lot.objects.filter(pk=lot.pk).exists()


@pytest.mark.parametrize(("username", "status"), [("officer.terrassa", 404), (None, 401)])
def test_other_cities_cannot_touch_a_processs_lots(api_as, pcap, username, status):
    _tender, lots, quality, _price = pcap
    api = api_as(username)
    assert api.delete(f"/api/v1/lots/{lots[0].pk}/").status_code == status
    assert api.patch(
        f"/api/v1/criteria/{quality.pk}/", {"name": "X"}, format="json"
    ).status_code == (status)
    assert Lot.objects.filter(pk=lots[0].pk).exists()


def test_a_missing_lot_and_another_citys_draft_lot_give_the_same_404(api_as, pcap):
    _tender, lots, _quality, _price = pcap
    api = api_as("officer.terrassa")
    assert api.get(f"/api/v1/lots/{lots[0].pk}/").json() == api.get("/api/v1/lots/999999/").json()


def test_lot_and_criterion_details_read_a_bounded_number_of_rows(
    api_as, pcap, django_assert_max_num_queries
):
    _tender, lots, quality, _price = pcap
    api = api_as("officer.logrono")
    with django_assert_max_num_queries(8):
        assert api.get(f"/api/v1/lots/{lots[0].pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert api.get(f"/api/v1/criteria/{quality.pk}/").status_code == 200

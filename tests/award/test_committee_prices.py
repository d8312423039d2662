"""The committee reads the prices of the opened envelopes C beside the points (issue #19).

The defect: the evaluation sheet and the API ranking gave the formula points only; the
committee never saw the price or the other figures each bid offered. Before envelope C is
opened, nothing of it may show (LCSP arts. 146.2 and 157.4).
"""

import re
from decimal import Decimal

import pytest

from tenders.award.models import Criterion
from tenders.procedures import S
from tests.factories.tenders import make_tender

pytestmark = pytest.mark.django_db

# The walk's bidders offer 80 % and 90 % of the lot's value (tests.factories.walks).
OFFERED = (r"160[.,]000", r"180[.,]000")  # as the page's language writes them


def _committee_username(tender) -> str:
    return tender.committee.select_related("user").order_by("pk").first().user.username


def test_committee_sees_the_opened_prices_beside_the_points(demo, login):
    tender = make_tender(city=demo.city("logrono"), state=S.ECON_OPENED, value=Decimal("200000"))

    html = login(_committee_username(tender)).get(f"/processes/{tender.pk}/evaluation/")

    text = html.content.decode()
    assert html.status_code == 200
    for price in OFFERED:
        assert re.search(price, text), price
    assert 'data-testid="offers-' in text
    assert "Envelope C (opened)" in text


def test_the_api_ranking_gives_each_offered_figure_with_its_points(demo, api_as):
    tender = make_tender(city=demo.city("logrono"), state=S.ECON_OPENED, value=Decimal("200000"))
    price = tender.criteria.get(is_price=True)

    rows = api_as(_committee_username(tender)).get(f"/api/v1/tenders/{tender.pk}/ranking/").json()

    offers = {
        row["supplier"]: next(o for o in row["offers"] if o["criterion"] == price.pk)
        for row in rows
    }
    assert sorted(Decimal(o["offered"]) for o in offers.values()) == [
        Decimal("160000"),
        Decimal("180000"),
    ]
    cheapest = min(offers.values(), key=lambda o: Decimal(o["offered"]))
    assert Decimal(cheapest["points"]) == price.weight
    assert all(o["is_price"] for o in offers.values())


def test_prices_stay_sealed_before_envelope_c_opens(demo, login):
    tender = make_tender(city=demo.city("logrono"), state=S.TECH_EVALUATED, value=Decimal("200000"))
    assert tender.criteria.filter(kind=Criterion.Kind.FORMULA).exists()

    text = login(_committee_username(tender)).get(f"/processes/{tender.pk}/evaluation/")
    html = text.content.decode()

    assert text.status_code == 200
    for price in OFFERED:
        assert not re.search(price, html)
    assert 'data-testid="offers-' not in html

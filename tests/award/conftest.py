import datetime as dt
from decimal import Decimal

import pytest

from procurement.accounts.models import Membership, User
from procurement.accounts.services import membership_grant
from tenders.award.services.bids import committee_assign, criterion_save, lot_save
from tests.factories.tenders import make_tender
from tests.factories.walks import walk_to
from workflows.services import transition_perform

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
DEADLINE = NOW + dt.timedelta(days=20)


@pytest.fixture
def tender_with_criteria(demo):
    """A CPTI process of Logroño (€200,000, one lot) published with three criteria:
    technical quality 40 (value judgement), price 50 (proportional), warranty 10 (linear 1–5 years)."""
    logrono = demo.city("logrono")
    officer = demo.user("officer.logrono")
    second = User.objects.create_user(
        "committee2.logrono", email="c2@demo.opencpi.local", password="opencpi-demo"
    )
    membership_grant(user=second, organisation=logrono, role=Membership.Role.COMMITTEE)
    unirioja = User.objects.create_user(
        "supplier.unirioja", email="u@demo.opencpi.local", password="opencpi-demo"
    )
    membership_grant(
        user=unirioja, organisation=demo.supplier("unirioja"), role=Membership.Role.REPRESENTATIVE
    )
    tender = make_tender(
        city=logrono,
        state="procedure_chosen",
        value=Decimal("200000"),
        functional_specifications="Sensors that cut NO2 exposure by 30 percent.",
        now=NOW,
    )
    committee_assign(actor=officer, tender=tender, user=second)
    lot_save(actor=officer, tender=tender, title="Sensor network", value=Decimal("200000"))
    quality = criterion_save(
        actor=officer,
        tender=tender,
        name="Technical quality and innovation",
        kind="value_judgement",
        weight=40,
        innovation=True,
    )
    price = criterion_save(
        actor=officer,
        tender=tender,
        name="Price",
        kind="formula",
        weight=50,
        formula="proportional_lowest",
        is_price=True,
    )
    warranty = criterion_save(
        actor=officer,
        tender=tender,
        name="Warranty (years)",
        kind="formula",
        weight=10,
        formula="linear",
        params={"lower": 1, "upper": 5, "better": "higher"},
    )
    tender = walk_to(tender, "file_approved", now=NOW)
    tender = transition_perform(
        process=tender,
        name="publish_tender",
        actor=officer,
        now=NOW,
        data={"submission_deadline": DEADLINE},
    )
    return tender, {"quality": quality, "price": price, "warranty": warranty}

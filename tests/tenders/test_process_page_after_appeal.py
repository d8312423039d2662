"""The process page once the tribunal has resolved a special appeal.

The defect: after the officer recorded a dismissal, the process page answered 500 for everybody
of the city (``KeyError: 'dismissed'`` in the diagram), because the appeal's own status moves
are in the process's history and were taken for states of the procedure.
"""

from decimal import Decimal

import pytest

from tenders.appeals.services import appeal_lodge, appeal_resolve
from tenders.models import Appeal
from tenders.procedures import STATE_BY_NAME, S
from tests.factories.tenders import make_tender

pytestmark = pytest.mark.django_db

GROUNDS = "The value-judgement scores of my offer ignore the pilot it documents (LCSP art. 145)."


def test_process_page_shows_the_process_and_its_history_after_an_appeal_is_dismissed(demo, login):
    tender = make_tender(city=demo.city("logrono"), state=S.STANDSTILL, value=Decimal("250000"))
    appeal = appeal_lodge(
        actor=demo.user("supplier.nova"), tender=tender, act=Appeal.Act.AWARD, grounds=GROUNDS
    )
    appeal_resolve(
        actor=demo.user("officer.logrono"),
        appeal=appeal,
        outcome=Appeal.Status.DISMISSED,
        text="Resolution 247/2026 of the tribunal: dismissed.",
    )

    page = login("officer.logrono").get(f"/processes/{tender.pk}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert str(STATE_BY_NAME[S.AWAITING_SIGNATURE].label) in html
    assert "Resolution 247/2026 of the tribunal: dismissed." in html

"""The officer's form to correct a published pliego, on the process page.

The defect: once the bid period was over (bids closed, evaluated, awarded, awaiting signature)
the form still offered "Significant change: extend the deadline" with a new deadline to type,
which the service then refuses (LCSP art. 136.2 extends a period that is still running).
"""

import pytest

from tenders.procedures import S
from tests.factories.tenders import make_tender

pytestmark = pytest.mark.django_db


def _officer_page(demo, client, tender) -> str:
    client.force_login(demo.user("officer.logrono"))
    return client.get(f"/processes/{tender.pk}/").content.decode()


def test_while_bids_are_open_a_correction_may_extend_the_deadline(
    demo, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tender = make_tender(city=demo.city("logrono"), state=S.PUBLISHED)
    page = _officer_page(demo, client, tender)
    assert "/amend/" in page
    assert 'name="significant"' in page and 'name="new_deadline"' in page


def test_after_the_bid_period_a_correction_offers_no_deadline_extension(
    demo, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tender = make_tender(city=demo.city("logrono"), state=S.BIDS_CLOSED)
    page = _officer_page(demo, client, tender)
    # A material error may still be corrected (LCSP art. 122.1) ...
    assert "/amend/" in page
    # ... but no deadline is left to extend (LCSP art. 136.2).
    assert 'name="significant"' not in page and 'name="new_deadline"' not in page

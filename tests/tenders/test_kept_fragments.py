"""Parts of a page kept under a digest of what they show (``public_cache.content_digest``): drawn
again as soon as what they show changes, even by a write that leaves no audit row (the data
version then stays, and only the digest can tell)."""

import datetime as dt

from django.test import Client, override_settings

from procurement.accounts.models import City
from tenders.models import Tender
from tenders.procedures import S
from tests.factories.tenders import make_tender


@override_settings(PAGE_CACHE=False)  # the whole page is not kept: its parts are
def test_a_changed_process_shows_on_the_next_visit_of_the_process_list(demo):
    tender = make_tender(city=demo.city("logrono"), title="Semáforos adaptativos")
    officer = Client()
    officer.force_login(demo.user("officer.logrono"))
    first = officer.get("/processes/").content.decode()
    assert "Semáforos adaptativos" in first and "Validate the need" in first

    due = dt.datetime(2031, 5, 4, 10, 0, tzinfo=dt.UTC)
    Tender.objects.filter(pk=tender.pk).update(
        title="Semáforos inteligentes", status=S.NEED_VALIDATED, next_check=due
    )
    again = officer.get("/processes/").content.decode()

    assert "Semáforos inteligentes" in again and "Semáforos adaptativos" not in again
    assert "Validate the need" not in again  # what waits on the officer moved on
    assert 'datetime="2031-05-04T' in again


@override_settings(PAGE_CACHE=False)
def test_a_renamed_city_shows_on_the_portal_home_at_once(demo):
    visitor = Client()
    name = demo.city("logrono").name
    assert visitor.get("/portal/").content.decode().count(f">{name}<") == 2  # card, choice

    City.objects.filter(slug="logrono").update(name="Logroño (La Rioja)")
    again = visitor.get("/portal/").content.decode()

    assert again.count(">Logroño (La Rioja)<") == 2 and f">{name}<" not in again

"""Parts of a page kept under a digest of what they show (``public_cache.content_digest``): drawn
again as soon as what they show changes, even by a write that leaves no audit row (the data
version then stays, and only the digest can tell)."""

import datetime as dt

from django.test import Client, override_settings
from django.utils import timezone

from documents.services import template_create
from procurement.accounts.models import City
from tenders.models import Consultation, Tender
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


@override_settings(PAGE_CACHE=False)
def test_a_changed_consultation_shows_on_the_next_visit_of_the_consultations(demo, login):
    now = timezone.now()
    tender = make_tender(
        city=demo.city("logrono"),
        state="consultation_open",
        consultation={
            "subject": "Movilidad eléctrica",
            "opens_at": now - dt.timedelta(days=5),
            "closes_at": now + dt.timedelta(days=5),
        },
    )
    supplier = login("supplier.acme")
    assert "Movilidad eléctrica" in supplier.get("/consultations/").content.decode()

    Consultation.objects.filter(tender=tender).update(subject="Movilidad compartida")
    City.objects.filter(slug="logrono").update(name="Logroño (La Rioja)")
    again = supplier.get("/consultations/").content.decode()

    assert "Movilidad compartida" in again and "Movilidad eléctrica" not in again
    assert ">Logroño (La Rioja)<" in again  # the city's search choice too


@override_settings(PAGE_CACHE=False)
def test_a_renamed_template_shows_on_the_next_visit_of_the_library(demo, login):
    template = template_create(
        actor=demo.user("legal.logrono"),
        kind="consultation_notice",
        language="es",
        name="Anuncio de consulta",
    )
    legal = login("legal.logrono")
    assert "Anuncio de consulta" in legal.get("/documents/templates/").content.decode()

    type(template).objects.filter(pk=template.pk).update(name="Anuncio de la consulta")
    again = legal.get("/documents/templates/").content.decode()

    assert "Anuncio de la consulta" in again and "Anuncio de consulta<" not in again

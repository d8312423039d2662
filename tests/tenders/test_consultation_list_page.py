"""The suppliers' list of market consultations: 25 a page, filtered in SQL, and a number of
queries that does not grow with the number of consultations."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.tenders import make_tender

# The queries counted here are those of rendering the pages.
pytestmark = pytest.mark.usefixtures("no_page_cache")


def _consultation(city, subject: str, *, open_: bool = True, cpv_codes=None, tender_cpv=None):
    now = timezone.now()
    fields = {"cpv_codes": tender_cpv} if tender_cpv else {}
    tender = make_tender(
        city=city,
        state="consultation_open" if open_ else "report_draft",
        consultation={
            "subject": subject,
            "opens_at": now - dt.timedelta(days=5),
            "closes_at": now + dt.timedelta(days=5) if open_ else now - dt.timedelta(days=1),
            "cpv_codes": cpv_codes,
        },
        **fields,
    )
    return tender.consultation_for_engine()


def _subjects(page: str, testid: str) -> list[str]:
    block = page[page.index(f'data-testid="{testid}"') :]
    block = block[: block.index("</ul>")]
    return re.findall(r'<a href="/consultations/\d+/">([^<]+)</a>', block)


def test_open_consultations_show_25_a_page_and_the_second_page_the_rest(demo, login):
    for number in range(30):
        _consultation(demo.city("logrono"), f"Consulta {number:02}")
    client = login("supplier.acme")
    first = client.get("/consultations/").content.decode()
    second = client.get("/consultations/?page=2").content.decode()
    listed = _subjects(first, "open-consultations") + _subjects(second, "open-consultations")
    assert len(_subjects(first, "open-consultations")) == 25
    assert sorted(listed) == [f"Consulta {n:02}" for n in range(30)]
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_closed_consultations_have_their_own_pages(demo, login):
    for number in range(27):
        _consultation(demo.city("logrono"), f"Cerrada {number:02}", open_=False)
    client = login("supplier.acme")
    first = _subjects(client.get("/consultations/").content.decode(), "closed-consultations")
    second = _subjects(
        client.get("/consultations/?closed=2").content.decode(), "closed-consultations"
    )
    assert len(first) == 25 and len(second) == 2
    assert not set(first) & set(second)


def test_cpv_filter_reads_the_consultations_codes_else_its_processes(demo, login):
    logrono = demo.city("logrono")
    _consultation(logrono, "Own codes", cpv_codes=["48810000-9"])
    _consultation(logrono, "Process codes", tender_cpv=["72000000-5"])
    client = login("supplier.acme")

    def found(cpv: str) -> list[str]:
        page = client.get("/consultations/", {"cpv": cpv}).content.decode()
        return _subjects(page, "open-consultations")

    assert found("4881") == ["Own codes"]
    assert found("72000000-5") == ["Process codes"]
    assert found("720000005") == ["Process codes"]
    assert found("33") == []


def test_consultation_list_queries_do_not_grow_with_the_number_of_consultations(demo, login):
    for number in range(10):
        _consultation(demo.city("logrono"), f"A {number}", open_=number % 2 == 0)
    client = login("supplier.acme")
    client.get("/consultations/")
    with CaptureQueriesContext(connection) as few:
        client.get("/consultations/")
    for number in range(50):
        _consultation(demo.city("terrassa"), f"B {number}", open_=number % 2 == 0)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/consultations/?page=2&closed=2").status_code == 200
    assert len(few) == len(many)


def test_the_city_filter_lists_every_city_and_keeps_the_chosen_one(demo, login):
    _consultation(demo.city("logrono"), "Sensores en Logroño")
    _consultation(demo.city("terrassa"), "Sensors a Terrassa")
    page = login("supplier.acme").get("/consultations/?city=logrono").content.decode()
    select = re.search(r'<select id="f-city".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    chosen = [(value, name) for value, mark, name in options if mark]
    assert chosen == [("logrono", "Logroño")]
    assert ("terrassa", "", "Terrassa") in options
    assert "Sensores en Logroño" in page and "Sensors a Terrassa" not in page


def test_a_card_shows_the_city_codes_and_closing_time_and_a_published_report_its_link(demo, login):
    now = timezone.now()
    logrono = demo.city("logrono")
    open_one = _consultation(logrono, "Bancos con sombra", cpv_codes=["34928400-2", "45000000-7"])
    closed = _consultation(logrono, "Farolas", open_=False)
    unreported = _consultation(logrono, "Papeleras", open_=False)
    closed.tender.consultation_mark_report_published(at=now)
    page = login("supplier.acme").get("/consultations/").content.decode()

    card = page[page.index("Bancos con sombra") :]
    card = card[: card.index("</li>")]
    local = timezone.localtime(open_one.closes_at, logrono.zone)
    assert f"{logrono.name} · 34928400-2, 45000000-7" in card
    assert f"{local:%d/%m/%Y %H:%M} {local.tzname()}" in card
    assert f'datetime="{timezone.localtime(open_one.closes_at).isoformat()}"' in card
    assert re.search(r"data-countdown>(in|en) 4\xa0(days|días)", card)
    closed_list = page[page.index('data-testid="closed-consultations"') :]
    closed_list = closed_list[: closed_list.index("</ul>")]
    assert f'<a href="/consultations/{closed.pk}/report/">' in closed_list
    assert f"/consultations/{unreported.pk}/report/" not in closed_list

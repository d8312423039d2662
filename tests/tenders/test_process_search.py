"""Search on the process list (/processes/) and the consultation list, web and API (issue #19:
the process list had no search)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.factories.tenders import place_tender_in_state_for_speed

# The queries counted here are those of rendering the pages.
pytestmark = pytest.mark.usefixtures("no_page_cache")

SPEED = (
    "the search reads only the columns of a process; walking a dozen processes through "
    "the engine to publish them would make the test minutes long"
)


@pytest.fixture
def published(demo):
    """Three published processes of two cities, two procedures and two CPV families."""
    now = timezone.now()
    made = {}
    for key, city, procedure, cpv, title, description, days in (
        ("lights", "logrono", "cpti_open", "31500000-1", "Alumbrado adaptativo", "Farolas", 40),
        ("air", "logrono", "pcp", "38000000-5", "Sensores de aire", "Calidad del aire", 10),
        ("data", "terrassa", "cpti_open", "72000000-5", "Portal de datos", "Datos abiertos", 2),
    ):
        made[key] = place_tender_in_state_for_speed(
            why=SPEED,
            city=demo.city(city),
            procedure=procedure,
            state="published",
            title=title,
            description=description,
            cpv_codes=[cpv],
            first_published_at=now - dt.timedelta(days=days),
        )
    return made


def _listed(page: str) -> set[str]:
    return set(re.findall(r'<a href="/processes/\d+/">([^<]+)</a>', page))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=sensores", {"Sensores de aire"}),
        ("q=DATOS+ABIERTOS", {"Portal de datos"}),  # the description, any case
        ("cpv=72", {"Portal de datos"}),
        ("cpv=38000000-5", {"Sensores de aire"}),
        ("procedure=pcp", {"Sensores de aire"}),
        ("city=terrassa", {"Portal de datos"}),
        ("stage=tendering", {"Alumbrado adaptativo", "Sensores de aire", "Portal de datos"}),
        ("stage=award", set()),
        ("q=alumbrado&city=terrassa", set()),
    ],
)
def test_the_public_process_list_searches(published, client, query, expected):
    page = client.get(f"/processes/?{query}").content.decode()
    assert _listed(page) == expected


def test_the_process_list_searches_by_number_and_dates(published, client):
    number = published["air"].pk
    assert _listed(client.get(f"/processes/?q=%23{number}").content.decode()) == {
        "Sensores de aire"
    }
    today = timezone.localdate()
    since = (today - dt.timedelta(days=15)).isoformat()
    until = (today - dt.timedelta(days=5)).isoformat()
    page = client.get(f"/processes/?date_from={since}&date_to={until}").content.decode()
    assert _listed(page) == {"Sensores de aire"}


def test_the_search_form_keeps_its_values_and_the_pages_keep_the_search(demo, client):
    now = timezone.now()
    for number in range(27):
        place_tender_in_state_for_speed(
            why=SPEED,
            city=demo.city("logrono"),
            state="published",
            title=f"Farola {number:02}",
            first_published_at=now,
        )
    page = client.get("/processes/?q=farola").content.decode()
    assert 'value="farola"' in page
    assert re.search(r'href="\?[^"]*q=farola[^"]*page=2"', page)
    second = client.get("/processes/?q=farola&page=2").content.decode()
    assert len(_listed(second)) == 2
    assert '<a href="?">Clear</a>' in second
    # The second page of the whole list is not a search: nothing to clear.
    unsearched = client.get("/processes/?page=2").content.decode()
    assert len(_listed(unsearched)) >= 2
    assert '<a href="?">Clear</a>' not in unsearched


def test_a_bad_search_says_what_is_wrong_and_keeps_what_was_typed(published, client):
    response = client.get("/processes/?q=aire&date_from=2026-05-10&date_to=2026-05-01")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The end date is before the start date." in page
    assert 'value="aire"' in page


def test_the_officers_list_searches_its_own_processes(published, demo, login):
    place_tender_in_state_for_speed(
        why=SPEED, city=demo.city("logrono"), state="need_draft", title="Borrador de sensores"
    )
    page = login("officer.logrono").get("/processes/?q=sensores").content.decode()
    listed = _listed(page[page.index('data-testid="processes"') :])
    assert listed == {"Sensores de aire", "Borrador de sensores"}


def test_the_api_searches_with_the_same_parameters(published, api_as):
    api = api_as(None)
    titles = {t["title"] for t in api.get("/api/v1/tenders/?q=aire").json()["results"]}
    assert titles == {"Sensores de aire"}
    titles = {
        t["title"] for t in api.get("/api/v1/tenders/?cpv=72&city=terrassa").json()["results"]
    }
    assert titles == {"Portal de datos"}
    titles = {
        t["title"]
        for t in api.get("/api/v1/tenders/?stage=tendering&procedure=pcp").json()["results"]
    }
    assert titles == {"Sensores de aire"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("stage=nowhere", "stage"),
        ("date_from=yesterday", "date_from"),
        ("procedure=x", "procedure"),
    ],
)
def test_the_api_refuses_a_malformed_search_naming_the_parameter(published, api_as, query, field):
    response = api_as(None).get(f"/api/v1/tenders/?{query}")
    assert response.status_code == 400
    assert field in response.content.decode()


def test_the_schema_documents_the_search_parameters(db, client):
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/tenders/", "/api/v1/consultations/"):
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"q", "cpv", "stage", "procedure", "city", "date_from", "date_to"} <= names


def test_the_consultation_list_searches_by_text_and_procedure(open_consultation, client, api_as):
    subject = open_consultation.subject
    word = subject.split()[-1]
    page = client.get(f"/consultations/?q={word}").content.decode()
    assert subject in page and f'value="{word}"' in page
    assert subject not in client.get("/consultations/?q=zzzzzz").content.decode()
    assert subject not in client.get("/consultations/?procedure=pcp").content.decode()
    found = api_as(None).get(f"/api/v1/consultations/?q={word}").json()["results"]
    assert [c["id"] for c in found] == [open_consultation.pk]
    assert api_as(None).get("/api/v1/consultations/?q=zzzzzz").json()["results"] == []


def test_process_search_queries_do_not_grow_with_the_rows(
    published, demo, client, django_assert_max_num_queries
):
    query = "/processes/?q=a&stage=tendering&cpv=3&date_from=2020-01-01"
    client.get(query)
    with django_assert_max_num_queries(6):
        client.get(query)
    now = timezone.now()
    for number in range(20):
        place_tender_in_state_for_speed(
            why=SPEED,
            city=demo.city("logrono"),
            state="published",
            title=f"Alumbrado {number}",
            cpv_codes=["31500000-1"],
            first_published_at=now,
        )
    with django_assert_max_num_queries(6):
        client.get(query)
    with django_assert_max_num_queries(6):
        client.get("/api/v1/tenders/?q=a&stage=tendering&cpv=3")

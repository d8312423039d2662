"""Choosing is picking, not typing ids (issue #19).

The defects: CPV codes had no picker and their errors came in two rounds (first the malformed
codes, then, once those were fixed, the unknown ones); sharing a template with chosen cities
meant typing the cities' numeric ids (``tests/documents/test_city_picker.py``).
"""

import pytest
from django.core.management import call_command

from procurement.core.exceptions import ApplicationError
from tenders.process.common import clean_cpv_codes
from tenders.process.services import tender_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cpv(db):
    call_command("import_cpv", verbosity=0)


# --- CPV: one round of errors ------------------------------------------------------------------


def test_every_bad_cpv_code_is_reported_in_one_round(cpv):
    with pytest.raises(ApplicationError) as refused:
        clean_cpv_codes(["7200000-5", "72000000-5", "99999999-9", "sensores"])

    message = refused.value.message
    assert "7200000-5" in message and "sensores" in message  # malformed
    assert "99999999-9" in message  # well formed, not in the vocabulary
    assert "72000000-5" not in message.replace("72000000-5)", "")  # the good one is not blamed


def test_the_process_form_names_every_bad_code_at_once(demo, login, cpv):
    client = login("officer.logrono")
    page = client.post(
        "/processes/new/",
        {
            "title": "Sensores",
            "description": "Calidad del aire en colegios.",
            "procedure": "cpti_open",
            "estimated_value": "100000",
            "cpv_codes": "7200000-5\n99999999-9",
        },
    )

    text = page.content.decode()
    assert page.status_code == 400
    assert "7200000-5" in text and "99999999-9" in text
    assert "Unknown CPV codes" in text and "Not CPV codes" in text


def test_the_process_form_offers_the_cpv_picker(demo, login):
    page = login("officer.logrono").get("/processes/new/").content.decode()

    assert 'data-cpv-picker="/reference/cpv/"' in page


# --- CPV: search by code or words --------------------------------------------------------------


def test_cpv_search_finds_by_first_digits_and_by_words_in_either_language(demo, login, cpv):
    client = login("officer.logrono")

    by_code = client.get("/reference/cpv/", {"q": "7200"}).json()["results"]
    by_spanish = client.get("/reference/cpv/", {"q": "desarrollo software"}).json()["results"]
    by_english = client.get("/reference/cpv/", {"q": "software programming"}).json()["results"]

    assert by_code[0]["code"] == "72000000-5"
    assert all(r["code"].startswith("7200") for r in by_code)
    assert "72000000-5" in [r["code"] for r in by_spanish]
    assert "72200000-7" in [r["code"] for r in by_english]
    assert len(by_code) <= 20


def test_cpv_search_ignores_accents_and_case(demo, login, cpv):
    results = login("officer.logrono").get("/reference/cpv/", {"q": "MATERIAL INFORMATICO"})

    assert "30200000-1" in [r["code"] for r in results.json()["results"]]


def test_cpv_search_needs_a_signed_in_person(client, cpv):
    assert client.get("/reference/cpv/", {"q": "7200"}).status_code == 302


def test_api_cpv_search(demo, api_as, cpv):
    rows = api_as("officer.logrono").get("/api/v1/cpv/", {"q": "72000000-5"}).json()

    assert rows == [{"code": "72000000-5", "label": rows[0]["label"]}]
    assert rows[0]["label"]
    assert api_as(None).get("/api/v1/cpv/", {"q": "72"}).status_code == 401


def test_the_process_service_still_takes_known_codes(demo, cpv):
    tender = tender_create(
        actor=demo.user("officer.logrono"),
        city=demo.city("logrono"),
        title="Sensores",
        description="Calidad del aire.",
        procedure="cpti_open",
        estimated_value="100000",
        cpv_codes=["72000000-5"],
    )
    assert tender.cpv_codes == ["72000000-5"]

"""The busiest API reads (a process, the lists of processes, consultations and templates) are
kept for their caller until the next audited write: the same read again costs one query (the
token, which brings the data version with it), another caller never gets it, a client reads back at once what it has just
written, and only JSON is kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tenders.procedures import S
from tests.factories.tenders import make_tender


@pytest.fixture
def drafting(demo):
    return make_tender(city=demo.city("logrono"), state=S.SPECS_DRAFT, title="Riego de parques")


def _read(api, path: str) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return response.json(), len(captured)


def test_the_same_read_again_costs_the_token_read_alone(demo, api_as, drafting):
    officer, legal = api_as("officer.logrono"), api_as("legal.logrono")
    for api, path in (
        (officer, f"/api/v1/tenders/{drafting.pk}/"),
        (officer, "/api/v1/tenders/?page_size=10"),
        (officer, "/api/v1/consultations/?open=true"),
        (legal, "/api/v1/templates/?page_size=10"),
    ):
        first, read = _read(api, path)
        again, served = _read(api, path)
        assert again == first, path
        assert served == 1 < read, (path, served, read)


def test_another_caller_never_gets_what_was_kept_for_someone_else(demo, api_as, drafting):
    make_tender(city=demo.city("terrassa"), title="Semáforos de Terrassa")
    logrono, _ = _read(api_as("officer.logrono"), "/api/v1/tenders/")
    terrassa, _ = _read(api_as("officer.terrassa"), "/api/v1/tenders/")
    anyone, _ = _read(api_as(None), "/api/v1/tenders/")
    titles = {
        name: {row["title"] for row in page["results"]}
        for name, page in (("logrono", logrono), ("terrassa", terrassa), ("anyone", anyone))
    }
    assert "Riego de parques" in titles["logrono"] - titles["terrassa"]
    assert "Semáforos de Terrassa" in titles["terrassa"] - titles["logrono"]
    assert not {"Riego de parques", "Semáforos de Terrassa"} & titles["anyone"]
    # A process of another city is missing for a caller who may not read it, kept or not.
    hidden = f"/api/v1/tenders/{drafting.pk}/"
    assert api_as("officer.terrassa").get(hidden).status_code == 404
    assert api_as("officer.terrassa").get(hidden).status_code == 404


def test_a_client_reads_back_at_once_what_it_has_just_written(demo, api_as, drafting):
    api = api_as("officer.logrono")
    path = f"/api/v1/tenders/{drafting.pk}/"
    before, _ = _read(api, path)
    assert before["functional_specifications"] == ""
    written = api.patch(path, {"functional_specifications": "Sensores de humedad"}, format="json")
    assert written.status_code == 200, written.json()
    after, _ = _read(api, path)
    assert after["functional_specifications"] == "Sensores de humedad"
    listed, _ = _read(api, "/api/v1/tenders/")
    assert any(row["id"] == drafting.pk for row in listed["results"])


def test_the_browsable_api_is_never_served_from_what_json_callers_keep(demo, api_as, drafting):
    api = api_as("officer.logrono")
    path = f"/api/v1/tenders/{drafting.pk}/"
    _read(api, path)
    page = api.get(path, HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    again = api.get(path)
    assert again["Content-Type"] == "application/json"


def test_a_refused_read_is_never_kept(demo, api_as):
    api = api_as("officer.logrono")
    for _ in range(2):
        refused = api.get("/api/v1/tenders/?status=no_such_state")
        assert refused.status_code == 400
        assert "Unknown state: no_such_state" in refused.content.decode()

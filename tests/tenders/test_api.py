"""The processes API: list with filters, create, detail, transitions, history."""

import pytest
from django.core.management import call_command

from tenders.models import Tender
from tests.factories.tenders import make_tender

NEW = {
    "title": "Semáforos que priorizan autobuses",
    "description": "Los autobuses pierden un 20 % del tiempo en semáforos; nada en el mercado lo resuelve.",
    "procedure": "cpti_open",
    "estimated_value": "180000.00",
    "currency": "EUR",
    "cpv_codes": ["34990000-3"],
}


def test_an_officer_records_a_need_in_their_city(demo, api_as):
    response = api_as("officer.logrono").post("/api/v1/tenders/", NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "need_draft" and body["city"]["name"] == "Logroño"
    assert body["rules_version"] == "lcsp-2026.1"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"procedure": "auction"}, "procedure"),
        ({"estimated_value": "-5"}, "estimated_value"),
        ({"estimated_value": "lots"}, "estimated_value"),
        ({"currency": "COP"}, "currency"),
        ({"cpv_codes": ["not-a-code"]}, "cpv_codes"),
        ({"cpv_codes": ["99999999-9"]}, "cpv_codes"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
    ],
)
def test_bad_input_gets_a_400_with_a_readable_detail(demo, api_as, change, field):
    call_command("import_cpv", verbosity=0)
    response = api_as("officer.logrono").post("/api/v1/tenders/", {**NEW, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["detail"] or field in str(response.json().get("errors", ""))


def test_suppliers_and_legal_teams_cannot_record_needs(demo, api_as):
    for username in ("supplier.acme", "legal.logrono"):
        response = api_as(username).post("/api/v1/tenders/", NEW, format="json")
        assert response.status_code == 403, username
        assert response.json()["detail"]


def test_anonymous_cannot_create(demo, api_as):
    assert api_as(None).post("/api/v1/tenders/", NEW, format="json").status_code == 401


def test_private_processes_stay_in_their_city_and_published_ones_are_public(demo, api_as):
    draft = make_tender(city=demo.city("logrono"), title="Private draft")
    public = make_tender(
        city=demo.city("logrono"),
        state="demand_map",
        title="Public need",
    )
    for username in ("officer.terrassa", "supplier.acme", None):
        api = api_as(username)
        assert api.get(f"/api/v1/tenders/{draft.pk}/").status_code == 404
        titles = {t["title"] for t in api.get("/api/v1/tenders/").json()["results"]}
        assert "Private draft" not in titles and "Public need" in titles
        detail = api.get(f"/api/v1/tenders/{public.pk}/").json()
        assert "legal_report_ref" not in detail, "the public face hides the file"
        for sub in ("transitions/", "history/"):
            assert api.get(f"/api/v1/tenders/{public.pk}/{sub}").status_code in (401, 404)
    officer = api_as("officer.logrono")
    assert officer.get(f"/api/v1/tenders/{draft.pk}/").json()["legal_report_ref"] == ""
    titles = {t["title"] for t in officer.get("/api/v1/tenders/").json()["results"]}
    assert {"Private draft", "Public need"} <= titles


def test_list_filters_by_status_procedure_and_city(demo, api_as):
    make_tender(city=demo.city("logrono"), procedure="pcp", state="need_validated")
    make_tender(city=demo.city("logrono"), procedure="cpti_open", state="need_draft")
    api = api_as("officer.logrono")
    assert {
        t["procedure"] for t in api.get("/api/v1/tenders/?procedure=pcp").json()["results"]
    } == {"pcp"}
    assert {
        t["status"] for t in api.get("/api/v1/tenders/?status=need_draft").json()["results"]
    } == {"need_draft"}
    assert api.get("/api/v1/tenders/?city=terrassa").json()["count"] == 0
    assert api.get("/api/v1/tenders/?city=logrono").json()["count"] == 2


def test_transitions_list_says_what_is_allowed_and_why_not(demo, api_as):
    tender = make_tender(city=demo.city("logrono"), state="file_drafted")
    options = {
        o["name"]: o
        for o in api_as("officer.logrono").get(f"/api/v1/tenders/{tender.pk}/transitions/").json()
    }
    assert options["approve_file"]["allowed"] is False
    assert any("DA 3ª.8" in r for r in options["approve_file"]["reasons"])
    assert options["approve_file"]["target"] == "file_approved"
    assert options["record_legal_report"]["allowed"] is False
    assert options["record_legal_report"]["data"][0]["name"] == "reference"


def test_firing_returns_409_with_reasons_then_200_and_history(demo, api_as):
    tender = make_tender(city=demo.city("logrono"), state="need_validated")
    api = api_as("officer.logrono")
    url = f"/api/v1/tenders/{tender.pk}/transitions/skip_consultation/"
    refused = api.post(url, {"reason": "short"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["detail"] and refused.json()["reasons"]
    done = api.post(
        url, {"reason": "The CDTI 2025 consultation covered this market fully."}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "consultation_skipped"
    history = api.get(f"/api/v1/tenders/{tender.pk}/history/").json()
    fired = [h for h in history if h["action"] == "transition"]
    assert fired[-1]["name"] == "skip_consultation"
    assert fired[-1]["actor"] == "officer.logrono"
    assert "36 sexies" in fired[-1]["legal_basis"]


def test_malformed_transition_data_is_a_400(demo, api_as):
    tender = make_tender(city=demo.city("logrono"), procedure="pcp", state="file_approved")
    response = api_as("officer.logrono").post(
        f"/api/v1/tenders/{tender.pk}/transitions/publish_call/",
        {"data": {"submission_deadline": "next week"}},
        format="json",
    )
    assert response.status_code == 400
    assert "Deadline" in response.json()["detail"]
    response = api_as("officer.logrono").post(
        f"/api/v1/tenders/{tender.pk}/transitions/publish_call/", {"data": "x"}, format="json"
    )
    assert response.status_code == 400


def test_unknown_transition_is_a_409_not_a_500(demo, api_as):
    tender = make_tender(city=demo.city("logrono"))
    response = api_as("officer.logrono").post(
        f"/api/v1/tenders/{tender.pk}/transitions/teleport/", {}, format="json"
    )
    assert response.status_code == 409


def _queries(api, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("username", ["officer.logrono", "officer.terrassa", None])
def test_list_queries_do_not_grow_with_rows(demo, api_as, username):
    api = api_as(username)
    api.get("/api/v1/tenders/")  # content types and permissions cached, whatever ran before
    counts = []
    for total in (3, 30):
        while Tender.objects.count() < total:
            make_tender(city=demo.city("logrono"), state="demand_map")
        counts.append(_queries(api, "/api/v1/tenders/?page_size=100"))
    assert counts[0] == counts[1] <= 8, counts


def test_detail_queries_are_bounded(demo, api_as, django_assert_max_num_queries):
    tender = make_tender(city=demo.city("logrono"))
    api = api_as("officer.logrono")
    with django_assert_max_num_queries(8):
        assert api.get(f"/api/v1/tenders/{tender.pk}/").status_code == 200

"""The template library's API."""

import pytest

from tests.factories.people import colleague

pytestmark = pytest.mark.django_db


def test_the_library_lists_the_network_defaults_with_their_use(
    library, api_as, django_assert_max_num_queries
):
    api = api_as("legal.terrassa")
    with django_assert_max_num_queries(14):
        body = api.get(
            "/api/v1/templates/", {"scope": "network", "kind": "award_resolution"}
        ).json()
    assert body["count"] == 2
    template = body["results"][0]
    assert template["owner"]["type"] == "network"
    assert template["kind_name_es"] == "Resolución de adjudicación"
    assert template["ocds_document_type"] == "awardNotice"
    assert template["cities_using"] == 2  # Logroño and Terrassa approved it
    assert api.get("/api/v1/templates/", {"scope": "mine"}).json()["count"] == 0
    assert api.get("/api/v1/templates/", {"q": "Resolución de adjudicación"}).json()["count"] >= 1


def test_a_legal_team_writes_submits_approves_shares_and_another_city_adopts(library, api_as):
    logrono = api_as("legal.logrono")
    created = logrono.post(
        "/api/v1/templates/", {"kind": "ppt", "language": "es", "name": "PPT propio"}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = logrono.post(
        f"/api/v1/templates/{pk}/versions/", {"source": "# A\n{{ process.nope }}"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["line"] == 2
    good = logrono.post(
        f"/api/v1/templates/{pk}/versions/", {"source": "# A\n{{ process.title }}\n"}, format="json"
    )
    assert good.status_code == 201 and good.json()["number"] == 2
    assert logrono.post(f"/api/v1/templates/{pk}/versions/2/submit/").status_code == 200
    # Four eyes: the author is refused; a colleague of the legal team approves.
    refused = logrono.post(f"/api/v1/templates/{pk}/versions/2/approve/")
    assert refused.status_code == 409 and "someone other than" in refused.json()["detail"]
    colleague(city=library.city("logrono"))
    reviewer = api_as("legal2.logrono")
    assert (
        reviewer.post(f"/api/v1/templates/{pk}/versions/2/approve/").json()["status"] == "approved"
    )

    terrassa = api_as("legal.terrassa")
    assert terrassa.get(f"/api/v1/templates/{pk}/").status_code == 404
    assert terrassa.post(f"/api/v1/templates/{pk}/adopt/").status_code == 404
    shared = logrono.post(f"/api/v1/templates/{pk}/share/", {"public": True}, format="json")
    assert shared.status_code == 200 and shared.json()["shared_public"]
    adopted = terrassa.post(f"/api/v1/templates/{pk}/adopt/")
    assert adopted.status_code == 201
    copy = adopted.json()
    assert copy["adopted_from"] == pk and copy["owner"]["name"] == "Terrassa"
    assert copy["versions"][0]["upstream"] == {"template": pk, "number": 2}
    assert (
        terrassa.post(
            f"/api/v1/templates/{pk}/versions/", {"source": "x"}, format="json"
        ).status_code
        == 403
    )


def test_officers_cannot_create_templates(library, api_as):
    response = api_as("officer.logrono").post(
        "/api/v1/templates/", {"kind": "ppt", "language": "es"}, format="json"
    )
    assert response.status_code == 403


def test_a_city_approves_a_network_default_for_itself(library, api_as):
    from documents.models import CityApproval, DocumentTemplate

    template = DocumentTemplate.objects.get(network__slug="reci", kind="pcap", language="en")
    CityApproval.objects.filter(city__slug="terrassa", version__template=template).delete()
    api = api_as("legal.terrassa")
    assert api.post(f"/api/v1/templates/{template.pk}/versions/1/approve/").status_code == 200
    assert CityApproval.objects.filter(city__slug="terrassa", version__template=template).exists()

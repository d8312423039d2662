"""Who sees what of a market consultation, through the web and the API (LCSP art. 115.3)."""

import pytest

from tenders.models import Response

# The demo processes are seeded once for the module (tests/conftest.py module_world).
pytestmark = pytest.mark.usefixtures("module_demo_processes")

# user → may read: "all" responses, "own" response only, or "none"
ROLES = [
    ("officer.logrono", "all"),
    ("legal.logrono", "all"),
    ("committee.logrono", "none"),
    ("officer.terrassa", "none"),
    ("legal.terrassa", "none"),
    ("supplier.acme", "own"),
    ("supplier.nova", "own"),
    ("admin", "all"),
]


def _responses(consultation):
    return {
        r.supplier.slug: r
        for r in Response.objects.filter(consultation=consultation).select_related("supplier")
    }


@pytest.mark.parametrize(("username", "sees"), ROLES)
def test_responses_through_the_api(open_consultation, api_as, username, sees):
    api = api_as(username)
    responses = _responses(open_consultation)
    listing = api.get(f"/api/v1/consultations/{open_consultation.pk}/responses/")
    if sees == "none":
        assert listing.status_code == 404
    else:
        suppliers = {r["supplier"] for r in listing.json()}
        expected = {"Acme Smart Solutions S.L.", "Nova Urban Robotics S.L."}
        if sees == "own":
            expected = {responses[username.split(".")[1]].supplier.name}
        assert suppliers == expected
    for slug, response in responses.items():
        detail = api.get(f"/api/v1/responses/{response.pk}/")
        allowed = sees == "all" or (sees == "own" and username == f"supplier.{slug}")
        assert detail.status_code == (200 if allowed else 404), (slug, detail.json())


@pytest.mark.parametrize(("username", "sees"), ROLES)
def test_responses_on_the_web(open_consultation, login, username, sees):
    client = login(username)
    responses = _responses(open_consultation)
    table = client.get(f"/consultations/{open_consultation.pk}/responses/")
    assert table.status_code == (200 if sees == "all" else 404)
    for response in responses.values():
        review = client.get(f"/consultations/{open_consultation.pk}/responses/{response.pk}/")
        assert review.status_code == (200 if sees == "all" else 404)
    for fmt in ("csv", "xlsx"):
        export = client.get(f"/consultations/{open_consultation.pk}/export.{fmt}")
        assert export.status_code == (200 if sees == "all" else 404)
    if sees == "own":
        page = client.get(f"/consultations/{open_consultation.pk}/respond/").content.decode()
        own, other = ("Sensores electroquímicos", "Sensores ópticos")
        if username == "supplier.nova":
            own, other = other, own
        assert own in page and other not in page


def test_anonymous_sees_the_published_consultation_but_no_response(
    open_consultation, client, api_as
):
    assert client.get(f"/consultations/{open_consultation.pk}/").status_code == 200
    api = api_as(None)
    assert api.get(f"/api/v1/consultations/{open_consultation.pk}/").status_code == 200
    assert api.get(f"/api/v1/consultations/{open_consultation.pk}/responses/").status_code == 401
    for response in Response.objects.all():
        assert api.get(f"/api/v1/responses/{response.pk}/").status_code == 401
        assert (
            client.get(
                f"/consultations/{open_consultation.pk}/responses/{response.pk}/"
            ).status_code
            == 302
        )


def test_a_draft_consultation_is_private_to_its_city(demo, api_as):
    from tenders.consultation.services import consultation_save
    from tests.factories.tenders import make_tender

    tender = make_tender(city=demo.city("logrono"), state="consultation_draft")
    consultation = consultation_save(
        actor=demo.user("officer.logrono"),
        tender=tender,
        subject="Not yet public",
        opens_at=None,
        closes_at=None,
    )
    assert (
        api_as("officer.logrono").get(f"/api/v1/consultations/{consultation.pk}/").status_code
        == 200
    )
    for username in ("officer.terrassa", "supplier.acme", None):
        api = api_as(username)
        assert api.get(f"/api/v1/consultations/{consultation.pk}/").status_code == 404
        subjects = {c["subject"] for c in api.get("/api/v1/consultations/").json()["results"]}
        assert "Not yet public" not in subjects


def test_confidential_answers_never_reach_the_public_or_other_suppliers(
    open_consultation, client, api_as
):
    secret = "calibración por aprendizaje automático"
    public_pages = [
        client.get(f"/consultations/{open_consultation.pk}/").content.decode(),
        client.get("/consultations/").content.decode(),
        str(api_as(None).get(f"/api/v1/consultations/{open_consultation.pk}/").json()),
        str(
            api_as("supplier.nova")
            .get(f"/api/v1/consultations/{open_consultation.pk}/responses/")
            .json()
        ),
    ]
    for page in public_pages:
        assert secret not in page
    officer = str(
        api_as("officer.logrono")
        .get(f"/api/v1/consultations/{open_consultation.pk}/responses/")
        .json()
    )
    assert secret in officer and "'confidential': True" in officer


def test_clarifications_are_public_once_answered_and_never_name_the_asker(
    open_consultation, api_as
):
    items = (
        api_as("supplier.acme")
        .get(f"/api/v1/consultations/{open_consultation.pk}/clarifications/")
        .json()
    )
    assert items and items[0]["answer"].startswith("Sí")
    assert "Nova" not in str(items) and "asked_by" not in items[0]
    asked = api_as("supplier.acme").post(
        f"/api/v1/consultations/{open_consultation.pk}/clarifications/",
        {"question": "¿Se aceptan consorcios?"},
        format="json",
    )
    assert asked.status_code == 201
    public = (
        api_as(None).get(f"/api/v1/consultations/{open_consultation.pk}/clarifications/").json()
    )
    assert "¿Se aceptan consorcios?" not in str(public)
    officer = (
        api_as("officer.logrono")
        .get(f"/api/v1/consultations/{open_consultation.pk}/clarifications/")
        .json()
    )
    assert "¿Se aceptan consorcios?" in str(officer)
    answered = api_as("officer.logrono").post(
        f"/api/v1/clarifications/{asked.json()['id']}/answer/",
        {"answer": "Sí, en UTE."},
        format="json",
    )
    assert answered.status_code == 200
    assert "Sí, en UTE." in str(
        api_as("supplier.nova")
        .get(f"/api/v1/consultations/{open_consultation.pk}/clarifications/")
        .json()
    )
    other_city = api_as("officer.terrassa").post(
        f"/api/v1/clarifications/{asked.json()['id']}/answer/", {"answer": "x"}, format="json"
    )
    assert other_city.status_code == 404


def test_one_response_per_supplier_is_a_database_rule(open_consultation):
    from django.db import IntegrityError, transaction

    acme = Response.objects.get(consultation=open_consultation, supplier__slug="acme")
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(consultation=open_consultation, supplier=acme.supplier)

import pytest
import yaml
from openapi_spec_validator import validate


def test_token_for_username_and_password_then_me(demo, api_as):
    api = api_as("officer.logrono")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "officer.logrono"
    assert me["organisation"]["kind"] == "city"
    assert me["organisation"]["name"] == "Logroño"
    assert me["roles"] == ["officer"]


def test_me_for_a_supplier(demo, api_as):
    me = api_as("supplier.nova").get("/api/v1/me/").json()
    assert me["organisation"] == {
        "kind": "supplier",
        "id": me["organisation"]["id"],
        "name": "Nova Urban Robotics S.L.",
        "slug": "nova",
    }
    assert me["roles"] == ["representative"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "officer.logrono", "password": "wrong"}, 400),
        ({"username": "officer.logrono"}, 400),
        ({}, 400),
        ({"username": ["x"], "password": 3}, 400),
    ],
)
def test_bad_token_requests_get_a_readable_detail(demo, client, body, status):
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


def test_unknown_api_path_is_json_404(db, client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_me_needs_authentication(db, client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "credentials" in response.json()["detail"]


def test_schema_is_valid_openapi_3(db, client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    spec = yaml.safe_load(response.content)
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/auth/token/" in spec["paths"]
    assert "/api/v1/me/" in spec["paths"]


def test_docs_page_is_served_without_outside_assets(db, client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"cdn." not in response.content and b"jsdelivr" not in response.content


def test_healthz_needs_no_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.json() == {"status": "ok"}

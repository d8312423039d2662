"""Each role sees its own organisation only, through the web and the API alike."""

import re

import pytest


def _main(html: bytes) -> bytes:
    """The page's main landmark: what it says, without the per-request header and tokens."""
    return re.search(rb"<main.*</main>", html, re.S).group(0)


# (user, organisation kind, organisation slug, may see)
CASES = [
    ("officer.logrono", "city", "logrono", True),
    ("legal.logrono", "city", "logrono", True),
    ("committee.logrono", "city", "logrono", True),
    ("officer.terrassa", "city", "logrono", False),
    ("legal.terrassa", "city", "logrono", False),
    ("officer.terrassa", "city", "terrassa", True),
    ("officer.logrono", "city", "terrassa", False),
    ("supplier.acme", "city", "logrono", False),
    ("supplier.acme", "supplier", "acme", True),
    ("supplier.nova", "supplier", "acme", False),
    ("officer.logrono", "supplier", "acme", False),
    ("admin", "city", "logrono", True),
]


def _organisation(demo, kind, slug):
    return demo.city(slug) if kind == "city" else demo.supplier(slug)


@pytest.mark.parametrize(("username", "kind", "slug", "may_see"), CASES)
def test_private_workspace_on_the_web(demo, login, username, kind, slug, may_see):
    org = _organisation(demo, kind, slug)
    client = login(username)
    response = client.get(f"/org/{'cities' if kind == 'city' else 'suppliers'}/{org.pk}/")
    assert response.status_code == (200 if may_see else 404)
    if may_see:
        assert org.name in response.content.decode()


@pytest.mark.parametrize(("username", "kind", "slug", "may_see"), CASES)
def test_private_members_through_the_api(demo, api_as, username, kind, slug, may_see):
    org = _organisation(demo, kind, slug)
    api = api_as(username)
    response = api.get(f"/api/v1/{'cities' if kind == 'city' else 'suppliers'}/{org.pk}/members/")
    assert response.status_code == (200 if may_see else 404)
    if may_see:
        assert any(m["role"] for m in response.json())
    else:
        assert response.json()["detail"].lower().endswith("not found.")


def test_not_yours_and_missing_look_the_same(demo, api_as, login):
    api = api_as("officer.terrassa")
    other = api.get(f"/api/v1/cities/{demo.city('logrono').pk}/members/")
    missing = api.get("/api/v1/cities/999999/members/")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()
    web = login("officer.terrassa")
    other_page = web.get(f"/org/cities/{demo.city('logrono').pk}/")
    missing_page = web.get("/org/cities/999999/")
    assert other_page.status_code == missing_page.status_code == 404
    assert _main(other_page.content) == _main(missing_page.content)


def test_anonymous_visitors_are_sent_to_log_in_or_get_401(demo, client):
    city = demo.city("logrono")
    assert client.get(f"/org/cities/{city.pk}/").status_code == 302
    response = client.get(f"/api/v1/cities/{city.pk}/members/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_cities_are_public(demo, client):
    response = client.get("/api/v1/cities/")
    assert response.status_code == 200
    names = {c["name"] for c in response.json()["results"]}
    assert {"Logroño", "Terrassa", "Medellín"} <= names

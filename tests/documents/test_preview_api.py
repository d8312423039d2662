"""The template editor's live preview through the API: the same rendering with sample data,
the same errors by line, nothing saved, and only for who may read the template."""

import pytest

from documents.services import template_create


@pytest.fixture
def template(demo):
    return template_create(
        actor=demo.user("legal.logrono"), kind="ppt", language="es", name="PPT de Logroño"
    )


def test_the_legal_team_previews_a_draft_text_with_sample_data_and_nothing_is_saved(
    api_as, template, django_assert_max_num_queries
):
    api = api_as("legal.logrono")
    with django_assert_max_num_queries(6):
        response = api.post(
            f"/api/v1/templates/{template.pk}/preview/",
            {"source": "# Objeto\r\n{{ process.title }}\r\n- **uno**\r\n| a | b |\r\n| 1 | 2 |"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"]
    heading, paragraph, bullets, table = body["blocks"]
    assert (heading["kind"], heading["number"], heading["text"]) == ("h1", "1.", "Objeto")
    assert paragraph["kind"] == "p" and "Gestión inteligente" in paragraph["text"]
    assert bullets["items"] == ["**uno**"]
    assert table["rows"] == [["a", "b"], ["1", "2"]]
    assert template.versions.count() == 1


def test_a_text_with_an_unknown_field_is_refused_with_its_line(api_as, template):
    response = api_as("legal.logrono").post(
        f"/api/v1/templates/{template.pk}/preview/",
        {"source": "# Uno\n\n{{ process.nope }}"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("Line 3")
    assert body["problems"][0]["line"] == 3
    assert "source" in body["errors"]


def test_an_empty_text_is_refused(api_as, template):
    response = api_as("legal.logrono").post(
        f"/api/v1/templates/{template.pk}/preview/", {"source": ""}, format="json"
    )
    assert response.status_code == 400
    assert "source" in response.json()["errors"]


@pytest.mark.parametrize("username", ["legal.terrassa", "supplier.acme"])
def test_another_citys_template_answers_as_a_missing_one(api_as, template, username):
    api = api_as(username)
    theirs = api.post(f"/api/v1/templates/{template.pk}/preview/", {"source": "x"}, format="json")
    missing = api.post("/api/v1/templates/999999/preview/", {"source": "x"}, format="json")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()

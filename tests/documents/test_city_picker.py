"""Sharing a template with chosen cities picks them by name, not by numeric id (issue #19)."""

import pytest

from documents.services import template_create

pytestmark = pytest.mark.django_db


def _own_template(library):
    return template_create(actor=library.user("legal.logrono"), kind="ppt", language="es")


def test_city_search_finds_cities_by_part_of_their_name(demo, login):
    results = login("legal.logrono").get("/reference/cities/", {"q": "terra"}).json()["results"]

    assert results == [{"id": demo.city("terrassa").pk, "name": "Terrassa"}]


def test_a_template_is_shared_with_cities_chosen_by_name(library, login):
    client = login("legal.logrono")
    template = _own_template(library)
    page = client.get(f"/documents/templates/{template.pk}/").content.decode()
    assert "ids, comma-separated" not in page
    assert 'data-city-picker="/reference/cities/"' in page

    client.post(f"/documents/templates/{template.pk}/share/", {"add_cities": "terrassa; Medellín"})

    assert set(template.shared_cities.values_list("slug", flat=True)) == {"terrassa", "medellin"}
    page = client.get(f"/documents/templates/{template.pk}/").content.decode()
    assert f'name="cities" value="{library.city("terrassa").pk}" checked' in page


def test_an_unknown_city_name_changes_nothing_and_is_named_back(library, login):
    client = login("legal.logrono")
    template = _own_template(library)
    client.post(f"/documents/templates/{template.pk}/share/", {"add_cities": "Terrassa"})

    page = client.post(
        f"/documents/templates/{template.pk}/share/",
        {"cities": [str(library.city("terrassa").pk)], "add_cities": "Atlantis; Medellín"},
        follow=True,
    ).content.decode()

    assert "No city is called: Atlantis" in page
    assert set(template.shared_cities.values_list("slug", flat=True)) == {"terrassa"}


def test_unticking_a_city_stops_sharing_with_it(library, login):
    client = login("legal.logrono")
    template = _own_template(library)
    client.post(f"/documents/templates/{template.pk}/share/", {"add_cities": "Terrassa"})

    client.post(f"/documents/templates/{template.pk}/share/", {"add_cities": ""})

    assert not template.shared_cities.exists()

"""The pickers in a real browser (issue #19): a CPV code found by words lands in the process's
CPV field; a city found by part of its name becomes a ticked city of a template's sharing.
Both stay accessible (axe finds no serious violation)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from documents.services import template_create
from procurement.accounts.models import User
from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_login

pytestmark = pytest.mark.django_db(transaction=True)


def _pick_first_suggestion(page, search, typed: str) -> str:
    """Type ``typed``, wait for the suggestions, and pick the first as a person would."""
    search.fill(typed)
    options = page.locator(f"#{search.get_attribute('list')} option")
    expect(options.first).to_be_attached()
    value = options.first.get_attribute("value")
    search.fill(value)
    return value


def test_a_cpv_code_is_picked_by_words(live_demo, live_server, page):
    call_command("import_cpv", verbosity=0)
    browser_login(page, live_server, "officer.logrono")
    page.goto(f"{live_server.url}/processes/new/")
    search = page.locator("[data-testid=cpv-search]")

    picked = _pick_first_suggestion(page, search, "desarrollo de software")

    assert " — " in picked  # a code and its words
    expect(page.locator("#id_cpv_codes")).to_have_value(picked.split(" ")[0])
    expect(search).to_have_value("")
    assert_accessible(page)


def test_a_city_is_picked_by_name_to_share_a_template(live_demo, live_server, page):
    template = template_create(
        actor=User.objects.get(username="legal.logrono"), kind="ppt", language="es"
    )
    browser_login(page, live_server, "legal.logrono")
    page.goto(f"{live_server.url}/documents/templates/{template.pk}/")
    search = page.locator("#add-cities")

    _pick_first_suggestion(page, search, "Terr")

    chosen = page.locator("[data-city-chosen] input[name=cities]:checked")
    expect(chosen).to_have_count(1)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Save sharing").click()
    assert list(template.shared_cities.values_list("slug", flat=True)) == ["terrassa"]

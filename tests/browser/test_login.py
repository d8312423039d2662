"""Logging in through a real browser: the header shows the user's own organisation."""

import pytest

from tests.browser.conftest import browser_login

pytestmark = pytest.mark.browser


def test_officer_sees_own_city_in_the_header(live_server, live_demo, page):
    browser_login(page, live_server, "officer.logrono")
    organisation = page.locator("[data-testid=organisation]")
    assert "Logroño" in organisation.inner_text()


def test_supplier_does_not_see_a_city_in_the_header(live_server, live_demo, page):
    browser_login(page, live_server, "supplier.acme")
    organisation = page.locator("[data-testid=organisation]")
    assert "Acme" in organisation.inner_text()
    assert "Logroño" not in organisation.inner_text()


def test_wrong_password_stays_on_the_login_form(live_server, live_demo, page):
    with pytest.raises(AssertionError, match="login failed"):
        browser_login(page, live_server, "officer.logrono", password="not-the-password")
    assert page.locator("[role=alert]").is_visible()


def test_skip_link_is_the_first_focusable_element(live_server, live_demo, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"text": "Skip to content", "href": "#main"}
    assert page.locator(".skip-link").is_visible()

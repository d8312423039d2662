"""Layout and accessibility of the pages an office uses all day (issue #19), in a real Chromium:
the header on one row at 1280 px, checkboxes beside their labels, the template preview beside
its editor on a wide screen, the portal's search button level with its inputs, and axe finding
nothing serious after a flash message, after a refused form, and on the API docs."""

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import browser_login, submit

pytestmark = pytest.mark.browser


def box(page, selector: str) -> dict:
    element = page.locator(selector).first
    element.wait_for()
    return element.bounding_box()


def one_row_height(page, selector: str) -> float:
    """The height of ``selector`` laid out on one row: that of its tallest child."""
    return page.evaluate(
        """(selector) => {
            const el = document.querySelector(selector);
            const style = getComputedStyle(el);
            const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
                + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
            const tallest = Math.max(...[...el.children].map(c => c.getBoundingClientRect().height));
            return tallest + padding;
        }""",
        selector,
    )


@pytest.mark.parametrize("username", ["officer.logrono", "legal.logrono", "supplier.acme"])
def test_header_is_one_row_at_1280_px(live_server, live_demo, page, username):
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, live_server, username)
    for language in ("es", "en"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/processes/")
        header = box(page, ".site-header")
        assert header["height"] <= one_row_height(page, ".site-header") + 1, (language, header)

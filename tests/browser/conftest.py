"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

No browser is ever downloaded: the tests use ``/usr/bin/chromium`` (``make browser`` installs it)
and skip without it, or fail in CI (``OPENCPI_REQUIRE_SERVICES=1``).
"""

import os
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD, _missing

# Playwright's sync API keeps an asyncio event loop running in the main thread, so Django would
# refuse every ORM call the test makes there (fixtures, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a cold Chromium on a slow CI machine, short enough to fail a stuck test fast.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session; every test gets its own context."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _missing(f"needs Debian's Chromium at {CHROMIUM}: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright gives each launch a fresh temporary profile (user data dir) of its own.
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A page in a new browser context: no cookies or storage shared between tests."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def live_demo(transactional_db):
    """The demo network, seeded where the live server's thread can read it."""
    from procurement.accounts import demo as accounts_demo

    accounts_demo.seed()


def browser_login(page, live_server, username: str, password: str = DEMO_PASSWORD):
    """Log ``username`` in through the real login form and wait for the redirect home."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if "/accounts/login/" in page.url:
        raise AssertionError(f"login failed for {username}")
    return page


def submit(page, selector: str) -> None:
    """Click the submit button at ``selector`` and wait for the answer page.

    Reading the page, or going elsewhere, before the answer arrives would see the old page or
    cancel the post; every form submission in these tests goes through here.
    """
    with page.expect_navigation():
        page.click(selector)

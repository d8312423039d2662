"""Shared fixtures: the demo parties as actors, clients logged in as them, service gates.

Tests marked ``postgres`` or ``celery`` need those services; they skip on a laptop without them
and fail in CI (``OPENCPI_REQUIRE_SERVICES=1``), where skipping would hide a missing service.
"""

import contextlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from rest_framework.test import APIClient

DEMO_PASSWORD = "opencpi-demo"
REQUIRE_SERVICES = os.environ.get("OPENCPI_REQUIRE_SERVICES") == "1"


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """Tests that start a Celery worker share one broker queue: run them on one xdist worker."""
    for item in items:
        if "celery_worker_thread" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("celery-worker"))


@pytest.fixture(autouse=True)
def _service_gates(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("celery") and settings.BROKER_EMBEDDED:
        _missing("needs a broker server: set CELERY_BROKER_URL=redis://…")


@contextlib.contextmanager
def module_world(django_db_blocker, folder: Path):
    """For a module-scoped fixture whose data every test of the module reads: what is written
    inside (a seeded demo, say) is made once for the module, in a transaction rolled back when
    the module ends; each test runs in a savepoint on top of it, as usual, so its own writes
    are rolled back after it. Files go to ``folder`` (the module's tests read them there:
    override ``_media_root`` with ``module_media_root``).

    Only for modules whose tests all use the default transaction (no ``transactional_db``, no
    live server) and all expect that data: seeding the demo takes seconds, a dozen times a
    module adds up to minutes of CI."""
    old = settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = folder / "media", folder / "private"
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = old


def module_media_root(settings, folder: Path) -> None:
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = folder / "media", folder / "private"


@pytest.fixture(scope="module")
def module_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("module-world")


@pytest.fixture(scope="module")
def module_demo_processes(django_db_setup, django_db_blocker, module_folder):
    """The demo processes seeded once for a module (``module_world``): a module whose tests all
    read them opts in with ``pytestmark = pytest.mark.usefixtures("module_demo_processes")``,
    and its ``demo_processes`` then seeds nothing."""
    from procurement.accounts import demo as accounts_demo
    from tenders import demo as tenders_demo

    with module_world(django_db_blocker, module_folder):
        accounts_demo.seed()
        tenders_demo.seed()
        yield


@pytest.fixture(autouse=True)
def _media_root(request, tmp_path, settings):
    if "module_demo_processes" in request.fixturenames:
        module_media_root(settings, request.getfixturevalue("module_folder"))
        return
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Spanish leaves Spanish active in
    the thread that served it, and a test that reads a message directly would read it so."""
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def no_page_cache(settings):
    """Every page rendered on each request (``procurement.core.public_cache`` keeps none): for
    the tests that count the queries of rendering a page, not of serving a kept one."""
    settings.PAGE_CACHE = False


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the rolled-back data of one test can repeat the
    audit ids that key another's cached public pages (nor does this process remember a data
    version read in another test)."""
    from django.core.cache import cache

    from procurement.core.audit import data_version_forget

    cache.clear()
    data_version_forget()
    yield
    cache.clear()
    data_version_forget()


@pytest.fixture
def demo(db):
    """The demo network, loaded through the same seed the README's `make run` uses."""
    from procurement.accounts import demo as accounts_demo

    accounts_demo.seed()
    return Demo()


class Demo:
    """Look-ups into the seeded demo data by the names the issues use."""

    def user(self, username: str):
        from procurement.accounts.models import User

        return User.objects.get(username=username)

    def city(self, slug: str):
        from procurement.accounts.models import City

        return City.objects.get(slug=slug)

    def supplier(self, slug: str):
        from procurement.accounts.models import Supplier

        return Supplier.objects.get(slug=slug)


@pytest.fixture
def login(client):
    """``login("officer.logrono")`` → the test client, logged in through the real login form."""

    def _login(username: str):
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, f"login failed for {username}"
        return client

    return _login


@pytest.fixture
def api_as():
    """``api_as("supplier.acme")`` → an API client authenticated with a real token."""

    def _api_as(username: str | None) -> APIClient:
        api = APIClient()
        if username is None:
            return api
        response = api.post(
            "/api/v1/auth/token/",
            {"username": username, "password": DEMO_PASSWORD},
            format="json",
        )
        assert response.status_code == 200, response.content
        api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        return api

    return _api_as


@pytest.fixture
def demo_processes(request, demo):
    """The demo network with its processes (an open consultation answered by both suppliers);
    seeded for the test, or once for its module (``module_demo_processes``)."""
    from tenders import demo as tenders_demo

    if "module_demo_processes" not in request.fixturenames:
        tenders_demo.seed()
    return demo


@pytest.fixture
def open_consultation(demo_processes):
    from tenders.models import Consultation

    return Consultation.objects.select_related("tender__city").get(
        tender__status="consultation_open"
    )


@pytest.fixture
def live_demo(transactional_db):
    """The demo parties, committed, so other threads (a worker, concurrent requests) see them."""
    from procurement.accounts import demo as accounts_demo

    accounts_demo.seed()
    return Demo()

"""The portal's page cache: anonymous visitors get a stored page until the published data changes;
each keeps a CSRF token of their own; logged-in users never get the anonymous page."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from procurement.core.audit import data_version
from procurement.core.public_cache import PUBLIC_VERSION_SECONDS
from tests.factories.tenders import make_tender
from workflows.services import transition_perform

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _publish_need(demo, title: str):
    officer = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), title=title)
    tender = transition_perform(process=tender, name="validate_need", actor=officer)
    return transition_perform(process=tender, name="publish_demand_map", actor=officer)


def test_a_need_published_after_a_visit_shows_on_the_next_visit(demo, client):
    first = _publish_need(demo, "Riego inteligente de parques")
    page = client.get("/portal/").content.decode()
    assert "Riego inteligente de parques" in page
    with CaptureQueriesContext(connection) as served_again:
        again = client.get("/portal/").content.decode()
    assert "Riego inteligente de parques" in again
    assert len(served_again) <= 2  # the data version (and the session), not the page's queries

    second = _publish_need(demo, "Gestión predictiva de residuos")
    page = client.get("/portal/").content.decode()
    assert "Gestión predictiva de residuos" in page
    detail = client.get(f"/portal/processes/{second.pk}/")
    assert detail.status_code == 200 and "Gestión predictiva de residuos" in detail.content.decode()
    assert client.get(f"/portal/processes/{first.pk}/").status_code == 200


def test_each_visitor_gets_a_csrf_token_that_works_for_them(demo):
    _publish_need(demo, "Movilidad compartida")
    one, two = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first = one.get("/portal/")
    second = two.get("/portal/")
    token_one = TOKEN.search(first.content.decode()).group(1)
    token_two = TOKEN.search(second.content.decode()).group(1)
    assert "placeholder" not in second.content.decode()
    assert token_one != token_two
    changed = two.post(
        "/i18n/setlang/", {"language": "es", "next": "/portal/", "csrfmiddlewaretoken": token_two}
    )
    assert changed.status_code == 302
    assert "Portal de datos abiertos" in two.get("/portal/").content.decode()


def test_a_logged_in_user_never_gets_the_anonymous_page(demo, client):
    _publish_need(demo, "Alumbrado adaptativo")
    assert "Log in" in client.get("/portal/").content.decode()
    user = demo.user("officer.logrono")
    officer = Client()
    officer.force_login(user)
    page = officer.get("/portal/").content.decode()
    assert f'<span class="who">{user.get_full_name() or user.username}</span>' in page
    assert "Log in" not in page


def test_a_missing_page_is_not_cached_and_stays_missing_for_everyone(demo, client):
    hidden = make_tender(city=demo.city("logrono"), title="Borrador")
    assert client.get(f"/portal/processes/{hidden.pk}/").status_code == 404
    assert client.get(f"/portal/processes/{hidden.pk}/").status_code == 404
    assert client.get("/portal/processes/999999/").status_code == 404


def test_a_kept_page_costs_no_query_and_a_write_here_shows_at_once(live_demo, client):
    """Outside a test's transaction, as in production: the data version is read at most once a
    ``PUBLIC_VERSION_SECONDS`` per process, so a kept page is served without the database, and
    a write this process makes renders the page again at once."""
    demo = live_demo
    _publish_need(demo, "Riego inteligente de parques")
    assert "Riego inteligente de parques" in client.get("/portal/").content.decode()
    with CaptureQueriesContext(connection) as served_again:
        again = client.get("/portal/").content.decode()
    assert "Riego inteligente de parques" in again
    assert len(served_again) == 0
    _publish_need(demo, "Gestión predictiva de residuos")
    assert "Gestión predictiva de residuos" in client.get("/portal/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_portal_asks_the_database_for_the_version_once_its_second_is_over():
    read = data_version()
    with CaptureQueriesContext(connection) as remembered:
        assert data_version(within=PUBLIC_VERSION_SECONDS) == read
    assert len(remembered) == 0
    with CaptureQueriesContext(connection) as asked:
        assert data_version(within=0) == read  # the pages of logged-in users always ask
    assert len(asked) == 1

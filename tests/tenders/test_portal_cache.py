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


def test_a_visitor_reads_the_portal_without_a_token_and_switches_its_language(demo):
    """A visitor's portal page carries no CSRF token and sets no cookie (making one for every
    visitor was a fifth of a kept page's time): the language form, the only form there, is
    accepted from a page of this site without one (``core.views.language_set``)."""
    _publish_need(demo, "Movilidad compartida")
    visitor = Client(enforce_csrf_checks=True)
    for _ in range(2):  # rendered, then kept
        page = visitor.get("/portal/")
        assert "csrfmiddlewaretoken" not in page.content.decode()
        assert "placeholder" not in page.content.decode()
        assert not page.cookies
    switched = visitor.post(
        "/i18n/setlang/",
        {"language": "es", "next": "/portal/"},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert switched.status_code == 302 and switched["Location"] == "/portal/"
    assert "Portal de datos abiertos" in visitor.get("/portal/").content.decode()
    older = Client(enforce_csrf_checks=True)  # a browser that sends Origin only
    older.post("/i18n/setlang/", {"language": "es"}, headers={"Origin": "http://testserver"})
    assert "Portal de datos abiertos" in older.get("/portal/").content.decode()


def test_another_site_cannot_switch_a_visitors_language_without_a_token(demo):
    _publish_need(demo, "Bicicleta pública")
    for headers in (
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://elsewhere.example"},
        {"Origin": "https://elsewhere.example"},
        {},  # says nothing of where it posts from
    ):
        visitor = Client(enforce_csrf_checks=True)
        refused = visitor.post("/i18n/setlang/", {"language": "es"}, headers=headers)
        assert refused.status_code == 403, headers
        assert "Open data portal" in visitor.get("/portal/").content.decode()
    # The token still works, as on every other form.
    visitor = Client(enforce_csrf_checks=True)
    login_page = visitor.get("/accounts/login/").content.decode()
    token = TOKEN.search(login_page).group(1)
    switched = visitor.post("/i18n/setlang/", {"language": "es", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302
    assert "Portal de datos abiertos" in visitor.get("/portal/").content.decode()


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


def test_a_page_kept_for_visitors_without_a_session_has_the_rendered_pages_headers(demo):
    """A visitor with no cookie is served before most of the middleware runs
    (``KeptPageMiddleware``): the page still carries every header the whole stack gave it."""
    _publish_need(demo, "Semáforos conectados")
    rendered = Client().get("/portal/")
    kept = Client().get("/portal/")
    assert kept.status_code == 200 and "Semáforos conectados" in kept.content.decode()
    assert kept.content == rendered.content

    def headers(response):
        named = dict(response.items())
        return {**named, "Vary": set(named["Vary"].split(", "))}

    assert headers(kept) == headers(rendered)
    assert {"Cookie", "Accept-Language"} <= headers(kept)["Vary"]
    assert {"Content-Security-Policy", "X-Frame-Options", "Permissions-Policy"} <= set(
        headers(kept)
    )


def test_a_visitor_with_a_message_waiting_sees_it_on_a_kept_page(demo, client):
    """A message kept in a cookie (Django's default storage) is shown on the next page, kept or
    not: such a visitor goes past ``KeptPageMiddleware`` to the view."""
    from django.contrib.messages import INFO
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    _publish_need(demo, "Recogida de residuos")
    client.get("/portal/")
    storage = CookieStorage(HttpRequest())
    storage.add(INFO, "Gracias por su visita")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value
    assert "Gracias por su visita" in client.get("/portal/").content.decode()

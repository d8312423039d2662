"""A user's busiest pages are kept for that user until the next audited write: the same page
again costs a few queries, another user never gets it, a step taken shows at once, each visitor
keeps a CSRF token of their own and a flash message is never lost to the cache."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories.tenders import make_tender
from workflows.services import transition_perform

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _signed_in(demo, username: str, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(demo.user(username))
    return client


def _queries(client: Client, path: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode(), len(captured)


def test_the_same_page_again_is_served_without_its_queries(demo):
    tender = make_tender(city=demo.city("logrono"), title="Semáforos adaptativos")
    officer = _signed_in(demo, "officer.logrono")
    for path in ("/processes/", f"/processes/{tender.pk}/", "/consultations/"):
        first, rendered = _queries(officer, path)
        again, served = _queries(officer, path)
        # The session, the user (with the time zone of their city) and the data version: not
        # the page's own reads.
        assert served <= 3 < rendered, (path, served, rendered)
        assert _without_tokens(again) == _without_tokens(first)
    legal = _signed_in(demo, "legal.logrono")
    _queries(legal, "/documents/templates/")
    assert _queries(legal, "/documents/templates/")[1] <= 3


def test_another_user_never_gets_the_page_kept_for_someone_else(demo):
    make_tender(city=demo.city("logrono"), title="Semáforos adaptativos")
    make_tender(city=demo.city("terrassa"), title="Riego de Terrassa")
    logrono = _signed_in(demo, "officer.logrono").get("/processes/").content.decode()
    terrassa = _signed_in(demo, "officer.terrassa").get("/processes/").content.decode()
    assert "Semáforos adaptativos" in logrono and "Riego de Terrassa" not in logrono
    assert "Riego de Terrassa" in terrassa and "Semáforos adaptativos" not in terrassa


def test_a_step_taken_shows_on_the_next_visit(demo):
    officer_user = demo.user("officer.logrono")
    tender = make_tender(city=demo.city("logrono"), title="Alumbrado adaptativo")
    officer = _signed_in(demo, "officer.logrono")
    before = officer.get(f"/processes/{tender.pk}/").content.decode()
    assert "Validate the need" in before
    transition_perform(process=tender, name="validate_need", actor=officer_user)
    after = officer.get(f"/processes/{tender.pk}/").content.decode()
    assert after != before
    assert "Publish in the early demand map" in after


def test_each_visitor_gets_a_csrf_token_that_works_for_them(demo):
    tender = make_tender(city=demo.city("logrono"), title="Alumbrado adaptativo")
    path = f"/processes/{tender.pk}/"
    one = _signed_in(demo, "officer.logrono", enforce_csrf_checks=True)
    two = _signed_in(demo, "officer.logrono", enforce_csrf_checks=True)
    one.get(path)  # rendered and kept
    page = two.get(path).content.decode()  # served from what was kept for the same user
    assert "placeholder" not in page
    token = TOKEN.search(page).group(1)
    done = two.post(f"{path}transitions/validate_need/", {"csrfmiddlewaretoken": token})
    assert done.status_code == 302, done.content[:300]


def test_the_message_after_a_step_is_shown_not_a_kept_page(demo):
    tender = make_tender(city=demo.city("logrono"), title="Alumbrado adaptativo")
    path = f"/processes/{tender.pk}/"
    officer = _signed_in(demo, "officer.logrono")
    officer.get(path)
    response = officer.post(f"{path}transitions/validate_need/", follow=True)
    assert "Done: Validate the need." in response.content.decode()


def _without_tokens(page: str) -> str:
    """The page without its CSRF tokens (each response masks the visitor's own differently)."""
    return re.sub(r"[A-Za-z0-9]{64}", "", page)

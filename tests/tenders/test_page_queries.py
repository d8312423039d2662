"""The process page and the public portal read a number of queries that grows neither with the
number of processes nor with a process's history; the diagram is drawn once and kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.tenders import make_tender

# The queries counted here are those of rendering the pages.
pytestmark = pytest.mark.usefixtures("no_page_cache")


def _count(client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def test_process_page_queries_do_not_grow_with_processes_or_history(demo, login):
    logrono = demo.city("logrono")
    tender = make_tender(city=logrono, state="file_drafted")
    for _number in range(10):
        make_tender(city=logrono)
    client = login("officer.logrono")
    few = _count(client, f"/processes/{tender.pk}/")
    for _number in range(50):
        make_tender(city=logrono)
    from procurement.core.audit import audit_record
    from procurement.core.models import AuditEntry

    for number in range(20):
        audit_record(
            actor=demo.user("officer.logrono"),
            action=AuditEntry.Action.CHANGE,
            target=tender,
            name=f"edit_{number}",
        )
    assert _count(client, f"/processes/{tender.pk}/") == few


def test_process_page_still_judges_actions_per_role(demo, login):
    tender = make_tender(city=demo.city("logrono"), state="file_drafted")
    officer = login("officer.logrono").get(f"/processes/{tender.pk}/").content.decode()
    assert "Approve the file" in officer[officer.index('data-testid="blocked"') :]
    legal = login("legal.logrono").get(f"/processes/{tender.pk}/").content.decode()
    assert "Only procurement officers" in legal


def test_the_diagram_is_drawn_once_per_procedure_state_and_language():
    from django.utils import translation

    from tenders.procedures import MACHINE
    from workflows.diagram import _procedure_svg, procedure_svg

    _procedure_svg.cache_clear()
    with translation.override("en"):
        english = procedure_svg(MACHINE, "cpti_open", "published", {"need_draft"})
        assert procedure_svg(MACHINE, "cpti_open", "published", {"need_draft"}) == english
    with translation.override("es"):
        spanish = procedure_svg(MACHINE, "cpti_open", "published", {"need_draft"})
    info = _procedure_svg.cache_info()
    assert info.hits == 1 and info.misses == 2
    assert english != spanish and 'class="state current"' in english


def test_portal_home_and_process_queries_do_not_grow_with_processes(demo, client):
    logrono = demo.city("logrono")
    public = make_tender(city=logrono, state="demand_map")
    for _number in range(10):
        make_tender(city=logrono, state="demand_map")
    home, page = _count(client, "/portal/"), _count(client, f"/portal/processes/{public.pk}/")
    for _number in range(50):
        make_tender(city=logrono, state="demand_map")
    assert _count(client, "/portal/") == home
    assert _count(client, "/portal/?page=2") == home
    assert _count(client, f"/portal/processes/{public.pk}/") == page


def test_portal_search_counts_what_it_found_and_pages_the_rest(demo, client):
    for number in range(23):
        make_tender(
            city=demo.city("logrono"),
            state="demand_map",
            title=f"Farolas {number:02}",
        )
    first = client.get("/portal/?q=Farolas").content.decode()
    second = client.get("/portal/?q=Farolas&page=2").content.decode()
    assert "23 processes found" in first
    assert first.count("Farolas ") == 20 and second.count("Farolas ") == 3
    assert 'rel="next"' in first and "q=Farolas" in first

"""The officer's process list: 25 a page, what waits on the user, counts per stage, and a number
of queries that does not grow with the number of processes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.tenders import make_tender, place_tender_in_state_for_speed

# The queries counted here are those of rendering the pages.
pytestmark = pytest.mark.usefixtures("no_page_cache")


def _titles(page: str, testid: str) -> list[str]:
    block = page[page.index(f'data-testid="{testid}"') :]
    block = block[: block.index("</ul>")] if testid == "waiting" else block
    return re.findall(r'<a href="/processes/\d+/">([^<]+)</a>', block)


def _count_queries(client, path: str) -> int:
    client.get(path)  # content types and sessions warmed
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_process_list_shows_25_a_page_and_the_second_page_shows_the_rest(demo, login):
    for number in range(30):
        make_tender(city=demo.city("logrono"), state="need_validated", title=f"Proceso {number:02}")
    client = login("officer.logrono")
    first = client.get("/processes/").content.decode()
    second = client.get("/processes/?page=2").content.decode()
    listed_first = [t for t in _titles(first, "processes") if t.startswith("Proceso")]
    listed_second = [t for t in _titles(second, "processes") if t.startswith("Proceso")]
    assert len(listed_first) == 25 and len(listed_second) == 5
    assert set(listed_first) | set(listed_second) == {f"Proceso {n:02}" for n in range(30)}
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="prev"' in second
    # The counts per stage are totals, not the page's.
    assert re.search(r"Need\s*<span class=\"badge\">30</span>", first)


def test_process_list_filters_by_stage(demo, login):
    make_tender(city=demo.city("logrono"), state="need_draft", title="Early need")
    make_tender(city=demo.city("logrono"), state="file_drafted", title="File ready")
    client = login("officer.logrono")
    page = client.get("/processes/?stage=preparation").content.decode()
    listed = _titles(page, "processes")
    assert "File ready" in listed and "Early need" not in listed


def test_waiting_on_you_lists_the_steps_of_the_users_roles_only(demo, login):
    logrono = demo.city("logrono")
    make_tender(city=logrono, state="need_draft", title="Needs validating")
    make_tender(city=logrono, state="file_drafted", title="File for the legal team")
    make_tender(city=logrono, state="consultation_open", title="Consultation running")
    make_tender(city=logrono, state="cancelled", title="Cancelled one")
    make_tender(city=demo.city("terrassa"), state="need_draft", title="Terrassa only")

    officer = login("officer.logrono").get("/processes/").content.decode()
    waiting = officer[officer.index('data-testid="waiting"') :]
    waiting = waiting[: waiting.index("</ul>")]
    assert "Needs validating" in waiting and "Validate the need" in waiting
    assert "File for the legal team" in waiting and "Approve the file" in waiting
    # Only the deadline (and a way out) leave an open consultation: nothing waits on anyone.
    assert "Consultation running" not in waiting and "Cancel" not in waiting
    assert "Cancelled one" not in waiting
    assert "Terrassa only" not in officer

    legal = login("legal.logrono").get("/processes/").content.decode()
    waiting = legal[legal.index('data-testid="waiting"') :]
    waiting = waiting[: waiting.index("</ul>")]
    assert _titles(legal, "waiting") == ["File for the legal team"]
    assert "Record the legal report" in waiting or "legal report" in waiting.lower()
    assert "Approve the file" not in waiting


def test_waiting_on_you_is_paginated_too(demo, login):
    for number in range(27):
        make_tender(city=demo.city("logrono"), state="need_draft", title=f"Borrador {number:02}")
    client = login("officer.logrono")
    first = _titles(client.get("/processes/").content.decode(), "waiting")
    second = _titles(client.get("/processes/?waiting=2").content.decode(), "waiting")
    assert len(first) == 25 and len(second) == 2
    assert not set(first) & set(second)


def test_published_processes_are_paginated_for_everyone_else(demo, client):
    for number in range(27):
        make_tender(
            city=demo.city("logrono"),
            state="demand_map",
            title=f"Publicado {number:02}",
        )
    first = client.get("/processes/").content.decode()
    second = client.get("/processes/?page=2").content.decode()
    assert first.count("Publicado ") == 25 and second.count("Publicado ") == 2
    assert 'rel="next"' in first


@pytest.mark.parametrize("username", ["officer.logrono", "legal.logrono"])
def test_process_list_queries_do_not_grow_with_the_number_of_processes(demo, login, username):
    states = ["need_draft", "file_drafted", "consultation_open", "bids_closed", "closed"]

    def process(number: int) -> None:
        place_tender_in_state_for_speed(
            why="sixty processes only fill the list whose queries are counted; walking a fifth "
            "of them through bids, scores and award to a closed contract makes the test five "
            "times slower",
            city=demo.city("logrono"),
            state=states[number % len(states)],
        )

    for number in range(10):
        process(number)
    client = login(username)
    few = _count_queries(client, "/processes/")
    for number in range(50):
        process(number)
    many = _count_queries(client, "/processes/")
    assert few == many
    assert _count_queries(client, "/processes/?page=2&waiting=2") == many

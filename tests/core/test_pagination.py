"""API lists page by page: ``next`` is exact without a total, ``count`` is exact up to a limit."""

from tests.factories.tenders import make_tender


def _ids(body: dict) -> list[int]:
    return [row["id"] for row in body["results"]]


def test_a_client_reads_every_process_of_its_city_by_following_next(demo, api_as, settings):
    settings.API_COUNT_LIMIT = 3
    logrono = demo.city("logrono")
    made = {make_tender(city=logrono, title=f"Need {n}").pk for n in range(5)}
    api = api_as("officer.logrono")

    first = api.get("/api/v1/tenders/?city=logrono&page_size=2").json()
    # More rows than the limit: no count, but a next page to follow.
    assert first["count"] is None and first["previous"] is None and first["next"]
    seen, page = _ids(first), first
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += _ids(page)
    assert set(seen) >= made and len(seen) == len(set(seen))
    assert page["previous"]  # the last page links back


def test_count_is_exact_when_few_rows_match(demo, api_as, settings):
    settings.API_COUNT_LIMIT = 3
    terrassa = demo.city("terrassa")
    for n in range(2):
        make_tender(city=terrassa, title=f"Need {n}")
    body = api_as("officer.terrassa").get("/api/v1/tenders/?city=terrassa").json()
    assert body["count"] == len(body["results"]) and body["next"] is None


def test_a_page_past_the_last_is_a_404_with_a_message(demo, api_as):
    make_tender(city=demo.city("logrono"))
    response = api_as("officer.logrono").get("/api/v1/tenders/?city=logrono&page=50")
    assert response.status_code == 404 and "page" in response.json()["detail"]


def test_the_count_follows_new_processes_and_is_the_users_own(demo, api_as):
    from workflows.services import transition_perform

    logrono = demo.city("logrono")
    officer_user = demo.user("officer.logrono")
    for n in range(2):
        need = make_tender(city=logrono, title=f"Published {n}")
        need = transition_perform(process=need, name="validate_need", actor=officer_user)
        transition_perform(process=need, name="publish_demand_map", actor=officer_user)
        make_tender(city=logrono, title=f"Draft {n}")
    officer = api_as("officer.logrono")
    url = "/api/v1/tenders/?city=logrono&page_size=1"
    before = officer.get(url).json()["count"]
    assert before == 4
    assert officer.get(url + "&page=2").json()["count"] == before  # same filters, any page
    make_tender(city=logrono, title="One more")  # recorded through the service: audited
    assert officer.get(url).json()["count"] == before + 1
    # Another user with the same filters gets their own count: Terrassa's officer sees only
    # Logroño's published needs.
    assert api_as("officer.terrassa").get(url).json()["count"] == 2

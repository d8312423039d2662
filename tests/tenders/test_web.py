"""The process pages: dashboard, diagram, actions allowed and blocked, refusals that lose nothing."""

import re

from tests.factories.tenders import make_tender


def test_officer_records_a_need_through_the_form(demo, login):
    client = login("officer.logrono")
    response = client.post(
        "/processes/new/",
        {
            "title": "Bancos inteligentes",
            "procedure": "cpti_open",
            "estimated_value": "50000",
            "description": "Necesitamos mobiliario urbano que mida el uso del espacio público.",
            "cpv_codes": "34990000-3",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Bancos inteligentes" in page and "<svg" in page


def test_form_errors_keep_what_was_typed(demo, login):
    client = login("officer.logrono")
    response = client.post(
        "/processes/new/",
        {
            "title": "Bancos inteligentes",
            "procedure": "cpti_open",
            "estimated_value": "-3",
            "description": "Una descripción que se conserva.",
            "cpv_codes": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page
    assert "Una descripción que se conserva." in page and 'value="Bancos inteligentes"' in page


def test_process_page_shows_diagram_actions_blocked_reasons_and_history(demo, login):
    tender = make_tender(city=demo.city("logrono"), state="file_drafted")
    page = login("officer.logrono").get(f"/processes/{tender.pk}/").content.decode()
    assert 'class="state current"' in page
    assert re.search(r'aria-label="[^"]*File \(expediente\) drafted', page)
    blocked = page[page.index('data-testid="blocked"') :]
    assert "Approve the file" in blocked and "DA 3ª.8" in blocked
    assert 'data-testid="history"' in page


def test_a_refused_action_shows_its_reasons_and_keeps_the_typed_reason(demo, login):
    tender = make_tender(city=demo.city("logrono"), state="need_validated")
    client = login("officer.logrono")
    response = client.post(
        f"/processes/{tender.pk}/transitions/skip_consultation/", {"reason": "too short"}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "36 sexies" in page and "too short" in page


def test_firing_from_the_page_moves_the_process(demo, login):
    tender = make_tender(city=demo.city("logrono"))
    client = login("officer.logrono")
    response = client.post(f"/processes/{tender.pk}/transitions/validate_need/", {"reason": ""})
    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == "need_validated"


def test_other_cities_get_404_on_the_web_too(demo, login):
    tender = make_tender(city=demo.city("logrono"))
    client = login("officer.terrassa")
    assert client.get(f"/processes/{tender.pk}/").status_code == 404
    assert client.post(f"/processes/{tender.pk}/transitions/validate_need/").status_code == 404
    tender.refresh_from_db()
    assert tender.status == "need_draft"


def test_dashboard_lists_by_stage_and_what_waits_on_the_user(demo, login):
    make_tender(city=demo.city("logrono"), title="Needs validating")
    make_tender(city=demo.city("terrassa"), title="Terrassa only")
    page = login("officer.logrono").get("/processes/").content.decode()
    waiting = page[page.index('data-testid="waiting"') :]
    assert "Needs validating" in waiting and "Validate the need" in waiting
    assert "Terrassa only" not in page


def test_demo_seed_puts_processes_of_each_procedure_in_several_states(demo):
    from tenders import demo as tenders_demo
    from tenders.models import Tender

    tenders_demo.seed()
    tenders_demo.seed()
    states = set(Tender.objects.values_list("procedure", "status"))
    assert {p for p, _s in states} == {"cpti_open", "pcp", "innovation_partnership"}
    assert ("cpti_open", "consultation_open") in states
    assert ("innovation_partnership", "rd_phase") in states
    assert ("pcp", "phase2_prototype") in states
    assert len(states) >= 6
    assert Tender.objects.count() == 11


def test_every_demo_process_page_renders_for_its_officer_and_the_public(demo, login, client):
    from tenders import demo as tenders_demo
    from tenders.models import Tender

    tenders_demo.seed()
    for tender in Tender.objects.select_related("city"):
        officer = login(f"officer.{tender.city.slug}")
        page = officer.get(f"/processes/{tender.pk}/")
        assert page.status_code == 200, tender.status
        assert tender.title in page.content.decode()
    client.logout()
    for tender in Tender.objects.all():
        expected = 200 if tender.first_published_at else 404
        assert client.get(f"/processes/{tender.pk}/").status_code == expected
    assert login("officer.logrono").get("/processes/").status_code == 200


def test_specifications_are_frozen_once_the_file_is_approved(demo, login):
    tender = make_tender(
        city=demo.city("logrono"),
        state="file_approved",
        functional_specifications="Original specifications text.",
    )
    client = login("officer.logrono")
    response = client.post(
        f"/processes/{tender.pk}/edit/",
        {
            "title": tender.title,
            "description": tender.description,
            "estimated_value": "1",
            "cpv_codes": "72000000-5",
            "functional_specifications": "Changed after approval",
        },
    )
    assert response.status_code == 400 and "122.1" in response.content.decode()
    tender.refresh_from_db()
    assert tender.functional_specifications == "Original specifications text."

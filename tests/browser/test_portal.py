"""An anonymous visitor reads the public portal in a real browser: from a city's early demand map
to a published consultation report."""

import datetime as dt

import pytest

from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

pytestmark = pytest.mark.browser


@pytest.fixture
def published_report(live_demo):
    """The demo processes, with the open consultation closed and its report published."""
    from tenders import demo as tenders_demo
    from tenders.consultation.services import consultation_report_save, question_summary_save
    from tenders.models import Consultation

    tenders_demo.seed()
    consultation = Consultation.objects.select_related("tender").get(
        tender__status="consultation_open"
    )
    officer = consultation.tender.city.memberships.get(role="officer").user
    after = consultation.closes_at + dt.timedelta(minutes=1)
    fire_due_events(models=MACHINES, now=after)
    consultation.tender.refresh_from_db()
    tender = transition_perform(
        process=consultation.tender, name="draft_report", actor=officer, now=after
    )
    consultation_report_save(
        actor=officer, tender=tender, report="Las respuestas llevaron a pedir sensores calibrables."
    )
    for question in consultation.questions.all():
        question_summary_save(
            actor=officer, question=question, text=f"Resumen público {question.order}."
        )
    transition_perform(process=tender, name="publish_report", actor=officer, now=after)
    return consultation


def test_a_visitor_goes_from_a_citys_demand_map_to_a_published_consultation_report(
    live_server, published_report, page
):
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server.url}/portal/")
    assert page.get_by_role("link", name="Log in").is_visible()  # nobody is logged in
    page.get_by_test_id("cities").get_by_role("link", name="Logroño").click()
    demand_map = page.get_by_test_id("demand-map")
    assert "Early demand map" in demand_map.inner_text()
    demand_map.get_by_role(
        "link", name="Red de sensores de calidad del aire en tiempo real"
    ).click()
    assert "Consultation report published" in page.get_by_test_id("status").inner_text()
    page.get_by_role("link", name="Read the consultation report").click()
    report = page.get_by_test_id("consultation-report")
    text = report.inner_text()
    assert "Resumen público 1." in text and "sensores calibrables" in text
    assert "Acme Smart Solutions S.L." in report.get_by_test_id("entities").inner_text()
    assert "aprendizaje automático" not in page.content()
    # Readable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

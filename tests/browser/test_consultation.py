"""A supplier finds a consultation and submits a response; an officer opens the consultation and
reads that response — in a real browser."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import browser_login, submit
from tests.factories.tenders import make_tender
from workflows.registry import MACHINES
from workflows.services import fire_due_events

pytestmark = pytest.mark.browser


def _local_input(moment) -> str:
    return timezone.localtime(moment, timezone.get_fixed_timezone(60)).strftime("%Y-%m-%dT%H:%M")


def test_officer_opens_a_consultation_and_reads_a_suppliers_response(
    live_server, live_demo, browser
):
    from procurement.accounts.models import City

    logrono = City.objects.get(slug="logrono")
    tender = make_tender(
        city=logrono,
        state="consultation_draft",
        title="Aparcamiento inteligente",
        cpv_codes=["48000000-8"],
    )
    officer = browser.new_context(locale="en-GB")
    officer.set_default_timeout(15_000)
    page = officer.new_page()

    # The officer drafts the consultation, writes a question and publishes it.
    browser_login(page, live_server, "officer.logrono")
    page.goto(f"{live_server.url}/processes/{tender.pk}/consultation/")
    page.fill("#id_subject", "Consulta: sensores de plazas libres")
    now = timezone.now()
    page.fill(
        "#id_opens_at", timezone.localtime(now - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    )
    page.fill(
        "#id_closes_at", timezone.localtime(now + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    )
    submit(page, "main form button[type=submit]")
    page.goto(f"{live_server.url}/processes/{tender.pk}/consultation/questions/")
    page.fill("#id_text", "¿Cómo detecta su sistema una plaza libre?")
    submit(page, "main form.form button[type=submit]")
    assert "plaza libre" in page.locator("[data-testid=questions]").inner_text()
    page.goto(f"{live_server.url}/processes/{tender.pk}/")
    submit(page, "form[data-action=publish_consultation] button[type=submit]")
    assert "Consultation announced" in page.locator("[data-testid=status]").inner_text()
    fire_due_events(models=MACHINES)  # the beat opens it at its opening time

    # The supplier finds it among the open consultations, answers and submits.
    supplier = browser.new_context(locale="en-GB")
    supplier.set_default_timeout(15_000)
    spage = supplier.new_page()
    browser_login(spage, live_server, "supplier.acme")
    spage.goto(f"{live_server.url}/consultations/?cpv=48000000-8")
    spage.click("text=Consulta: sensores de plazas libres")
    spage.click("text=Answer this consultation")
    spage.locator("main textarea").first.fill("Cámaras con visión artificial en farolas.")
    submit(spage, "button[value=submit]")
    assert spage.locator("[data-testid=response-status]").inner_text() == "submitted"
    spage.goto(f"{live_server.url}/consultations/mine/")
    assert "Consulta: sensores de plazas libres" in spage.locator("main").inner_text()

    # The officer reads it.
    page.goto(f"{live_server.url}/processes/{tender.pk}/")
    page.click("main >> text=Responses")
    page.click("[data-testid=responses] >> text=Acme Smart Solutions S.L.")
    assert (
        "Cámaras con visión artificial en farolas."
        in page.locator("[data-testid=answers]").inner_text()
    )
    page.screenshot(path="/tmp/consultation-review.png", full_page=True)
    officer.close()
    supplier.close()

"""A supplier's sealed bid, the committee's scoring and the award, in a real browser."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from tenders.award.deuc import deuc_example
from tests.browser.conftest import browser_login, submit
from tests.factories.tenders import make_tender
from tests.factories.walks import walk_to
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

pytestmark = pytest.mark.browser


def _context(browser):
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _act(page, live_server, tender, action):
    page.goto(f"{live_server.url}/processes/{tender.pk}/")
    # Wait for the form's answer page: counting messages before it arrives would see none.
    submit(page, f"form[data-action={action}] button[type=submit]")
    expect(page.locator(".messages")).to_have_count(1)


PROPOSAL = b"%PDF-1.4\n% Solar benches: technical proposal\n%%EOF\n"


def _fill_deuc(page):
    page.fill("#deuc_name", "Acme Smart Solutions S.L.")
    page.fill("#deuc_tax_id", "B26123456")
    page.fill("#deuc_representative", "Ana Pérez")
    page.fill("#deuc_representative_capacity", "Administradora única")
    page.select_option("#deuc_solvency_means", "solvency")
    page.fill("#deuc_economic_solvency", "Turnover above the PCAP's minimum.")
    page.fill("#deuc_technical_solvency", "Three similar contracts in three years.")
    page.check("#deuc_no_prohibition")
    page.fill("#deuc_notification_email", "ofertas@acme.example")
    page.check("#deuc_sme_yes")


def test_a_bid_is_scored_by_the_committee_and_awarded(live_server, live_demo, browser):
    from procurement.accounts.models import City, User
    from tenders.award.services.bids import bid_save, bid_submit, criterion_save, lot_save
    from tenders.models import Award, Tender

    officer = User.objects.get(username="officer.logrono")
    tender = make_tender(
        city=City.objects.get(slug="logrono"),
        state="procedure_chosen",
        value=Decimal("90000"),
        title="Bancos solares con sensores",
        functional_specifications="Benches that charge phones.",
    )
    lot_save(actor=officer, tender=tender, title="Benches", value=Decimal("90000"))
    quality = criterion_save(
        actor=officer, tender=tender, name="Quality", kind="value_judgement", weight=60
    )
    price = criterion_save(
        actor=officer,
        tender=tender,
        name="Price",
        kind="formula",
        weight=40,
        formula="proportional_lowest",
        is_price=True,
    )
    tender = walk_to(tender, "file_approved")
    now = timezone.now()
    transition_perform(
        process=tender,
        name="publish_tender",
        actor=officer,
        data={"submission_deadline": now + dt.timedelta(days=20)},
    )

    # The supplier prepares its bid with its DEUC and a technical proposal as a PDF, checks
    # the summary of what will be sealed, confirms, and downloads the receipt with the hashes.
    supplier_ctx, spage = _context(browser)
    browser_login(spage, live_server, "supplier.acme")
    spage.goto(f"{live_server.url}/processes/{tender.pk}/tender/")
    spage.click("text=Prepare your bid")
    _fill_deuc(spage)
    spage.fill(f"#b_{quality.pk}", "Solar benches with USB chargers and footfall sensors.")
    spage.fill(f"#c_{price.pk}", "80.000,00")
    submit(spage, "button[value=save]")
    spage.select_option("#envelope", "b")
    spage.set_input_files(
        "#file", files=[{"name": "memoria.pdf", "mimeType": "application/pdf", "buffer": PROPOSAL}]
    )
    submit(spage, "[data-testid=bid-file-form] button[type=submit]")
    submit(spage, "button[value=review]")
    summary = spage.locator("[data-testid=summary]").inner_text()
    assert "memoria.pdf" in summary and hashlib.sha256(PROPOSAL).hexdigest() in summary
    assert "€80,000.00" in summary  # typed 80.000,00; shown in the page's language (en-GB)
    spage.check("#confirm")
    submit(spage, "[data-testid=confirm-submit]")
    assert spage.locator("[data-testid=bid-status]").inner_text() == "submitted"
    assert len(spage.locator(".receipt code").first.inner_text()) == 64
    with spage.expect_download() as download:
        spage.click("[data-testid=receipt-link]")
    receipt = PdfReader(download.value.path())
    text = "".join(page.extract_text() for page in receipt.pages).replace("\n", "")
    assert hashlib.sha256(PROPOSAL).hexdigest() in text.replace(" ", "")
    nova = User.objects.get(username="supplier.nova")
    bid = bid_save(
        actor=nova,
        tender=tender,
        lot=tender.lots.get(),
        a={
            "declaration": True,
            "deuc": deuc_example(name="Nova", tax_id="B26000009", email="nova@example.org"),
        },
        b={str(quality.pk): "Benches from recycled plastic."},
        c={str(price.pk): "85000"},
    )
    bid_submit(actor=nova, bid=bid)

    # The deadline passes (the test moves it rather than wait 20 days).
    Tender.objects.filter(pk=tender.pk).update(
        submission_deadline=now - dt.timedelta(minutes=1), next_check=now - dt.timedelta(minutes=1)
    )
    fire_due_events(models=MACHINES)

    committee_ctx, cpage = _context(browser)
    browser_login(cpage, live_server, "committee.logrono")
    cpage.goto(f"{live_server.url}/processes/{tender.pk}/evaluation/")
    admission_forms = cpage.locator("form.inline-form").count()
    assert admission_forms == 2
    for index in range(admission_forms):
        cpage.goto(f"{live_server.url}/processes/{tender.pk}/evaluation/")
        with cpage.expect_navigation():
            cpage.locator("form.inline-form").nth(index).locator("button[type=submit]").click()
    _act(cpage, live_server, tender, "check_admin")
    _act(cpage, live_server, tender, "open_envelope_b")
    cpage.goto(f"{live_server.url}/processes/{tender.pk}/evaluation/")
    assert "Solar benches with USB chargers" in cpage.locator("main").inner_text()
    for slug, points in (("acme", "55"), ("nova", "40")):
        sheet = cpage.locator(f"[data-testid=sheet-{slug}]")
        sheet.locator("input[name^=points_]").fill(points)
        sheet.locator("textarea[name^=why_]").fill("Scored against the PCAP's quality scale.")
        with cpage.expect_navigation():
            sheet.locator("button[type=submit]").click()
    for action in ("sign_value_report", "open_envelope_c", "rank", "propose_award"):
        _act(cpage, live_server, tender, action)
    cpage.goto(f"{live_server.url}/processes/{tender.pk}/evaluation/")
    ranking = cpage.locator("[data-testid=ranking]").inner_text()
    assert ranking.index("Acme") < ranking.index("Nova")

    officer_ctx, opage = _context(browser)
    browser_login(opage, live_server, "officer.logrono")
    _act(opage, live_server, tender, "request_documents")
    # The best-ranked bidder delivers its documents on its bid page (LCSP art. 150.2).
    spage.goto(f"{live_server.url}/processes/{tender.pk}/bid/")
    spage.set_input_files(
        "#award_file",
        files=[{"name": "aeat.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 AEAT"}],
    )
    submit(spage, "[data-testid=award-documents-form] button[type=submit]")
    assert "aeat.pdf" in spage.locator("[data-testid=bid-files]").inner_text()
    for action in ("receive_documents", "award"):
        _act(opage, live_server, tender, action)
    opage.goto(f"{live_server.url}/processes/{tender.pk}/tender/")
    assert (
        "Acme Smart Solutions S.L. — awarded" in opage.locator("[data-testid=awards]").inner_text()
    )
    award = Award.objects.get(tender=tender, status="awarded")
    assert award.total_points == Decimal("95.00")  # 55 quality + 40 × 80,000 / 80,000
    opage.screenshot(path="/tmp/award.png", full_page=True)
    for context in (supplier_ctx, committee_ctx, officer_ctx):
        context.close()

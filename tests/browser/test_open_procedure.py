"""A complete CPTI open procedure above the SARA threshold, in a real browser: from a new need to
a signed contract, every act a person does typed and clicked in the pages as that person.

The same story and figures as the API-only run (``tests/e2e/test_open_procedure_api.py``): the
pliegos generated and uploaded, approved by the legal team and published with the notice; a
significant correction that extends the deadline; two suppliers bidding with their DEUC and
files, one first refused for a price above the lot's budget; evaluation, award and the
standstill; the losing bidder's appeal, which suspends the process, and the tribunal's
dismissal recorded by the officer; the contract signed; the portal and the OCDS record show the
pliegos, the correction and the award.

The acts up to the bids happen at real time, so the deadlines are typed relative to now, in the
same order and spacing as the API run's days. Then the live server's clock moves on
(``time_machine``, ticking) to the minute after the extended deadline, where the scheduler
closes the bids as beat would (``fire_due_events``) and the evaluation, award and appeal
follow; and once more to the day after the standstill for the signature. Outside the browser
the test only seeds the network's template library (as ``make run`` does), fires the scheduler
and reads the database to assert.
"""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from publication.ocds.builder import tender_ocid
from tenders.procedures import TRANSITION_BY_NAME
from tests.browser.conftest import TIMEOUT_MS, browser_login, submit
from tests.e2e.conftest import AWARD_VALUE, LOT_VALUE, VALUE, pdf
from workflows.calendars import WorkingCalendar
from workflows.registry import MACHINES
from workflows.services import fire_due_events

pytestmark = pytest.mark.browser

TITLE = "Red de sensores de calidad del aire"
CORRECTION = "Sensors every 150 m instead of 200 m."
GROUNDS = "The technical scores ignore our pilot in Terrassa."
RESOLUTION = "Resolución 210/2026 del tribunal: desestimado."


@pytest.fixture
def people(browser, live_server):
    """``people(username)``: a browser of its own for one person, logged in (``None``: an
    anonymous visitor); every one is closed at the end."""
    contexts = []

    def open_as(username: str | None):
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        if username:
            browser_login(page, live_server, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _local(moment: dt.datetime, zone) -> str:
    """``moment`` as a person types it in a ``datetime-local`` input: the city's wall clock."""
    return timezone.localtime(moment, zone).strftime("%Y-%m-%dT%H:%M")


def _process(page, live_server, pk: int) -> None:
    page.goto(f"{live_server.url}/processes/{pk}/")


def _fill_action(page, action: str, reason: str = "", **fields: str) -> None:
    for name, value in fields.items():
        field = page.locator(f"#{action}-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    if reason:
        page.fill(f"#{action}-reason", reason)
    submit(page, f"form[data-action={action}] button[type=submit]")


def _act(page, live_server, pk: int, action: str, reason: str = "", **fields: str) -> None:
    """Take a step of the process from its page, as the person logged in on ``page``."""
    _process(page, live_server, pk)
    _fill_action(page, action, reason, **fields)
    expect(page.locator(".messages")).to_contain_text("Done:")


def _refused(page, live_server, pk: int, action: str, **fields: str) -> str:
    """Try a step the rules do not allow yet; the page tells why, citing the law."""
    _process(page, live_server, pk)
    _fill_action(page, action, **fields)
    refusal = page.locator("[data-testid=refusal]")
    expect(refusal).to_be_visible()
    return refusal.inner_text()


def _blocked(page, live_server, pk: int) -> str:
    """What the process page lists under "Not possible yet", with each step's reasons."""
    _process(page, live_server, pk)
    return page.locator("[data-testid=blocked]").inner_text()


def _status(pk: int) -> str:
    from tenders.models import Tender

    return Tender.objects.get(pk=pk).status


def _message(page) -> str:
    return page.locator(".messages").inner_text()


def _pdf_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf(text)}


def _bid(spage, live_server, pk: int, *, name: str, tax_id: str, proposal: bytes, price: str):
    """A supplier prepares its bid on the tender's page: DEUC, envelope B, a file, the price;
    checks the summary of what will be sealed, confirms, and downloads the receipt."""
    from tenders.models import Criterion

    quality = Criterion.objects.get(tender_id=pk, kind="value_judgement")
    price_criterion = Criterion.objects.get(tender_id=pk, is_price=True)
    spage.goto(f"{live_server.url}/processes/{pk}/tender/")
    with spage.expect_navigation():
        spage.click("text=Prepare your bid")
    spage.check("#declaration")
    spage.fill("#deuc_name", name)
    spage.fill("#deuc_tax_id", tax_id)
    spage.fill("#deuc_representative", "Ana Pérez")
    spage.fill("#deuc_representative_capacity", "Administradora única")
    spage.select_option("#deuc_solvency_means", "solvency")
    spage.fill("#deuc_economic_solvency", "Turnover above the PCAP's minimum.")
    spage.fill("#deuc_technical_solvency", "Three similar sensor networks in three years.")
    spage.check("#deuc_no_prohibition")
    spage.fill("#deuc_notification_email", f"bids@{tax_id.lower()}.example")
    spage.check("#deuc_sme_yes")
    spage.fill(f"#b_{quality.pk}", f"Technical proposal of {name}.")
    spage.fill(f"#c_{price_criterion.pk}", price)
    submit(spage, "button[value=save]")
    expect(spage.locator(".messages")).to_contain_text("Draft saved")
    spage.select_option("#envelope", "b")
    spage.set_input_files(
        "#file", files=[{"name": "memoria.pdf", "mimeType": "application/pdf", "buffer": proposal}]
    )
    submit(spage, "[data-testid=bid-file-form] button[type=submit]")
    expect(spage.locator(".messages")).to_contain_text("File sealed")
    submit(spage, "button[value=review]")
    summary = spage.locator("[data-testid=summary]").inner_text()
    assert "memoria.pdf" in summary and hashlib.sha256(proposal).hexdigest() in summary
    spage.check("#confirm")
    submit(spage, "[data-testid=confirm-submit]")
    expect(spage.locator("[data-testid=bid-status]")).to_have_text("submitted")
    with spage.expect_download() as download:
        spage.click("[data-testid=receipt-link]")
    receipt = PdfReader(download.value.path())
    text = "".join(p.extract_text() for p in receipt.pages).replace("\n", "").replace(" ", "")
    assert hashlib.sha256(proposal).hexdigest() in text


def test_an_open_procedure_above_sara_runs_from_need_to_signed_contract_in_the_browser(
    live_server, live_demo, people
):
    from documents import demo as documents_demo
    from documents.models import Pliego
    from procurement.accounts.models import City, User
    from tenders.models import Award, Bid, Tender

    # The network's template library, approved for Logroño, as `make run` seeds it.
    documents_demo.seed()
    zone = City.objects.get(slug="logrono").zone
    started = timezone.now()

    # --- the officer records the need and its specifications (LCSP arts. 28, 126.5.a) ---------
    officer = people("officer.logrono")
    officer.goto(f"{live_server.url}/processes/new/")
    officer.fill("#id_title", TITLE)
    officer.fill("#id_description", "Cut NO2 exposure near schools by 30 percent.")
    officer.select_option("#id_procedure", "cpti_open")
    officer.fill("#id_estimated_value", "300.000,00")
    officer.fill("#id_cpv_codes", "38432000-2")
    submit(officer, "main form button[type=submit]")
    expect(officer.locator(".messages")).to_contain_text("The need was recorded.")
    tender = Tender.objects.get(title=TITLE)
    pk = tender.pk
    assert tender.estimated_value == VALUE
    _act(officer, live_server, pk, "validate_need")
    _act(
        officer,
        live_server,
        pk,
        "skip_consultation",
        reason="The market was consulted last year for the same need (report 2025/114).",
    )
    _act(officer, live_server, pk, "draft_specs")
    officer.click("text=Edit the need and specifications")
    officer.fill("#id_functional_specifications", "Sensors every 200 m; open data every minute.")
    submit(officer, "main form button[type=submit]")
    expect(officer.locator(".messages")).to_contain_text("Saved.")
    _act(officer, live_server, pk, "choose_procedure", procedure="cpti_open")

    # --- lots, criteria and the committee, on the tender's page (LCSP arts. 99, 145, 326) -----
    officer.goto(f"{live_server.url}/processes/{pk}/tender/")
    officer.fill("#lot-title", "Sensor network")
    officer.fill("#lot-value", "250.000,00")
    submit(officer, "form:has(#lot-title) button[type=submit]")
    expect(officer.locator(".messages")).to_contain_text("Saved.")
    for name, kind, weight, formula, is_price in (
        ("Technical quality", "value_judgement", "60", "", False),
        ("Price", "formula", "40", "proportional_lowest", True),
    ):
        officer.fill("#criterion-name", name)
        officer.select_option("#criterion-kind", kind)
        officer.fill("#criterion-weight", weight)
        officer.select_option("#criterion-formula", formula)
        if is_price:
            officer.check("input[name=is_price]")
        submit(officer, "form:has(#criterion-name) button[type=submit]")
        expect(officer.locator(".messages")).to_contain_text("Saved.")
    member = User.objects.get(username="committee.logrono")
    officer.select_option("#cm-user", str(member.pk))
    submit(officer, "form:has(#cm-user) button[type=submit]")
    expect(officer.locator(".messages")).to_contain_text("Saved.")
    assert "100" in officer.locator("main").inner_text()
    assert tender.lots.get().value == LOT_VALUE
    _act(officer, live_server, pk, "submit_file")

    # --- the legal team's reports on the file (LCSP art. 116.3, DA 3ª) -------------------------
    legal = people("legal.logrono")
    _act(legal, live_server, pk, "record_legal_report", reference="Informe jurídico 2026/31")
    _act(legal, live_server, pk, "record_credit_certificate", reference="RC 2026/0458")
    _act(legal, live_server, pk, "record_audit_report", reference="Fiscalización previa 2026/77")

    # --- the pliegos: the PCAP from the city's template, the PPT uploaded signed --------------
    _process(officer, live_server, pk)
    officer.select_option("#pliego-kind", "pcap")
    submit(officer, "#pliegos form button[type=submit]")
    expect(officer.locator(".messages")).to_contain_text("ready for the legal team's approval")
    officer.select_option("#pliego-kind", "ppt")
    officer.set_input_files("#pliego-file", files=[_pdf_file("ppt.pdf", "PPT v1")])
    submit(officer, "#pliegos form button[type=submit]")
    expect(officer.locator(".messages")).to_contain_text("ready for the legal team's approval")
    # The file cannot be approved while the pliegos are drafts: the page says why.
    blocked = _blocked(officer, live_server, pk)
    assert "Approve the file" in blocked and "LCSP arts. 116, 117, 122 and 124" in blocked
    # Approving them is the legal team's, not the officer's: the officer has no such button.
    expect(officer.locator("#pliegos button", has_text="Approve")).to_have_count(0)
    _process(legal, live_server, pk)
    for _pliego in range(2):
        submit(legal, "#pliegos form button:has-text('Approve')")
        expect(legal.locator(".messages")).to_contain_text("Approved")
    _act(officer, live_server, pk, "approve_file")
    pcap = Pliego.objects.get(tender_id=pk, kind="pcap")

    # --- the notice: 35 days without a reduction (LCSP art. 156.2) -----------------------------
    too_soon = _refused(
        officer,
        live_server,
        pk,
        "publish_tender",
        submission_deadline=_local(started + dt.timedelta(days=30), zone),
    )
    assert "156.2" in too_soon
    # Noon on the day after the period's last day (35 days, moved past a holiday such as 6
    # January by LCSP DA 12ª): a wall-clock time that exists on every day of the year.
    last_day = WorkingCalendar(tender.city).add_calendar_days(started, 35)
    deadline = dt.datetime.combine(
        timezone.localtime(last_day, zone).date() + dt.timedelta(days=1), dt.time(12), zone
    )
    _act(
        officer,
        live_server,
        pk,
        "publish_tender",
        submission_deadline=_local(deadline, zone),
        bid_period_reduction="none",
    )
    assert Tender.objects.get(pk=pk).submission_deadline == deadline

    # Suppliers read the published pliegos on the process page and download them.
    acme = people("supplier.acme")
    nova = people("supplier.nova")
    for spage in (acme, nova):
        _process(spage, live_server, pk)
        pliegos = spage.locator("[data-testid=pliegos]")
        expect(pliegos.locator("tbody tr")).to_have_count(2)
        with spage.expect_download() as download:
            pliegos.locator("a").nth(1).click()
        with open(download.value.path(), "rb") as downloaded:
            assert downloaded.read(4) == b"%PDF"

    # --- a significant correction of the PPT extends the deadline (LCSP art. 136.2) -----------
    new_deadline = deadline + dt.timedelta(days=10)
    ppt = Pliego.objects.get(tender_id=pk, kind="ppt", number=1)
    _process(officer, live_server, pk)
    correction = officer.locator(f"form:has(#changes-{ppt.pk})")
    correction.locator(f"#changes-{ppt.pk}").fill(CORRECTION)
    correction.locator("input[name=significant]").check()
    correction.locator(f"#deadline-{ppt.pk}").fill(_local(new_deadline, zone))
    correction.locator(f"#file-{ppt.pk}").set_input_files(_pdf_file("ppt-v2.pdf", "PPT v2"))
    submit(officer, f"form:has(#changes-{ppt.pk}) button[type=submit]")
    expect(officer.locator(".messages")).to_contain_text("The correction is published.")
    expect(officer.locator("[data-testid=pliego-amendment]")).to_contain_text(CORRECTION)
    assert Tender.objects.get(pk=pk).submission_deadline == new_deadline

    # --- two suppliers bid; a price above the lot's budget is refused (RGLCAP art. 84) --------
    from tenders.models import Criterion

    price = Criterion.objects.get(tender_id=pk, is_price=True)
    acme.goto(f"{live_server.url}/processes/{pk}/bid/")
    acme.fill("#deuc_name", "Acme Smart Solutions S.L.")
    acme.fill(f"#c_{price.pk}", "260.000,00")
    submit(acme, "button[value=save]")
    refusal = acme.locator("[data-testid=refusal]")
    expect(refusal).to_contain_text("RGLCAP art. 84")
    # What was typed is still there to correct.
    expect(acme.locator("#deuc_name")).to_have_value("Acme Smart Solutions S.L.")
    assert not Bid.objects.filter(tender_id=pk).exists()
    _bid(
        acme,
        live_server,
        pk,
        name="Acme Smart Solutions S.L.",
        tax_id="B26000001",
        proposal=pdf("acme"),
        price="230.000,00",
    )
    _bid(
        nova,
        live_server,
        pk,
        name="Nova Urban Tech S.L.",
        tax_id="B26000002",
        proposal=pdf("nova"),
        price="240.000,00",
    )
    assert Bid.objects.filter(tender_id=pk, status="submitted").count() == 2

    # --- the extended deadline passes: the scheduler closes the bids (LCSP art. 156) ----------
    # From here on the live server's clock runs from the minute after the deadline, as the
    # city's days do, and beat fires what falls due then; the sessions opened weeks before have
    # expired by that day, so everybody logs in again.
    with time_machine.travel(new_deadline + dt.timedelta(minutes=1), tick=True):
        fire_due_events(models=MACHINES)
        assert _status(pk) == "bids_closed"
        officer, acme, nova = (
            people(name) for name in ("officer.logrono", "supplier.acme", "supplier.nova")
        )

        # --- the committee evaluates (LCSP arts. 141, 146, 157) -----------------------------------
        committee = people("committee.logrono")
        for index in range(2):
            committee.goto(f"{live_server.url}/processes/{pk}/evaluation/")
            with committee.expect_navigation():
                committee.locator("form.inline-form").nth(index).locator("button").click()
        assert set(Bid.objects.filter(tender_id=pk).values_list("admission", flat=True)) == {
            "admitted"
        }
        _act(committee, live_server, pk, "check_admin")
        _act(committee, live_server, pk, "open_envelope_b")
        committee.goto(f"{live_server.url}/processes/{pk}/evaluation/")
        expect(committee.locator("main")).to_contain_text("Technical proposal of Acme")
        expect(committee.locator("[data-testid=files-acme]")).to_contain_text("memoria.pdf")
        for slug, points in (("acme", "55"), ("nova", "40")):
            sheet = committee.locator(f"[data-testid=sheet-{slug}]")
            sheet.locator("input[name^=points_]").fill(points)
            sheet.locator("textarea[name^=why_]").fill("Measured against the PPT's requirements.")
            with committee.expect_navigation():
                sheet.locator("button[type=submit]").click()
        for action in ("sign_value_report", "open_envelope_c", "rank", "propose_award"):
            _act(committee, live_server, pk, action)
        committee.goto(f"{live_server.url}/processes/{pk}/evaluation/")
        ranking = committee.locator("[data-testid=ranking]").inner_text()
        assert ranking.index("Acme") < ranking.index("Nova")

        # --- documents from the best-ranked bidder, then the award (LCSP arts. 150, 151) ----------
        _act(officer, live_server, pk, "request_documents")
        acme.goto(f"{live_server.url}/processes/{pk}/bid/")
        acme.set_input_files("#award_file", files=[_pdf_file("certificados.pdf", "Certificados")])
        submit(acme, "[data-testid=award-documents-form] button[type=submit]")
        expect(acme.locator("[data-testid=bid-files]")).to_contain_text("certificados.pdf")
        _act(officer, live_server, pk, "receive_documents")
        _act(officer, live_server, pk, "award")
        officer.goto(f"{live_server.url}/processes/{pk}/tender/")
        expect(officer.locator("[data-testid=awards]")).to_contain_text(
            "Acme Smart Solutions S.L. — awarded"
        )
        award = Award.objects.get(tender_id=pk)
        assert str(award.value) == AWARD_VALUE

        # --- the standstill starts as the award is notified (LCSP arts. 44.1 and 153.3) -----------
        fire_due_events(models=MACHINES)
        assert _status(pk) == "standstill"
        standstill_ends = Tender.objects.get(pk=pk).standstill_ends_at
        # Nobody signs during the standstill: the page offers no signature, and says when it ends.
        _process(officer, live_server, pk)
        expect(officer.locator("form[data-action=sign_contract]")).to_have_count(0)
        expect(officer.locator("main")).to_contain_text("End the standstill period")

        # --- the losing bidder reads the award in its inbox and appeals it (LCSP arts. 44, 50, 53)
        nova.goto(f"{live_server.url}/")
        with nova.expect_navigation():
            nova.get_by_test_id("nav-inbox").click()
        notice = nova.locator("[data-testid=inbox] a", has_text=f"Award resolution: {TITLE}")
        with nova.expect_navigation():
            notice.first.click()
        expect(nova.locator("[data-testid=accessed]")).not_to_have_text("—")
        _process(nova, live_server, pk)
        nova.locator("section:has(#appeal-heading) summary").click()
        nova.select_option("#appeal-act", "award")
        nova.fill("#appeal-grounds", GROUNDS)
        nova.set_input_files("#appeal-files", files=[_pdf_file("recurso.pdf", "Recurso especial")])
        submit(nova, "form[data-action=lodge-appeal] button[type=submit]")
        expect(nova.locator(".messages")).to_contain_text("Your special appeal is lodged.")
        expect(nova.locator("[data-testid=appeals]")).to_contain_text("suspends the procedure")
        # The appeal suspends the process by itself (LCSP art. 53): no officer pressed a button.
        _process(officer, live_server, pk)
        expect(officer.locator("[data-testid=status]")).to_have_text("Suspended by an appeal")
        expect(officer.locator("form[data-action=sign_contract]")).to_have_count(0)

        # --- the officer records the tribunal's resolution: dismissed (LCSP arts. 55 and 57) ------
        with officer.expect_navigation():
            officer.get_by_role("link", name="Special appeals").click()
        resolution = officer.locator("form[data-action^=resolve-]")
        resolution.locator("select[name=outcome]").select_option("dismissed")
        resolution.locator("textarea[name=text]").fill(RESOLUTION)
        resolution.locator("input[name=file]").set_input_files(
            _pdf_file("resolucion.pdf", "Resolución 210/2026")
        )
        submit(officer, "form[data-action^=resolve-] button[type=submit]")
        expect(officer.locator(".messages")).to_contain_text(
            "The tribunal's resolution is recorded."
        )
        assert _status(pk) == "awaiting_signature"
        nova.goto(f"{live_server.url}/processes/{pk}/appeals/")
        expect(nova.locator("[data-testid=appeals]")).to_contain_text(f"dismissed: {RESOLUTION}")
        # Dismissed, but the standstill still runs its 15 working days (LCSP art. 153.3).
        blocked = _blocked(officer, live_server, pk)
        assert "Sign the contract" in blocked and "153.3" in blocked

        # --- after the standstill the contract is signed (LCSP arts. 153 and 39.2.e) --------------
        # The clock moves on to the day after the standstill; the officer logs in again.
        with time_machine.travel(standstill_ends + dt.timedelta(days=1), tick=True):
            officer = people("officer.logrono")
            _act(officer, live_server, pk, "sign_contract")
        assert _status(pk) == "contract_signed"
        history = officer.locator("[data-testid=history] li")
        # The history reads the steps' labels, never their names in the code (#19).
        for step in ("publish_tender", "extend_deadline", "record_appeal", "dismiss_appeal"):
            label = str(TRANSITION_BY_NAME[step].label)
            expect(history.filter(has_text=label)).not_to_have_count(0)
            expect(officer.locator("[data-testid=history]")).not_to_contain_text(step)
        # The suspension was the system's, by law (LCSP art. 53), not an officer's button.
        appeal_label = str(TRANSITION_BY_NAME["record_appeal"].label)
        expect(history.filter(has_text=appeal_label).first).to_contain_text("system")

    # --- what the public reads: the portal and the OCDS record --------------------------------
    public = people(None)
    public.goto(f"{live_server.url}/portal/processes/{pk}/")
    expect(public.locator("h1")).to_have_text(TITLE)
    pliegos = public.locator("[data-testid=pliegos]")
    expect(pliegos).to_contain_text(pcap.sha256)
    expect(pliegos.locator("tbody tr")).to_have_count(3)  # the PCAP, the PPT and its correction
    expect(public.locator("[data-testid=pliego-amendment]")).to_contain_text(CORRECTION)
    expect(public.locator("section:has(#award-title)")).to_contain_text("Acme Smart Solutions")
    # The open data: the record's link on the portal page.
    href = public.locator("section:has(#open-data-title) a").first.get_attribute("href")
    assert href == f"/api/v1/ocds/records/{tender_ocid(pk)}/"
    record = public.request.get(f"{live_server.url}{href}")
    assert record.ok, record.text()
    compiled = record.json()["records"][0]["compiledRelease"]
    kinds = {d["documentType"] for d in compiled["tender"]["documents"]}
    assert {"biddingDocuments", "technicalSpecifications"} <= kinds
    amendment = compiled["tender"]["amendments"][0]
    assert amendment["description"] == CORRECTION and "136.2" in amendment["rationale"]
    assert compiled["awards"][0]["suppliers"][0]["name"].startswith("Acme")

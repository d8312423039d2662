"""A pre-commercial procurement (PCP) in a real browser, from the call to the final evaluation
(#16): the officer defines the call's phases and criteria, four suppliers apply themselves with
sealed offers, three are selected, the officer sets a phase contract's milestones, the phase-1
deliverables are uploaded (one late, which the city sees) and scored by the committee, two
suppliers are kept, the officer accepts and pays the milestones, and the prototype and the
field test run to the final evaluation.

Every act is typed and clicked in the pages by the person who does it; the process's steps are
taken from the process page's forms. Outside the browser the test only creates the process at
"procedure chosen" and walks it to an approved file (the reports and pliegos are other pages'
business, driven in ``test_open_procedure.py``), registers two more suppliers' representatives,
fires the scheduler when a deadline passes (as beat does, the clock moved on with
``time_machine``) and reads the database to assert. Each new page is checked with axe, also
after a refused form and after a flash message.
"""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import TIMEOUT_MS, browser_login, submit
from tests.factories.tenders import make_tender
from tests.factories.walks import walk_to
from workflows.registry import MACHINES
from workflows.services import fire_due_events

pytestmark = pytest.mark.browser

TITLE = "Sensor de aforo para autobuses urbanos"
PHASES = [
    ("Diseño de la solución", "Arquitectura y viabilidad técnica.", "60", "50.000,00", "4"),
    ("Prototipo", "Un prototipo en el laboratorio.", "120", "150.000,00", "2"),
    ("Prueba de campo", "Diez autobuses durante tres meses.", "180", "300.000,00", "2"),
]
CRITERIA = [("Viabilidad técnica", "60", "30"), ("Grado de innovación", "40", "15")]
PRICES = {
    "supplier.acme": ("45.000,00", "140.000,00", "290.000,00"),
    "supplier.nova": ("48.000,00", "150.000,00", "300.000,00"),
    "supplier.unirioja": ("30.000,00", "100.000,00", "250.000,00"),
    "supplier.lumen": ("50.000,00", "150.000,00", "300.000,00"),
}
JUSTIFICATION = "Entregables completos y medidos en el laboratorio."


@pytest.fixture
def people(browser, live_server):
    """``people(username)``: a browser of its own for one person, logged in."""
    contexts = []

    def open_as(username: str):
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        browser_login(page, live_server, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _local(moment: dt.datetime, zone) -> str:
    return timezone.localtime(moment, zone).strftime("%Y-%m-%dT%H:%M")


def _pdf(text: str) -> dict:
    return {
        "name": f"{text}.pdf",
        "mimeType": "application/pdf",
        "buffer": f"%PDF-1.4\n% {text}\n%%EOF\n".encode(),
    }


def _process(page, live_server, pk: int) -> None:
    page.goto(f"{live_server.url}/processes/{pk}/")


def _act(page, live_server, pk: int, action: str, checks=(), **fields: str) -> None:
    """Take a step from the process page: tick the suppliers in ``checks``, fill ``fields``."""
    _process(page, live_server, pk)
    form = page.locator(f"form[data-action={action}]")
    for value in checks:
        form.locator(f"input[type=checkbox][value='{value}']").check()
    for name, value in fields.items():
        page.fill(f"#{action}-{name}", value)
    submit(page, f"form[data-action={action}] button[type=submit]")
    refusal = page.locator("[data-testid=refusal]")
    assert not refusal.count(), f"{action} refused: {refusal.inner_text()}"
    expect(page.locator(".messages")).to_contain_text("Done:")


def _phases_page(page, live_server, pk: int) -> None:
    """The phases page, reached from the process page's link."""
    _process(page, live_server, pk)
    with page.expect_navigation():
        page.get_by_test_id("phases-link").click()


def _contract_page(page, live_server, pk: int, phase: int, supplier_id: int) -> None:
    _phases_page(page, live_server, pk)
    with page.expect_navigation():
        page.locator(f"[data-testid=contract-{phase}-{supplier_id}] a").click()


def _apply(page, live_server, pk: int, username: str, *, refuse_first: bool = False) -> None:
    """The supplier writes its offer, adds a file, checks the summary and submits it sealed."""
    _phases_page(page, live_server, pk)
    with page.expect_navigation():
        page.get_by_test_id("apply").click()
    plan = f"Plan de I+D de {username}: sensores, algoritmos y piloto."
    page.fill("#offer-rd_plan", plan)
    page.fill("#offer-team", "Dos doctores en visión artificial y un ingeniero de campo.")
    for number, price in enumerate(PRICES[username], start=1):
        page.fill(f"#offer-price_{number}", price)
    if refuse_first:
        # Above the most the call pays a supplier for phase 1: refused, everything kept.
        page.fill("#offer-price_1", "60.000,00")
        submit(page, "[data-testid=offer-form] button[value=save]")
        expect(page.locator("#offer-price_1_error")).to_contain_text("COM(2007) 799")
        expect(page.locator("#offer-rd_plan")).to_have_value(plan)
        expect(page.locator("#offer-price_1")).to_have_value("60.000,00")
        assert_accessible(page)
        page.fill("#offer-price_1", PRICES[username][0])
    submit(page, "[data-testid=offer-form] button[value=save]")
    expect(page.locator(".messages")).to_contain_text("Draft saved")
    if refuse_first:
        assert_accessible(page)
    slug = username.split(".")[1]
    page.set_input_files("#offer-file", files=[_pdf(f"memoria-{slug}")])
    submit(page, "[data-testid=offer-file-form] button[type=submit]")
    expect(page.locator("[data-testid=offer-files]")).to_contain_text(f"memoria-{slug}.pdf")
    submit(page, "[data-testid=offer-form] button[value=review]")
    expect(page.locator("[data-testid=summary]")).to_contain_text(plan)
    if refuse_first:
        assert_accessible(page)
        # Not ticked: nothing is submitted, the page says why.
        submit(page, "[data-testid=confirm-submit]")
        expect(page.locator("[data-testid=refusal]")).to_contain_text("Tick the confirmation")
        assert_accessible(page)
    page.check("#confirm")
    submit(page, "[data-testid=confirm-submit]")
    expect(page.get_by_test_id("offer-status")).to_have_text("submitted")


def _score(page, live_server, pk: int, phase: int, supplier_id: int, points: tuple) -> None:
    _contract_page(page, live_server, pk, phase, supplier_id)
    sheet = page.get_by_test_id("score-sheet")
    for index, value in enumerate(points):
        sheet.locator("input[name^=points_]").nth(index).fill(value)
        sheet.locator("textarea[name^=why_]").nth(index).fill(JUSTIFICATION)
    submit(page, "[data-testid=score-sheet] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Scores saved.")


def test_a_pcp_runs_from_the_call_to_the_final_evaluation_in_the_browser(
    live_server, live_demo, people
):
    from procurement.accounts.models import City, Membership, Supplier, User
    from procurement.accounts.services import membership_grant, supplier_create
    from tenders.models import PaymentMilestone, PhaseContract, PhaseOffer, Tender
    from tests.conftest import DEMO_PASSWORD

    # Two more suppliers' representatives: the university and a start-up registered anew.
    for supplier, username in (
        (Supplier.objects.get(slug="unirioja"), "supplier.unirioja"),
        (
            supplier_create(
                name="Lumen Datos S.L.",
                slug="lumen",
                kind=Supplier.Kind.STARTUP,
                tax_id="B26999995",
            ),
            "supplier.lumen",
        ),
    ):
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
        membership_grant(user=user, organisation=supplier, role=Membership.Role.REPRESENTATIVE)
    ids = {
        username: Membership.objects.get(user__username=username).supplier_id for username in PRICES
    }
    logrono = City.objects.get(slug="logrono")
    zone = logrono.zone
    tender = make_tender(city=logrono, procedure="pcp", state="procedure_chosen", title=TITLE)
    pk = tender.pk

    # --- 1. the officer defines the call's phases and their criteria ---------------------------
    officer = people("officer.logrono")
    _phases_page(officer, live_server, pk)
    assert_accessible(officer)
    for name, objectives, days, budget, suppliers in PHASES:
        officer.fill("#phase-name", name)
        officer.fill("#phase-objectives", objectives)
        officer.fill("#phase-duration_days", days)
        officer.fill("#phase-max_budget_per_supplier", budget)
        officer.fill("#phase-max_suppliers", suppliers)
        submit(officer, "[data-testid=phase-form] button[type=submit]")
        expect(officer.locator(".messages")).to_contain_text("Saved.")
    assert_accessible(officer)
    phases = list(tender.phases.order_by("number"))
    assert [p.name for p in phases] == [p[0] for p in PHASES]
    # A threshold above the weight is refused beside its field, with what was typed kept.
    form = officer.get_by_test_id("criterion-form-1")
    form.locator("input[name=name]").fill("Umbral imposible")
    form.locator("input[name=weight]").fill("10")
    form.locator("input[name=threshold]").fill("11")
    submit(officer, "[data-testid=criterion-form-1] button[type=submit]")
    expect(officer.locator(f"#criterion-{phases[0].pk}-threshold_error")).to_contain_text(
        "cannot exceed"
    )
    expect(officer.locator(f"#criterion-{phases[0].pk}-name")).to_have_value("Umbral imposible")
    assert_accessible(officer)
    for phase in phases:
        for name, weight, threshold in CRITERIA:
            form = officer.get_by_test_id(f"criterion-form-{phase.number}")
            form.locator("input[name=name]").fill(name)
            form.locator("input[name=weight]").fill(weight)
            form.locator("input[name=threshold]").fill(threshold)
            submit(officer, f"[data-testid=criterion-form-{phase.number}] button[type=submit]")
            expect(officer.locator(".messages")).to_contain_text("Saved.")
    assert [p.criteria.count() for p in phases] == [2, 2, 2]

    # --- the file is approved, then the officer publishes the call from the process page -------
    walk_to(Tender.objects.get(pk=pk), "file_approved")
    deadline = dt.datetime.combine(
        timezone.localtime(timezone.now(), zone).date() + dt.timedelta(days=45), dt.time(12), zone
    )
    _act(officer, live_server, pk, "publish_call", submission_deadline=_local(deadline, zone))
    # The phases are part of the published call now: no form to change them.
    _phases_page(officer, live_server, pk)
    expect(officer.get_by_test_id("phase-form")).to_have_count(0)

    # --- 2. four suppliers apply themselves with sealed offers ---------------------------------
    for index, username in enumerate(PRICES):
        _apply(people(username), live_server, pk, username, refuse_first=index == 0)
    # Lumen withdraws its offer and submits it again.
    lumen = people("supplier.lumen")
    lumen.goto(f"{live_server.url}/processes/{pk}/phases/offer/")
    submit(lumen, "button[value=withdraw]")
    expect(lumen.get_by_test_id("offer-status")).to_have_text("withdrawn")
    submit(lumen, "[data-testid=offer-form] button[value=review]")
    lumen.check("#confirm")
    submit(lumen, "[data-testid=confirm-submit]")
    expect(lumen.get_by_test_id("offer-status")).to_have_text("submitted")
    assert PhaseOffer.objects.filter(tender_id=pk, status="submitted").count() == 4
    # Sealed until the call closes: the city reads none of them.
    _phases_page(officer, live_server, pk)
    expect(officer.locator("main")).to_contain_text("sealed until the call closes")
    expect(officer.get_by_test_id("offers")).to_have_count(0)

    # --- the call closes; the committee selects three suppliers -------------------------------
    with time_machine.travel(deadline + dt.timedelta(minutes=1), tick=True):
        fire_due_events(models=MACHINES)
        assert Tender.objects.get(pk=pk).status == "offers_closed"
        officer, committee = people("officer.logrono"), people("committee.logrono")
        _phases_page(officer, live_server, pk)
        expect(officer.locator("[data-testid=offers] tbody tr")).to_have_count(4)
        with officer.expect_navigation():
            officer.locator("[data-testid=offers] a", has_text="Nova").click()
        expect(officer.get_by_test_id("prices")).to_contain_text("48,000.00")
        expect(officer.get_by_test_id("summary-files")).to_contain_text("memoria-nova.pdf")
        assert_accessible(officer)
        selected = [ids["supplier.acme"], ids["supplier.nova"], ids["supplier.unirioja"]]
        _act(committee, live_server, pk, "select_suppliers", checks=selected)

        # --- 3. the officer sets Acme's milestones: they must add up to its phase price -------
        acme = ids["supplier.acme"]
        _contract_page(officer, live_server, pk, 1, acme)
        expect(officer.get_by_test_id("contract-facts")).to_contain_text("45,000.00")
        assert_accessible(officer)
        rows = (
            ("Informe de diseño", "20000", "2027-02-01", "Informe de diseño"),
            ("Arquitectura validada", "25.000,00", "2027-03-01", "Arquitectura y plan"),
        )
        for index, (title, amount, due, deliverable) in enumerate(rows):
            officer.fill(f"#id_m-{index}-title", title)
            officer.fill(f"#id_m-{index}-amount", amount)
            officer.fill(f"#id_m-{index}-due_date", due)
            officer.fill(f"#id_m-{index}-deliverable", deliverable)
        officer.fill("#terms-publication", "El Ayuntamiento publica un resumen no confidencial.")
        for field in ("title", "amount", "due_date", "deliverable"):
            officer.fill(f"#id_m-1-{field}", "")
        submit(officer, "[data-testid=terms-form] button[type=submit]")
        expect(officer.locator("[data-testid=terms-form] [data-testid=refusal]")).to_contain_text(
            "45,000.00"
        )
        expect(officer.locator("#id_m-0-title")).to_have_value("Informe de diseño")
        expect(officer.locator("#terms-publication")).to_have_value(
            "El Ayuntamiento publica un resumen no confidencial."
        )
        assert_accessible(officer)
        title, amount, due, deliverable = rows[1]
        officer.fill("#id_m-1-title", title)
        officer.fill("#id_m-1-amount", amount)
        officer.fill("#id_m-1-due_date", due)
        officer.fill("#id_m-1-deliverable", deliverable)
        submit(officer, "[data-testid=terms-form] button[type=submit]")
        expect(officer.locator(".messages")).to_contain_text("Saved.")
        expect(officer.get_by_test_id("milestones")).to_contain_text("Arquitectura validada")
        assert_accessible(officer)
        # The supplier reads its contract's terms.
        acme_page = people("supplier.acme")
        _contract_page(acme_page, live_server, pk, 1, acme)
        expect(acme_page.get_by_test_id("milestones")).to_contain_text("Informe de diseño")
        expect(acme_page.get_by_test_id("ipr")).to_contain_text("resumen no confidencial")
        expect(acme_page.get_by_test_id("terms-form")).to_have_count(0)

        now = timezone.now()
        phase1_ends = now + dt.timedelta(days=10)
        _act(officer, live_server, pk, "start_phase1", phase_ends_at=_local(phase1_ends, zone))
        assert (
            PhaseContract.objects.filter(phase__tender_id=pk, signed_at__isnull=False).count() == 3
        )

        # --- 4. two suppliers deliver in time; a delivery without its file is refused ---------
        for username in ("supplier.acme", "supplier.nova"):
            spage = people(username)
            _contract_page(spage, live_server, pk, 1, ids[username])
            spage.fill("#deliverable-title", "Diseño de la solución")
            spage.fill("#deliverable-summary", "Arquitectura, coste y plan del prototipo.")
            if username == "supplier.acme":
                submit(spage, "[data-testid=deliverable-form] button[type=submit]")
                expect(spage.locator("#deliverable-file_error")).to_contain_text("Choose a file")
                expect(spage.locator("#deliverable-summary")).to_have_value(
                    "Arquitectura, coste y plan del prototipo."
                )
                assert_accessible(spage)
            slug = username.split(".")[1]
            spage.set_input_files("#deliverable-file", files=[_pdf(f"diseno-{slug}")])
            submit(spage, "[data-testid=deliverable-form] button[type=submit]")
            expect(spage.locator(".messages")).to_contain_text("Deliverable received.")
            expect(spage.get_by_test_id("deliverables")).to_contain_text(f"diseno-{slug}.pdf")
            if username == "supplier.acme":
                assert_accessible(spage)

        # --- the phase ends; the university delivers late, and the city sees it --------------
        with time_machine.travel(phase1_ends + dt.timedelta(hours=2), tick=True):
            fire_due_events(models=MACHINES)
            assert Tender.objects.get(pk=pk).status == "phase1_gate"
            uni = people("supplier.unirioja")
            _contract_page(uni, live_server, pk, 1, ids["supplier.unirioja"])
            uni.fill("#deliverable-title", "Diseño")
            uni.fill("#deliverable-summary", "Entregado tarde.")
            uni.set_input_files("#deliverable-file", files=[_pdf("tarde")])
            submit(uni, "[data-testid=deliverable-form] button[type=submit]")
            expect(uni.get_by_test_id("deliverables")).to_contain_text("late")
            officer, committee = people("officer.logrono"), people("committee.logrono")
            _phases_page(officer, live_server, pk)
            late = officer.locator(f"[data-testid=contract-1-{ids['supplier.unirioja']}]")
            expect(late.get_by_test_id("late")).to_be_visible()
            expect(officer.locator(f"[data-testid=contract-1-{acme}]")).not_to_contain_text("late")

            # --- 5. the committee scores each supplier's deliverables ---------------------------
            _contract_page(committee, live_server, pk, 1, acme)
            delivered = committee.get_by_test_id("deliverables").get_by_role(
                "link", name="diseno-acme.pdf"
            )
            with committee.expect_download() as download:
                delivered.click()
            with open(download.value.path(), "rb") as received:
                assert received.read() == _pdf("diseno-acme")["buffer"]
            sheet = committee.get_by_test_id("score-sheet")
            sheet.locator("input[name^=points_]").first.fill("61")
            sheet.locator("textarea[name^=why_]").first.fill(JUSTIFICATION)
            submit(committee, "[data-testid=score-sheet] button[type=submit]")
            expect(committee.locator("[data-testid=score-sheet] [role=alert]")).to_contain_text(
                "At most 60.00 points"
            )
            expect(sheet.locator("input[name^=points_]").first).to_have_value("61")
            assert_accessible(committee)
            points = {
                acme: ("55", "35"),
                ids["supplier.nova"]: ("45", "30"),
                ids["supplier.unirioja"]: ("25", "20"),  # below the 30-point threshold
            }
            for supplier_id, given in points.items():
                _score(committee, live_server, pk, 1, supplier_id, given)
            assert_accessible(committee)
            _act(committee, live_server, pk, "evaluate_phase")
            phase2_ends = timezone.now() + dt.timedelta(days=10)
            _act(
                committee,
                live_server,
                pk,
                "pass_gate1",
                checks=[acme, ids["supplier.nova"]],
                phase_ends_at=_local(phase2_ends, zone),
            )
            _contract_page(committee, live_server, pk, 1, acme)
            expect(committee.get_by_test_id("outcome")).to_contain_text("kept for the next phase")
            expect(committee.get_by_test_id("results")).to_contain_text("90.00")

            # --- 6. the officer accepts Acme's phase-1 milestones, then marks them paid ---------
            _contract_page(officer, live_server, pk, 1, acme)
            for order in (1, 2):
                row = officer.get_by_test_id(f"milestone-{order}")
                with officer.expect_navigation():
                    row.locator("button[value=accept]").click()
                expect(officer.locator(".messages")).to_contain_text("Milestone accepted.")
                with officer.expect_navigation():
                    officer.get_by_test_id(f"milestone-{order}").locator(
                        "button[value=pay]"
                    ).click()
                expect(officer.locator(".messages")).to_contain_text("Milestone paid.")
            assert_accessible(officer)
            assert set(
                PaymentMilestone.objects.filter(
                    contract__phase__tender_id=pk,
                    contract__phase__number=1,
                    contract__supplier_id=acme,
                ).values_list("status", flat=True)
            ) == {"paid"}

            # --- the prototype and the field test run to the final evaluation ---------------
            with time_machine.travel(phase2_ends + dt.timedelta(hours=1), tick=True):
                fire_due_events(models=MACHINES)
                assert Tender.objects.get(pk=pk).status == "phase2_gate"
                # Nobody delivered the prototype: the city sees the deliverables missing.
                officer = people("officer.logrono")
                _phases_page(officer, live_server, pk)
                for supplier_id in (acme, ids["supplier.nova"]):
                    row = officer.get_by_test_id(f"contract-2-{supplier_id}")
                    expect(row.get_by_test_id("missing")).to_be_visible()
                expect(
                    officer.get_by_test_id(f"contract-1-{acme}").get_by_test_id("missing")
                ).to_have_count(0)
                committee = people("committee.logrono")
                for supplier_id in (acme, ids["supplier.nova"]):
                    _score(committee, live_server, pk, 2, supplier_id, ("50", "30"))
                _act(committee, live_server, pk, "evaluate_phase")
                phase3_ends = timezone.now() + dt.timedelta(days=10)
                _act(
                    committee,
                    live_server,
                    pk,
                    "pass_gate2",
                    checks=[acme, ids["supplier.nova"]],
                    phase_ends_at=_local(phase3_ends, zone),
                )
                with time_machine.travel(phase3_ends + dt.timedelta(hours=1), tick=True):
                    fire_due_events(models=MACHINES)
                    assert Tender.objects.get(pk=pk).status == "final_evaluation"
                    committee = people("committee.logrono")
                    for supplier_id in (acme, ids["supplier.nova"]):
                        _score(committee, live_server, pk, 3, supplier_id, ("50", "30"))
                    _act(committee, live_server, pk, "evaluate_phase")
                    _phases_page(committee, live_server, pk)
                    assert_accessible(committee)

    outcomes = PhaseContract.objects.filter(phase__tender_id=pk, phase__number=3)
    assert {c.outcome for c in outcomes} == {"completed"}
    assert {c.supplier_id for c in outcomes} == {acme, ids["supplier.nova"]}
    not_kept = PhaseContract.objects.get(
        phase__tender_id=pk, phase__number=1, supplier_id=ids["supplier.unirioja"]
    )
    assert not_kept.outcome == "not_kept"

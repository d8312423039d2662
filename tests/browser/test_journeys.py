"""The README's "What to try", one test per demo user, in a real browser on the seeded demo.

The whole demo (``manage.py seed_demo``: parties, processes, document library) is seeded once
for the module and committed, and one live server serves it to every journey; the data is
flushed when the module ends. Journeys that change the demo (a bid, a consultation report) act
on what no other journey reads, so they may run in any order (and on SQLite what each writes is
rolled back after it).

Every page a journey visits is checked with axe (``assert_accessible``), also after a refused
form and after a flash message.
"""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import TIMEOUT_MS, browser_login, submit
from tests.concurrency import run_at_once

# Each journey runs in a transaction of its own on top of the committed seed: on SQLite the live
# server shares that connection and what a journey writes is rolled back after it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AIR_QUALITY = "Red de sensores de calidad del aire en tiempo real"
IRRIGATION = "Riego inteligente de parques y jardines"
ROBOTS = "Robots autónomos para la recogida de residuos en el casco antiguo"
BUSES = "Semáforos que dan prioridad a los autobuses urbanos"
LIGHTING = "Alumbrado público adaptativo al paso de peatones"
TREES = "Monitorización del arbolado urbano con sensores"
PROPOSAL = b"%PDF-1.4\n% Acme: memoria t\xc3\xa9cnica de los robots\n%%EOF\n"


@pytest.fixture(scope="module")
def demo_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """The full demo, seeded once and committed, served by one live server for the module."""
    from django.conf import settings
    from pytest_django.live_server_helper import LiveServer

    media = tmp_path_factory.mktemp("journeys-media")
    old = settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = media / "media", media / "private"
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = old


@pytest.fixture(autouse=True)
def _media_root(demo_server):
    """The media the module's seed wrote (the shared fixture would give each test an empty
    folder)."""


@pytest.fixture
def person(browser, demo_server):
    """``person(username)``: a browser of its own, logged in (``None``: anonymous)."""
    contexts = []

    def open_as(username: str | None):
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        if username:
            browser_login(page, demo_server, username)
            assert_accessible(page)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _tender(title: str):
    from tenders.models import Tender

    return Tender.objects.get(title=title)


def _committed(work) -> None:
    """Do ``work`` where the live server sees it: on PostgreSQL on a connection of its own,
    committed (the test's own stays inside the test's transaction); on SQLite the live server
    shares the test's connection, so there it is done in place."""
    from django.db import connection

    if connection.vendor == "sqlite":
        work()
    else:
        run_at_once(work, threads=1)


def _go(page, url: str) -> None:
    page.goto(url)
    assert_accessible(page)


def test_anyone_reads_the_portal_a_published_consultation_report_and_computes_a_deadline(
    demo_server, person
):
    url = demo_server.url
    page = person(None)
    _go(page, f"{url}/portal/")
    page.get_by_test_id("cities").get_by_role("link", name="Terrassa").click()
    assert_accessible(page)
    page.get_by_role("link", name=TREES).first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Read the consultation report").click()
    report = page.get_by_test_id("consultation-report").inner_text()
    assert "500 árboles" in report and "dendrómetros" in report
    assert_accessible(page)
    # A published tender lists its pliegos with their hashes.
    robots = _tender(ROBOTS)
    _go(page, f"{url}/portal/processes/{robots.pk}/")
    pliegos = page.get_by_test_id("pliegos").inner_text()
    assert "PCAP" in pliegos or "pcap" in pliegos.lower()
    _go(page, f"{url}/portal/indicators/")
    page.goto(f"{url}/portal/feed/")
    assert ROBOTS in page.content()
    # The deadline calculator: an answer, then a refused question.
    _go(page, f"{url}/calendar/deadline/")
    page.select_option("#deadline-city", label="Logroño")
    page.fill("#deadline-start", "2026-12-01")
    page.fill("#deadline-days", "10")
    page.select_option("#deadline-kind", "working")
    page.click("[data-testid=deadline-form] button[type=submit]")
    result = page.get_by_test_id("deadline-result")
    expect(result).to_contain_text("10 days from 01/12/2026 end on")
    assert_accessible(page)
    _go(page, f"{url}/calendar/deadline/?start=2026-02-30&days=10&kind=working")
    expect(page.get_by_test_id("deadline-error")).to_be_visible()


def test_officer_terrassa_takes_the_tree_monitoring_to_its_file_and_legal_terrassa_records_it(
    demo_server, person
):
    url = demo_server.url
    page = person("officer.terrassa")
    _go(page, f"{url}/processes/")
    listed = page.locator("main").inner_text()
    assert TREES in listed and "Mitigación de islas de calor en patios escolares" in listed
    assert AIR_QUALITY not in listed
    trees = _tender(TREES)
    _go(page, f"{url}/processes/{trees.pk}/")
    assert "Consultation report published" in page.get_by_test_id("status").inner_text()
    # Logroño's private pages answer 404 (a need not yet published, a consultation's answers).
    lighting = _tender(LIGHTING)
    reply = page.goto(f"{url}/processes/{lighting.pk}/")
    assert reply.status == 404
    assert_accessible(page)
    air = _tender(AIR_QUALITY)
    reply = page.goto(f"{url}/consultations/{air.consultation_for_engine().pk}/responses/")
    assert reply.status == 404

    # The report published, the process goes on to its specifications and its file.
    _act(page, url, trees.pk, "draft_specs")
    page.get_by_role("link", name="Edit the need and specifications").click()
    assert_accessible(page)
    page.fill(
        "#id_functional_specifications",
        "Un sensor por árbol singular; datos abiertos de crecimiento y riego cada hora.",
    )
    submit(page, "main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Saved.")
    _go(page, f"{url}/processes/{trees.pk}/")
    page.select_option("#choose_procedure-procedure", "cpti_open")
    submit(page, "form[data-action=choose_procedure] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Done:")
    _act(page, url, trees.pk, "submit_file")
    expect(page.locator(".messages")).to_contain_text("Done:")

    # The legal team records the file's reports (LCSP art. 116.3, DA 3ª): a step without its
    # reference is refused and says why; the prior audit comes after the other two.
    legal = person("legal.terrassa")
    _go(legal, f"{url}/processes/{trees.pk}/")
    submit(legal, "form[data-action=record_legal_report] button[type=submit]")
    expect(legal.get_by_test_id("refusal")).to_be_visible()
    assert_accessible(legal)  # after a refused form
    for action, reference in (
        ("record_legal_report", "Informe jurídico 2026/88"),
        ("record_credit_certificate", "RC 2026/1203"),
        ("record_audit_report", "Fiscalización previa 2026/41"),
    ):
        _go(legal, f"{url}/processes/{trees.pk}/")
        legal.fill(f"#{action}-reference", reference)
        submit(legal, f"form[data-action={action}] button[type=submit]")
        expect(legal.locator(".messages")).to_contain_text("Done:")
        assert_accessible(legal)  # after a flash message
    history = legal.get_by_test_id("history").inner_text()
    assert "Informe jurídico 2026/88" in history and "Fiscalización previa 2026/41" in history


def _act(page, url: str, pk: int, action: str, reason: str = "") -> None:
    """Take a step from the process page as the person logged in on ``page``."""
    _go(page, f"{url}/processes/{pk}/")
    if reason:
        page.fill(f"#{action}-reason", reason)
    submit(page, f"form[data-action={action}] button[type=submit]")


def test_officer_logrono_writes_the_closed_consultations_summaries_and_publishes_its_report(
    demo_server, person
):
    url = demo_server.url
    page = person("officer.logrono")
    irrigation = _tender(IRRIGATION)
    consultation = irrigation.consultation_for_engine()
    questions = list(consultation.questions.order_by("order"))

    # The dashboard lists the closed consultation among what waits on her.
    _go(page, f"{url}/processes/")
    assert IRRIGATION in page.get_by_test_id("waiting").inner_text()
    page.get_by_test_id("waiting").get_by_role("link", name=IRRIGATION).click()
    assert_accessible(page)
    # Its page: the status, the diagram, a history that starts with its creation.
    assert "Consultation closed" in page.get_by_test_id("status").inner_text()
    history = page.get_by_test_id("history").inner_text()
    assert history.index("Process created") < history.index("Validate the need")
    assert history.index("Validate the need") < history.index("Close the consultation")
    page.click("main >> text=Responses")
    assert_accessible(page)
    responses = page.get_by_test_id("responses").inner_text()
    assert "Acme Smart Solutions S.L." in responses and "Nova Urban Robotics S.L." in responses
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert "Sondas de humedad" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    # The report cannot be published before it is written: the page says why.
    _act(page, url, irrigation.pk, "draft_report")
    expect(page.locator(".messages")).to_contain_text("Done:")
    assert_accessible(page)
    assert "LCSP art. 115.3" in page.get_by_test_id("blocked").inner_text()

    # The summaries of the answers, then the report.
    _go(page, f"{url}/consultations/{consultation.pk}/responses/")
    for question in questions:
        page.fill(f"#summary-{question.pk}", f"Resumen de la pregunta {question.order}.")
    submit(page, "form[action$='/summaries/'] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Summaries saved.")
    assert_accessible(page)
    _go(page, f"{url}/processes/{irrigation.pk}/consultation/")
    page.fill("#id_report", "Las respuestas muestran que regar por necesidad ahorra un 30 %.")
    submit(page, "main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Saved.")
    assert_accessible(page)
    _act(page, url, irrigation.pk, "publish_report")
    expect(page.locator(".messages")).to_contain_text("Done:")
    assert "Consultation report published" in page.get_by_test_id("status").inner_text()

    # Anyone reads it on the portal.
    visitor = person(None)
    _go(visitor, f"{url}/portal/consultations/{consultation.pk}/report/")
    report = visitor.get_by_test_id("consultation-report").inner_text()
    assert "ahorra un 30 %" in report and "Resumen de la pregunta 1." in report


def test_officer_logrono_records_a_need_and_follows_the_evaluation_and_documents(
    demo_server, person
):
    url = demo_server.url
    page = person("officer.logrono")
    # A need refused for what is missing, then recorded.
    _go(page, f"{url}/processes/new/")
    submit(page, "main form button[type=submit]")
    expect(page.locator(".errors").first).to_be_visible()
    assert_accessible(page)
    page.fill("#id_title", "Bancos inteligentes con carga solar")
    page.fill("#id_description", "Mobiliario urbano que da sombra, carga y datos de uso.")
    page.select_option("#id_procedure", "cpti_open")
    page.fill("#id_estimated_value", "120.000,00")
    page.fill("#id_cpv_codes", "39113000-7")
    submit(page, "main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("The need was recorded.")
    assert_accessible(page)

    # The bus-priority tender's evaluation, and the documents its steps made.
    buses = _tender(BUSES)
    _go(page, f"{url}/processes/{buses.pk}/")
    assert "Not possible yet" in page.locator("main").inner_text()
    _go(page, f"{url}/processes/{buses.pk}/evaluation/")
    assert "Acme Smart Solutions S.L." in page.locator("main").inner_text()
    _go(page, f"{url}/documents/process/{buses.pk}/")
    documents = page.locator("main").inner_text().lower()
    assert "minutes" in documents


def test_supplier_acme_reads_the_robots_tender_and_its_open_consultation_and_bids(
    demo_server, person
):
    url = demo_server.url
    page = person("supplier.acme")
    robots = _tender(ROBOTS)
    _go(page, f"{url}/processes/{robots.pk}/tender/")
    assert "Suministro, instalación y mantenimiento" in page.locator("main").inner_text()
    page.get_by_role("link", name="Prepare your bid").click()
    assert_accessible(page)
    # Saving without the declaration is refused, and the page says so.
    submit(page, "button[value=review]")
    assert_accessible(page)  # after a refused form
    _go(page, f"{url}/processes/{robots.pk}/tender/")
    page.get_by_role("link", name="Prepare your bid").click()
    # The DEUC, the technical proposal and the prices; a file in envelope B; the summary of what
    # will be sealed, confirmed; the receipt with every hash.
    quality = robots.criteria.get(kind="value_judgement")
    price, warranty = robots.criteria.filter(kind="formula").order_by("order", "pk")
    page.fill("#deuc_name", "Acme Smart Solutions S.L.")
    page.fill("#deuc_tax_id", "B26123455")
    page.fill("#deuc_representative", "Ana Martín")
    page.fill("#deuc_representative_capacity", "Administradora única")
    page.select_option("#deuc_solvency_means", "solvency")
    page.fill("#deuc_economic_solvency", "Volumen de negocio superior al mínimo del PCAP.")
    page.fill("#deuc_technical_solvency", "Tres contratos similares en los últimos tres años.")
    page.check("#deuc_no_prohibition")
    page.fill("#deuc_notification_email", "ofertas@acme.example")
    page.check("#deuc_sme_yes")
    page.fill(f"#b_{quality.pk}", "Robots eléctricos de 80 cm de ancho con contenedor compactador.")
    page.fill(f"#c_{price.pk}", "750.000,00")
    page.fill(f"#c_{warranty.pk}", "3")
    submit(page, "button[value=save]")
    assert_accessible(page)
    page.select_option("#envelope", "b")
    page.set_input_files(
        "#file",
        files=[{"name": "memoria.pdf", "mimeType": "application/pdf", "buffer": PROPOSAL}],
    )
    submit(page, "[data-testid=bid-file-form] button[type=submit]")
    submit(page, "button[value=review]")
    assert_accessible(page)
    summary = page.get_by_test_id("summary").inner_text()
    assert "memoria.pdf" in summary and hashlib.sha256(PROPOSAL).hexdigest() in summary
    page.check("#confirm")
    submit(page, "[data-testid=confirm-submit]")
    assert_accessible(page)
    assert page.get_by_test_id("bid-status").inner_text() == "submitted"
    with page.expect_download() as download:
        page.get_by_test_id("receipt-link").click()
    assert download.value.suggested_filename.endswith(".pdf")
    _go(page, f"{url}/processes/bids/mine/")
    assert BUSES in page.locator("main").inner_text()
    _go(page, f"{url}/processes/inbox/")
    # The open consultation and its own response, still its own to change.
    air = _tender(AIR_QUALITY).consultation_for_engine()
    _go(page, f"{url}/consultations/")
    _go(page, f"{url}/consultations/mine/")
    assert "calidad del aire" in page.locator("main").inner_text()
    _go(page, f"{url}/consultations/{air.pk}/respond/")
    _go(page, f"{url}/consultations/{air.pk}/")
    # A clarification asked: only Acme sees it until the city answers.
    page.locator(f"main form[action$='/consultations/{air.pk}/clarifications/'] textarea").fill(
        "¿Pueden los sensores compartir el poste del alumbrado público?"
    )
    submit(page, f"main form[action$='/consultations/{air.pk}/clarifications/'] button")
    assert_accessible(page)  # after a flash message
    assert "compartir el poste" in page.locator("main").inner_text()
    # Alerts by CPV code and city.
    _go(page, f"{url}/consultations/subscriptions/")
    page.fill("#cpv", "3499\n48")
    page.get_by_label("Logroño").check()
    submit(page, "main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Subscriptions saved.")
    assert_accessible(page)  # after a flash message
    expect(page.locator("#cpv")).to_have_value("3499\n48")
    expect(page.get_by_label("Logroño")).to_be_checked()

    # Having bid, Acme accepted the robots tender's pliegos: its appeal against them is refused
    # with the reason, from the process's page.
    _go(page, f"{url}/processes/{robots.pk}/")
    page.get_by_text("Lodge a special appeal against the pliegos").click()
    page.select_option("#appeal-act", "pliegos")
    page.fill("#appeal-grounds", "El PPT exige una marca concreta de compactador.")
    submit(page, "form[data-action=lodge-appeal] button[type=submit]")
    expect(page.get_by_test_id("refusal")).to_contain_text("139.1")
    assert_accessible(page)  # after a refused form
    expect(page.locator("#appeal-grounds")).to_have_value(
        "El PPT exige una marca concreta de compactador."
    )


def test_a_new_supplier_registers_and_finishes_from_the_e_mail_link(demo_server, person):
    import re

    from procurement.core.models import OutboundEmail

    url = demo_server.url
    page = person(None)
    _go(page, f"{url}/consultations/register/")
    # Nothing filled in: every field says what it needs, on the same page.
    submit(page, "main form button[type=submit]")
    expect(page.locator(".errors").first).to_be_visible()
    assert_accessible(page)  # after a refused form
    page.fill("#id_name", "Sensórica del Ebro S.L.")
    page.select_option("#id_kind", "startup")
    page.fill("#id_tax_id", "B26000000")
    page.fill("#id_first_name", "Eva")
    page.fill("#id_last_name", "Gil")
    page.fill("#id_email", "eva@sensorica.example")
    page.fill("#id_username", "eva.gil")
    page.fill("#id_password", "long-and-unusual-9")
    submit(page, "main form button[type=submit]")
    assert_accessible(page)
    mail = OutboundEmail.objects.filter(to=["eva@sensorica.example"]).latest("pk")
    link = re.search(r"https?://[^/\s]+(/consultations/register/[\w-]+/)", mail.body).group(1)
    _go(page, f"{url}{link}")
    submit(page, "main form button[type=submit]")
    assert_accessible(page)
    # Registered and signed in: the supplier's own pages open.
    _go(page, f"{url}/consultations/subscriptions/")
    assert "Sensórica del Ebro S.L." in page.locator("main").inner_text()


def test_supplier_nova_sees_its_sealed_bids_and_appeals_the_robots_pliegos(demo_server, person):
    url = demo_server.url
    page = person("supplier.nova")
    _go(page, f"{url}/processes/bids/mine/")
    assert BUSES in page.locator("main").inner_text()
    _go(page, f"{url}/consultations/mine/")
    # Nova has not bid on the robots tender: it appeals the pliegos from the process's page
    # (grounds too short are refused and kept), then reads the appeal on the appeals page.
    robots = _tender(ROBOTS)
    _go(page, f"{url}/processes/{robots.pk}/")
    page.get_by_text("Lodge a special appeal against the pliegos").click()
    page.select_option("#appeal-act", "pliegos")
    page.fill("#appeal-grounds", "Marca.")
    submit(page, "form[data-action=lodge-appeal] button[type=submit]")
    expect(page.get_by_test_id("refusal")).to_contain_text("LCSP art. 51.1")
    assert_accessible(page)  # after a refused form
    expect(page.locator("#appeal-grounds")).to_have_value("Marca.")
    page.fill(
        "#appeal-grounds",
        "El PPT exige una marca concreta de compactador, contra el art. 126.6 LCSP.",
    )
    submit(page, "form[data-action=lodge-appeal] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Your special appeal is lodged.")
    assert_accessible(page)  # after a flash message
    assert "the tender notice and its pliegos" in page.get_by_test_id("appeals").inner_text()


def _pick_first_suggestion(page, search, typed: str) -> str:
    """Type ``typed``, wait for the picker's suggestions and take the first, as a person would."""
    search.fill(typed)
    options = page.locator(f"#{search.get_attribute('list')} option")
    expect(options.first).to_be_attached()
    value = options.first.get_attribute("value")
    search.fill(value)
    return value


def test_legal_logrono_adopts_edits_shares_merges_the_networks_changes_and_reviews(
    demo_server, person
):
    from documents.models import DocumentTemplate
    from documents.services import network_version_publish

    url = demo_server.url
    page = person("legal.logrono")
    _go(page, f"{url}/documents/templates/")
    # A template of the network's library that Logroño has not adopted yet.
    adopted = DocumentTemplate.objects.filter(city__slug="logrono").values("adopted_from")
    network_template = (
        DocumentTemplate.objects.filter(network__isnull=False)
        .exclude(pk__in=adopted)
        .order_by("pk")
        .first()
    )
    _go(page, f"{url}/documents/templates/{network_template.pk}/")
    submit(page, "main form[action$='/adopt/'] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Adopted")
    assert_accessible(page)  # after a flash message
    copy = DocumentTemplate.objects.get(city__slug="logrono", adopted_from=network_template)
    assert page.url.endswith(f"/documents/templates/{copy.pk}/")
    # Edit the copy: the preview beside the editor follows what is typed.
    page.get_by_role("link", name="Edit", exact=True).click()
    assert_accessible(page)
    editor = page.locator("#source")
    editor.press("Control+End")
    editor.type("\nCláusula añadida por los servicios jurídicos.")
    expect(page.locator("#preview")).to_contain_text(
        "Cláusula añadida por los servicios jurídicos."
    )
    assert_accessible(page)
    submit(page, "main form button[type=submit]")
    assert_accessible(page)
    # Share the copy with a city chosen by its name.
    _go(page, f"{url}/documents/templates/{copy.pk}/")
    _pick_first_suggestion(page, page.locator("#add-cities"), "Terr")
    expect(page.locator("[data-city-chosen] input[name=cities]:checked")).to_have_count(1)
    submit(page, "main form[action$='/share/'] button[type=submit]")
    assert_accessible(page)
    assert list(copy.shared_cities.values_list("slug", flat=True)) == ["terrassa"]
    # The network publishes a later version of the source (its library's maintenance): a line
    # under the first heading, away from Logroño's clause at the end.
    source = network_template.versions.order_by("-number").first().source
    head, _newline, rest = source.partition("\n# ")
    _committed(
        lambda: network_version_publish(
            template=network_template,
            source=f"{head}\nActualizado por la red en su biblioteca.\n# {rest}",
            note="Nueva redacción de la red",
        )
    )
    _go(page, f"{url}/documents/templates/{copy.pk}/")
    page.get_by_role("link", name="See the changes and merge").click()
    assert_accessible(page)
    assert "Actualizado por la red" in page.locator("main").inner_text()
    submit(page, "main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Merged into draft version")
    assert_accessible(page)
    merged = copy.versions.order_by("-number").first().source
    assert "Actualizado por la red" in merged
    assert "Cláusula añadida por los servicios jurídicos." in merged
    _go(page, f"{url}/documents/review/")
    _go(page, f"{url}/documents/fields/")


def test_legal_terrassa_reads_its_library_and_not_logronos_private_pages(demo_server, person):
    url = demo_server.url
    page = person("legal.terrassa")
    _go(page, f"{url}/documents/templates/")
    lighting = _tender(LIGHTING)
    assert page.goto(f"{url}/processes/{lighting.pk}/").status == 404


def test_committee_logrono_rescores_signs_opens_the_prices_and_ranks(demo_server, person):
    url = demo_server.url
    page = person("committee.logrono")
    buses = _tender(BUSES)
    _go(page, f"{url}/processes/{buses.pk}/evaluation/")
    sheet = page.locator("main").inner_text()
    assert "Acme Smart Solutions S.L." in sheet and "Nova Urban Robotics S.L." in sheet
    # A score that is not a number is refused, and what was typed stays on the sheet.
    acme = page.locator("[data-testid=sheet-acme]")
    acme.locator("input[name^=points_]").fill("muchos")
    acme.locator("textarea[name^=why_]").fill("Revisado tras la aclaración del piloto.")
    with page.expect_navigation():
        acme.locator("button[type=submit]").click()
    assert_accessible(page)  # after a refused form
    acme = page.locator("[data-testid=sheet-acme]")
    expect(acme.locator("input[name^=points_]")).to_have_value("muchos")
    expect(acme.locator("textarea[name^=why_]")).to_have_value(
        "Revisado tras la aclaración del piloto."
    )
    acme.locator("input[name^=points_]").fill("35,5")
    with page.expect_navigation():
        acme.locator("button[type=submit]").click()
    assert_accessible(page)
    # Sign the value report, open the price envelopes and rank.
    for action in ("sign_value_report", "open_envelope_c", "rank"):
        _act(page, url, buses.pk, action)
        assert_accessible(page)
    _go(page, f"{url}/processes/{buses.pk}/evaluation/")
    # The prices offered now sit beside their points, and the ranking is there.
    expect(page.locator("[data-testid=offers-acme]")).to_be_visible()
    ranking = page.get_by_test_id("ranking").inner_text()
    assert "Acme" in ranking and "Nova" in ranking


LEAKS = "Predicción de fugas en la red de agua con inteligencia artificial"
REPORT = b"%PDF-1.4\n% Acme: informe del prototipo, fase 2\n%%EOF\n"


def test_supplier_acme_delivers_in_the_pcps_second_phase_and_officer_logrono_pays_it(
    demo_server, person
):
    from tenders.models import PhaseContract

    url = demo_server.url
    leaks = _tender(LEAKS)
    acme_contract = PhaseContract.objects.get(
        phase__tender=leaks, phase__number=2, supplier__name__startswith="Acme"
    )
    # Acme reads its phase-2 contract from the process's phases and delivers a result; a
    # delivery without a title is refused and keeps what was typed.
    page = person("supplier.acme")
    _go(page, f"{url}/processes/{leaks.pk}/")
    page.get_by_role("link", name="Phases, offers and phase contracts").click()
    assert_accessible(page)
    page.get_by_test_id(f"contract-2-{acme_contract.supplier_id}").get_by_role("link").click()
    assert_accessible(page)
    assert "Prototipo" in page.locator("main").inner_text()
    page.fill("#deliverable-summary", "Prototipo instalado en 12 km de red; informe adjunto.")
    submit(page, "[data-testid=deliverable-form] button[type=submit]")
    assert_accessible(page)  # after a refused form
    expect(page.locator("#deliverable-summary")).to_have_value(
        "Prototipo instalado en 12 km de red; informe adjunto."
    )
    page.fill("#deliverable-title", "Informe del prototipo")
    page.set_input_files(
        "#deliverable-file",
        files=[{"name": "prototipo.pdf", "mimeType": "application/pdf", "buffer": REPORT}],
    )
    submit(page, "[data-testid=deliverable-form] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Deliverable received.")
    assert_accessible(page)  # after a flash message
    assert "prototipo.pdf" in page.get_by_test_id("deliverables").inner_text()

    # The officer reads the delivery, accepts the first milestone and marks it paid.
    officer = person("officer.logrono")
    _go(officer, f"{url}/processes/phase-contracts/{acme_contract.pk}/")
    assert "Informe del prototipo" in officer.get_by_test_id("deliverables").inner_text()
    submit(officer, "[data-testid=milestone-1] button[value=accept]")
    expect(officer.locator(".messages")).to_contain_text("Milestone accepted.")
    assert_accessible(officer)
    submit(officer, "[data-testid=milestone-1] button[value=pay]")
    expect(officer.locator(".messages")).to_contain_text("Milestone paid.")
    assert acme_contract.milestones.get(order=1).status == "paid"

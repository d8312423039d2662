"""The contracting body signs the award resolution with its own tool and uploads it in a real
browser; the signature is validated before it counts (L40/2015 art. 43.1)."""

import pytest

from tests.browser.conftest import browser_login, submit
from tests.factories.pki import TestCA, sign_pdf, write_seal, write_trust

pytestmark = pytest.mark.browser


@pytest.fixture
def resolution(live_demo, settings, tmp_path):
    """Logroño with its seal and the test authority trusted; an award resolution made for a
    process whose awardee's documents are in."""
    from documents import demo as documents_demo
    from documents.services import document_generate, document_order
    from tests.factories.tenders import make_tender

    ca = TestCA()
    write_seal(tmp_path / "seals", "logrono", ca.seal("Ayuntamiento de Logroño"))
    write_trust(tmp_path / "trust", ca)
    settings.OPENCPI_SEALS_DIR = str(tmp_path / "seals")
    settings.OPENCPI_TRUST_DIR = str(tmp_path / "trust")
    documents_demo.seed()
    from procurement.accounts.models import City, User

    officer = User.objects.get(username="officer.logrono")
    officer.national_id = "12345678Z"
    officer.save(update_fields=["national_id"])
    tender = make_tender(city=City.objects.get(slug="logrono"), state="documents_received")
    document = document_order(actor=officer, process_id=tender.pk, kind="award_resolution")
    document = document_generate(document_id=document.pk)
    with document.pdf.open("rb") as handle:
        pdf = handle.read()
    signed = tmp_path / "resolucion-firmada.pdf"
    signed.write_bytes(sign_pdf(pdf, ca.person("Lucía", "Sáenz", "12345678Z")))
    wrong = tmp_path / "firmada-por-otra.pdf"
    wrong.write_bytes(sign_pdf(pdf, ca.person("Marta", "Ochoa", "87654321X")))
    return document, signed, wrong


def test_the_officer_uploads_the_award_resolution_signed_with_her_certificate(
    live_server, resolution, page
):
    document, signed, wrong = resolution
    browser_login(page, live_server, "officer.logrono")
    page.goto(f"{live_server.url}/documents/process/{document.tender_id}/")
    form = page.get_by_test_id(f"sign-{document.pk}")

    form.locator("input[type=file]").set_input_files(str(wrong))
    submit(page, f"[data-testid=sign-{document.pk}] button[type=submit]")
    assert "not by you" in page.locator("body").inner_text()

    form.locator("input[type=file]").set_input_files(str(signed))
    submit(page, f"[data-testid=sign-{document.pk}] button[type=submit]")
    body = page.locator("body").inner_text()
    assert f"Your signature on {document.reference} was validated and recorded." in body
    signatures = page.get_by_test_id("documents").inner_text()
    assert "Sealed" in signatures and "SÁENZ LUCÍA - 12345678Z" in signatures
    assert document.signatures.filter(kind="personal").count() == 1

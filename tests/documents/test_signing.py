"""Documents with legal force: the city's seal on what OpenCPI makes, and the personal
signatures signatories upload (L40/2015 arts. 42 and 43; L39/2015 arts. 10 and 26).

Every certificate is made in the test by its own authority (tests/factories/pki.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import DocumentSignature, GeneratedDocument
from documents.services import document_generate, document_order, document_pdf_rebuild
from documents.signatures import document_signature_add
from documents.signing import pdf_signatures_check
from procurement.core.exceptions import ApplicationError, PermissionDenied
from tests.documents.conftest import pdf_text
from tests.factories.people import colleague
from tests.factories.pki import TestCA, sign_pdf, write_seal, write_trust
from tests.factories.tenders import make_tender
from workflows.services import transition_perform

pytestmark = pytest.mark.django_db

LUCIA_DNI = "12345678Z"


@pytest.fixture(scope="module")
def ca():
    return TestCA()


@pytest.fixture(scope="module")
def identities(ca):
    return {
        "seal": ca.seal("Ayuntamiento de Logroño"),
        "lucia": ca.person("Lucía", "Sáenz", LUCIA_DNI),
        "marta": ca.person("Marta", "Ochoa", "87654321X"),
    }


@pytest.fixture
def pki(ca, identities, settings, tmp_path):
    """Logroño's seal installed and the test authority on the trust list."""
    write_seal(tmp_path / "seals", "logrono", identities["seal"])
    write_trust(tmp_path / "trust", ca)
    settings.OPENCPI_SEALS_DIR = str(tmp_path / "seals")
    settings.OPENCPI_TRUST_DIR = str(tmp_path / "trust")
    return identities


@pytest.fixture
def lucia(library):
    officer = library.user("officer.logrono")
    officer.national_id = LUCIA_DNI
    officer.save(update_fields=["national_id"])
    return officer


def _ordered(process, actor, kind):
    document = document_order(actor=actor, process_id=process.pk, kind=kind)
    document = document_generate(document_id=document.pk)
    assert document.status == GeneratedDocument.Status.READY, document.failure_reason
    return document


def _pdf(document) -> bytes:
    with document.pdf.open("rb") as handle:
        return handle.read()


@pytest.fixture
def awarded(library, pki, settings, django_capture_on_commit_callbacks):
    """A Logroño CPTI process awarded through the engine, its resolution made by the effect.
    (The award's own wait for a signed resolution is tested in test_signature_gates.py.)"""
    settings.OPENCPI_SIGNATURE_GATES = "off"
    tender = make_tender(city=library.city("logrono"), state="documents_received")
    with django_capture_on_commit_callbacks(execute=True):
        transition_perform(process=tender, name="award", actor=library.user("officer.logrono"))
    return GeneratedDocument.objects.get(tender=tender, kind="award_resolution")


def test_the_award_resolution_is_sealed_by_the_city_and_validates_as_intact_and_trusted(awarded):
    assert awarded.status == GeneratedDocument.Status.READY
    pdf = _pdf(awarded)
    (seal,) = pdf_signatures_check(pdf)
    assert seal.intact and seal.valid and seal.trusted and seal.covers_whole_file
    assert seal.organization == "Ayuntamiento de Logroño"
    assert seal.issuer == "OpenCPI Test Root CA"
    # The seal is recorded, and the published hash is the hash of the sealed bytes.
    row = awarded.signatures.get()
    assert row.kind == DocumentSignature.Kind.SEAL and row.sha256 == awarded.sha256
    # Sealing adds a revision: the document as rendered is still its first bytes.
    assert pdf.startswith(document_pdf_rebuild(awarded))


def test_one_changed_byte_makes_the_seal_invalid(awarded):
    pdf = bytearray(_pdf(awarded))
    pdf[len(pdf) // 3] ^= 0x01
    (seal,) = pdf_signatures_check(bytes(pdf))
    assert not seal.intact and not seal.ok
    assert "changed after signing" in seal.error


def test_a_seal_from_an_authority_off_the_trust_list_is_not_trusted(awarded, settings, tmp_path):
    other = TestCA("Some Other CA")
    write_trust(tmp_path / "other-trust", other)
    settings.OPENCPI_TRUST_DIR = str(tmp_path / "other-trust")
    settings.OPENCPI_SEALS_DIR = ""
    (seal,) = pdf_signatures_check(_pdf(awarded))
    assert seal.intact and not seal.trusted
    assert "does not chain to a trusted authority" in seal.error


def test_without_a_seal_documents_are_made_unsealed(library, lucia):
    tender = make_tender(city=library.city("logrono"), state="documents_received")
    document = _ordered(tender, lucia, "award_resolution")
    assert pdf_signatures_check(_pdf(document)) == []
    assert not document.signatures.exists()
    assert _pdf(document) == document_pdf_rebuild(document)


# --- personal signatures ---------------------------------------------------------------------


@pytest.fixture
def resolution(library, pki, lucia):
    """An award resolution made on demand for the contracting body to sign before awarding."""
    tender = make_tender(city=library.city("logrono"), state="documents_received")
    return _ordered(tender, lucia, "award_resolution")


def test_the_contracting_body_uploads_the_resolution_signed_with_autofirma_and_it_counts(
    resolution, lucia, pki
):
    signed = sign_pdf(_pdf(resolution), pki["lucia"])
    signature = document_signature_add(actor=lucia, document=resolution, upload=signed)
    assert signature.kind == DocumentSignature.Kind.PERSONAL and signature.role == "officer"
    assert signature.signer == lucia and LUCIA_DNI in signature.signer_national_id
    assert signature.signed_at is not None and signature.signed_at <= timezone.now()
    with signature.pdf.open("rb") as handle:
        assert handle.read() == signed


def test_a_file_signed_by_someone_else_is_refused_naming_the_signer(resolution, lucia, pki):
    signed = sign_pdf(_pdf(resolution), pki["marta"])
    with pytest.raises(ApplicationError) as refused:
        document_signature_add(actor=lucia, document=resolution, upload=signed)
    assert "signed by OCHOA MARTA - 87654321X, not by you" in refused.value.message
    assert refused.value.message.endswith("(L40/2015 art. 43.1).")
    assert not DocumentSignature.objects.filter(kind="personal").exists()


def test_a_signed_file_over_different_content_is_refused(resolution, lucia, pki, library):
    other = _ordered(resolution.tender, lucia, "award_resolution")
    signed = sign_pdf(_pdf(other), pki["lucia"])
    with pytest.raises(ApplicationError) as refused:
        document_signature_add(actor=lucia, document=resolution, upload=signed)
    assert f"is not {resolution.reference} as OpenCPI made it" in refused.value.message
    assert refused.value.message.endswith("(L39/2015 art. 26.2).")


def test_a_signed_file_changed_after_signing_is_refused(resolution, lucia, pki):
    signed = bytearray(sign_pdf(_pdf(resolution), pki["lucia"]))
    # A byte of the signed revision past the original document: the signature breaks.
    position = len(_pdf(resolution)) + 40
    signed[position] = ord("X") if signed[position] != ord("X") else ord("Y")
    with pytest.raises(ApplicationError) as refused:
        document_signature_add(actor=lucia, document=resolution, upload=bytes(signed))
    assert "changed" in refused.value.message


def test_a_certificate_off_the_trust_list_is_refused(resolution, lucia):
    stranger = TestCA("Unknown Issuer").person("Lucía", "Sáenz", LUCIA_DNI)
    signed = sign_pdf(_pdf(resolution), stranger)
    with pytest.raises(ApplicationError) as refused:
        document_signature_add(actor=lucia, document=resolution, upload=signed)
    assert "does not chain to a trusted certification authority" in refused.value.message
    assert refused.value.message.endswith("(L39/2015 art. 10.2.a).")


def test_an_unsigned_file_or_a_file_that_is_no_pdf_is_refused_clearly(resolution, lucia):
    with pytest.raises(ApplicationError) as unsigned:
        document_signature_add(actor=lucia, document=resolution, upload=_pdf(resolution))
    assert "has no electronic signature" in unsigned.value.message
    with pytest.raises(ApplicationError) as garbage:
        document_signature_add(actor=lucia, document=resolution, upload=b"not a pdf at all")
    assert "not a readable PDF" in garbage.value.message


def test_a_signatory_without_the_role_the_kind_needs_is_refused(resolution, library, pki):
    legal = library.user("legal.logrono")
    legal.national_id = "87654321X"
    legal.save(update_fields=["national_id"])
    signed = sign_pdf(_pdf(resolution), pki["marta"])
    with pytest.raises(PermissionDenied) as refused:
        document_signature_add(actor=legal, document=resolution, upload=signed)
    assert "signed by the contracting body" in refused.value.message


# --- verification by code --------------------------------------------------------------------


def test_the_verify_page_checks_a_public_sealed_document_by_its_printed_code(awarded, client):
    code = awarded.verification_code
    assert code in " ".join(pdf_text(_pdf(awarded)).split())
    page = client.get("/documents/verify/", {"code": code})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="verified"' in html
    assert awarded.title in html and awarded.tender.title in html
    assert 'data-testid="signature-valid"' in html and "Ayuntamiento de Logroño" in html
    assert f'href="/documents/{awarded.pk}/pdf/"' in html
    # Typed by hand: lower case, without the dash.
    again = client.get("/documents/verify/", {"code": code.lower().replace("-", "")})
    assert awarded.tender.title in again.content.decode()


def test_a_tampered_stored_file_is_reported_as_not_intact(awarded, client):
    data = bytearray(_pdf(awarded))
    data[len(data) // 2] ^= 0x01
    with awarded.pdf.open("wb") as handle:
        handle.write(bytes(data))
    html = client.get("/documents/verify/", {"code": awarded.verification_code}).content.decode()
    assert 'data-testid="not-intact"' in html


def test_a_private_document_shows_only_that_it_exists_and_is_intact(resolution, client):
    html = client.get("/documents/verify/", {"code": resolution.verification_code}).content.decode()
    assert 'data-testid="verified"' in html and "exists" in html and "intact" in html
    assert resolution.tender.title not in html
    assert f"/documents/{resolution.pk}/pdf/" not in html


def test_an_unknown_code_is_not_verified(library, client):
    html = client.get("/documents/verify/", {"code": "ABCDE-12345"}).content.decode()
    assert 'data-testid="not-verified"' in html
    html = client.get("/documents/verify/", {"code": "<script>"}).content.decode()
    assert 'data-testid="not-verified"' in html and "<script>" not in html


def test_the_hash_of_a_signed_copy_finds_its_document(awarded, lucia, pki, client, settings):
    signed = sign_pdf(_pdf(awarded), pki["lucia"])
    signature = document_signature_add(actor=lucia, document=awarded, upload=signed)
    html = client.get("/documents/verify/", {"sha256": signature.sha256}).content.decode()
    assert awarded.tender.title in html
    # The seal and the contracting body's signature, each validated again.
    assert html.count('data-testid="signature-valid"') == 2 and "SÁENZ LUCÍA" in html
    assert f'href="/documents/{awarded.pk}/signed.pdf"' in html
    assert client.get(f"/documents/{awarded.pk}/signed.pdf").status_code == 200


# --- upload through the web and the API ------------------------------------------------------


def test_a_signatory_uploads_the_signed_pdf_from_the_documents_page(resolution, lucia, pki, login):
    client = login("officer.logrono")
    page = client.get(f"/documents/process/{resolution.tender_id}/").content.decode()
    assert f'data-testid="sign-{resolution.pk}"' in page
    upload = SimpleUploadedFile("firmado.pdf", sign_pdf(_pdf(resolution), pki["lucia"]))
    reply = client.post(f"/documents/{resolution.pk}/signatures/", {"file": upload}, follow=True)
    assert "was validated and recorded" in reply.content.decode()
    assert resolution.signatures.filter(kind="personal", signer=lucia).exists()


def test_a_refused_upload_says_why_on_the_documents_page(resolution, lucia, pki, login):
    client = login("officer.logrono")
    upload = SimpleUploadedFile("firmado.pdf", sign_pdf(_pdf(resolution), pki["marta"]))
    reply = client.post(f"/documents/{resolution.pk}/signatures/", {"file": upload}, follow=True)
    assert "not by you" in reply.content.decode()
    assert not resolution.signatures.filter(kind="personal").exists()


def test_the_api_takes_a_signed_pdf_and_lists_the_signatures(resolution, lucia, pki, api_as):
    api = api_as("officer.logrono")
    url = f"/api/v1/documents/{resolution.pk}/signatures/"
    signed = SimpleUploadedFile("firmado.pdf", sign_pdf(_pdf(resolution), pki["lucia"]))
    created = api.post(url, {"file": signed}, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "personal" and "SÁENZ" in created.json()["signer_name"]
    listed = api.get(url).json()
    assert [s["kind"] for s in listed] == ["seal", "personal"]
    wrong = SimpleUploadedFile("firmado.pdf", sign_pdf(_pdf(resolution), pki["marta"]))
    refused = api.post(url, {"file": wrong}, format="multipart")
    assert refused.status_code == 400 and "not by you" in refused.json()["detail"]


def test_another_city_cannot_see_or_sign_a_private_document(resolution, pki, api_as):
    api = api_as("officer.terrassa")
    url = f"/api/v1/documents/{resolution.pk}/signatures/"
    assert api.get(url).status_code == 404
    signed = SimpleUploadedFile("firmado.pdf", sign_pdf(_pdf(resolution), pki["lucia"]))
    assert api.post(url, {"file": signed}, format="multipart").status_code == 404
    assert api.get("/api/v1/documents/999999/signatures/").status_code == 404


def test_the_value_report_is_signed_by_a_member_of_the_process_s_own_committee(
    resolution, lucia, pki, library
):
    report = _ordered(resolution.tender, lucia, "evaluation_report")
    marta = library.user("committee.logrono")
    assert resolution.tender.committee.filter(user=marta).exists()
    marta.national_id = "87654321X"
    marta.save(update_fields=["national_id"])
    signed = sign_pdf(_pdf(report), pki["marta"])
    assert document_signature_add(actor=marta, document=report, upload=signed).role == "committee"

    # A committee user of the city who does not sit on this process's committee is refused.
    outsider = colleague(city=library.city("logrono"), role="committee")
    outsider.national_id = "87654321X"
    outsider.save(update_fields=["national_id"])
    with pytest.raises(PermissionDenied) as refused:
        document_signature_add(actor=outsider, document=report, upload=signed)
    assert "a member of the contracting committee of this process" in refused.value.message
    assert refused.value.message.endswith("(LCSP arts. 146.2 and 157.5).")

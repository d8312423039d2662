"""Documents with legal force: the city's seal on what OpenCPI makes, and the personal
signatures signatories upload (L40/2015 arts. 42 and 43; L39/2015 arts. 10 and 26).

Every certificate is made in the test by its own authority (tests/factories/pki.py)."""

import pytest
from django.utils import timezone

from documents.models import DocumentSignature, GeneratedDocument
from documents.services import document_generate, document_order, document_pdf_rebuild
from documents.signatures import document_signature_add
from documents.signing import pdf_signatures_check
from procurement.core.exceptions import ApplicationError, PermissionDenied
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

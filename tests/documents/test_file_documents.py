"""The legal report and the credit certificate are documents of the file, uploaded already signed
by the legal team, and the file is approved only once both exist signed (LCSP DA 3ª.8 and art.
116.3; issue #17: "approving the file: the signed legal report and credit certificate")."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.file_documents import file_document_upload
from documents.models import FileDocument
from procurement.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from tenders.procedures.names import S, T
from tests.factories.pki import TestCA, sign_pdf, write_trust
from tests.factories.tenders import make_tender
from tests.factories.walks import signed_pdf, walk_to
from workflows.services import transition_options

pytestmark = pytest.mark.django_db

JAVIER_DNI = "87654321X"


@pytest.fixture(scope="module")
def ca():
    return TestCA()


@pytest.fixture
def javier(demo):
    """The legal team of Logroño, with the national ID his certificate carries."""
    legal = demo.user("legal.logrono")
    legal.national_id = JAVIER_DNI
    legal.save(update_fields=["national_id"])
    return legal


@pytest.fixture
def drafted(demo, ca, settings, tmp_path):
    """A Logroño process whose file is drafted, with the trust list installed (gates on)."""
    tender = make_tender(city=demo.city("logrono"), state=S.FILE_DRAFTED)
    write_trust(tmp_path / "trust", ca)
    settings.OPENCPI_TRUST_DIR = str(tmp_path / "trust")
    return tender


def _signed(ca, text="Informe jurídico favorable", dni=JAVIER_DNI, name=("Javier", "Ibáñez")):
    return sign_pdf(signed_pdf(text), ca.person(name[0], name[1], dni))


def _upload(actor, tender, kind, data):
    return file_document_upload(
        actor=actor, process_id=tender.pk, kind=kind, upload=SimpleUploadedFile("f.pdf", data)
    )


def test_approving_the_file_is_refused_naming_the_signed_legal_report_and_credit_certificate(
    demo, drafted
):
    officer = demo.user("officer.logrono")
    options = {o.name: o for o in transition_options(process=drafted, user=officer)}
    reasons = options[T.APPROVE_FILE].reasons
    assert any(
        "legal report signed by the legal team is missing" in r and r.endswith("(LCSP DA 3ª.8).")
        for r in reasons
    ), reasons
    assert any(
        "certificate that credit exists signed by the legal team is missing" in r
        and r.endswith("(LCSP art. 116.3).")
        for r in reasons
    ), reasons
    with pytest.raises(Conflict):
        walk_to(drafted, S.FILE_APPROVED)


def test_the_file_is_approved_once_both_signed_documents_are_uploaded(demo, drafted, javier, ca):
    report = _upload(javier, drafted, "legal_report", _signed(ca))
    certificate = _upload(
        javier, drafted, "credit_certificate", _signed(ca, "Existe crédito adecuado")
    )
    assert report.signer_name.startswith("IBÁÑEZ JAVIER") and report.signer_national_id.endswith(
        JAVIER_DNI
    )
    assert certificate.role == "legal" and certificate.trusted
    tender = walk_to(drafted, S.FILE_APPROVED)
    assert tender.status == S.FILE_APPROVED


def test_an_unsigned_report_is_refused_and_nothing_is_stored(drafted, javier):
    with pytest.raises(ApplicationError) as refused:
        _upload(javier, drafted, "legal_report", signed_pdf("Informe sin firmar"))
    assert "no electronic signature" in refused.value.message
    assert not FileDocument.objects.exists()


def test_a_report_signed_by_someone_else_is_refused(drafted, javier, ca):
    with pytest.raises(ApplicationError) as refused:
        _upload(javier, drafted, "legal_report", _signed(ca, dni="11111111H", name=("Ana", "Ruiz")))
    assert "signed by RUIZ ANA - 11111111H, not by you" in refused.value.message
    assert refused.value.message.endswith("(L40/2015 art. 43.1).")


def test_a_report_changed_after_signing_is_refused(drafted, javier, ca):
    data = bytearray(_signed(ca))
    position = data.index(b"Informe")
    data[position] = ord("X")
    with pytest.raises(ApplicationError) as refused:
        _upload(javier, drafted, "legal_report", bytes(data))
    assert "changed after it was signed" in refused.value.message


def test_a_certificate_from_an_untrusted_authority_is_refused(drafted, javier):
    stranger = TestCA("Unknown CA")
    data = sign_pdf(signed_pdf("Informe"), stranger.person("Javier", "Ibáñez", JAVIER_DNI))
    with pytest.raises(ApplicationError) as refused:
        _upload(javier, drafted, "legal_report", data)
    assert "trusted certification authority" in refused.value.message


def test_only_the_legal_team_uploads_them_and_other_cities_get_404(demo, drafted, ca):
    officer = demo.user("officer.logrono")
    with pytest.raises(PermissionDenied) as refused:
        _upload(officer, drafted, "credit_certificate", _signed(ca))
    assert refused.value.message.endswith("(LCSP art. 116.3).")
    with pytest.raises(NotFound):
        _upload(demo.user("legal.terrassa"), drafted, "legal_report", _signed(ca))


def test_the_web_form_and_the_api_upload_them_and_list_them(
    demo, drafted, javier, ca, client, api_as
):
    client.force_login(javier)
    page = client.post(
        f"/documents/process/{drafted.pk}/file-documents/",
        {"kind": "legal_report", "file": SimpleUploadedFile("informe.pdf", _signed(ca))},
    )
    assert page.status_code == 302
    listing = client.get(f"/documents/process/{drafted.pk}/")
    assert "IBÁÑEZ JAVIER" in listing.content.decode()

    api = api_as("legal.logrono")
    created = api.post(
        f"/api/v1/tenders/{drafted.pk}/file-documents/",
        {"kind": "credit_certificate", "file": SimpleUploadedFile("rc.pdf", _signed(ca, "RC"))},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "credit_certificate"
    refused = api.post(
        f"/api/v1/tenders/{drafted.pk}/file-documents/",
        {"kind": "credit_certificate", "file": SimpleUploadedFile("rc.pdf", b"%PDF-1.4 nothing")},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["detail"]
    listed = api.get(f"/api/v1/tenders/{drafted.pk}/file-documents/").json()
    assert {row["kind"] for row in listed} == {"legal_report", "credit_certificate"}
    assert (
        api_as("legal.terrassa").get(f"/api/v1/tenders/{drafted.pk}/file-documents/").status_code
        == 404
    )


def test_the_signed_reports_are_listed_and_downloaded_in_bounded_queries(
    drafted, javier, ca, api_as, client, django_assert_max_num_queries
):
    data = _signed(ca)
    report = _upload(javier, drafted, "legal_report", data)
    _upload(javier, drafted, "credit_certificate", _signed(ca, "RC"))
    api = api_as("legal.logrono")
    with django_assert_max_num_queries(12):
        listed = api.get(f"/api/v1/tenders/{drafted.pk}/file-documents/")
    assert len(listed.json()) == 2
    downloaded = api.get(f"/api/v1/tenders/{drafted.pk}/file-documents/{report.pk}/pdf/")
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == data
    client.force_login(javier)
    page = client.get(f"/documents/process/{drafted.pk}/file-documents/{report.pk}/signed.pdf")
    assert page.status_code == 200 and page["X-Document-SHA256"] == report.sha256
    stranger = api_as("legal.terrassa")
    assert (
        stranger.get(f"/api/v1/tenders/{drafted.pk}/file-documents/{report.pk}/pdf/").status_code
        == 404
    )

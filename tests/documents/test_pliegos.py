"""The pliegos are documents of the file: approved by the legal team before the file (LCSP arts.
116, 117, 122 and 124), published with the tender notice for anyone (LCSP art. 138.1), corrected
only as new versions (LCSP art. 122.1), a significant correction extending the bid deadline
(LCSP art. 136.2) and reaching every supplier who downloaded the pliegos."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import Pliego
from documents.pliego_services import pliego_approve, pliego_create
from procurement.core.exceptions import Conflict
from procurement.core.models import OutboundEmail
from tenders.consultation.subscriptions import subscription_save
from tenders.models import Tender
from tenders.procedures import PCP, S, T
from tests.factories.tenders import make_tender
from tests.factories.walks import signed_pdf
from workflows.services import transition_perform

# The queries counted here are those of rendering the pages.
pytestmark = pytest.mark.usefixtures("no_page_cache")

DAY = dt.timedelta(days=1)


def _upload(api, tender, kind, text="signed"):
    return api.post(
        f"/api/v1/tenders/{tender.pk}/pliegos/",
        {
            "kind": kind,
            "file": SimpleUploadedFile(f"{kind}.pdf", signed_pdf(text), "application/pdf"),
        },
        format="multipart",
    )


@pytest.fixture
def file_drafted(demo):
    """A Logroño CPTI process whose file is drafted, its reports recorded, and no pliegos yet."""
    tender = make_tender(city=demo.city("logrono"), state=S.FILE_DRAFTED, title="Riego inteligente")
    legal = demo.user("legal.logrono")
    for name, ref in (
        (T.RECORD_LEGAL_REPORT, "J-1"),
        (T.RECORD_CREDIT_CERTIFICATE, "RC-1"),
        (T.RECORD_AUDIT_REPORT, "F-1"),
    ):
        tender = transition_perform(process=tender, name=name, actor=legal, data={"reference": ref})
    return tender


@pytest.fixture
def published(demo, django_capture_on_commit_callbacks):
    """A Logroño CPTI tender published with its PCAP and PPT, every after-commit effect run;
    Acme is subscribed to Logroño's IT services."""
    subscription_save(
        actor=demo.user("supplier.acme"),
        supplier=demo.supplier("acme"),
        cpv_prefixes=["72"],
        cities=[demo.city("logrono")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        return make_tender(city=demo.city("logrono"), state=S.PUBLISHED, title="Riego inteligente")


def test_a_tender_cannot_be_file_approved_without_approved_pcap_and_ppt(demo, file_drafted):
    officer = demo.user("officer.logrono")
    with pytest.raises(Conflict) as refused:
        transition_perform(process=file_drafted, name=T.APPROVE_FILE, actor=officer)
    reasons = refused.value.reasons
    assert len(reasons) == 2
    assert all(reason.endswith("(LCSP arts. 116, 117, 122 and 124).") for reason in reasons)
    # A draft is not enough: the legal team approves it.
    pcap = pliego_create(
        actor=officer, process_id=file_drafted.pk, kind="pcap", upload=signed_pdf("p")
    )
    with pytest.raises(Conflict) as refused:
        transition_perform(process=file_drafted, name=T.APPROVE_FILE, actor=officer)
    assert len(refused.value.reasons) == 2
    pliego_approve(actor=demo.user("legal.logrono"), pliego=pcap)
    ppt = pliego_create(
        actor=officer, process_id=file_drafted.pk, kind="ppt", upload=signed_pdf("t")
    )
    pliego_approve(actor=demo.user("legal.logrono"), pliego=ppt)
    tender = transition_perform(process=file_drafted, name=T.APPROVE_FILE, actor=officer)
    assert tender.status == S.FILE_APPROVED


def test_a_pcp_file_needs_its_call_documents(demo):
    tender = make_tender(city=demo.city("logrono"), procedure=PCP, state=S.FILE_APPROVED)
    kinds = set(Pliego.objects.filter(tender=tender).values_list("kind", flat=True))
    assert kinds == {"pcp_call_documents"}


def test_the_legal_team_not_the_officer_approves_the_pliegos(demo, file_drafted, api_as):
    officer = api_as("officer.logrono")
    created = _upload(officer, file_drafted, "pcap")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    url = f"/api/v1/tenders/{file_drafted.pk}/pliegos/{created.json()['id']}/approve/"
    refused = officer.post(url)
    assert refused.status_code == 403
    assert "legal team" in refused.json()["detail"]
    approved = api_as("legal.logrono").post(url)
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["approved_at"]
    # Approved versions are frozen: approving again is refused, a new version supersedes.
    assert api_as("legal.logrono").post(url).status_code == 409


def test_an_upload_that_is_not_a_pdf_is_refused_with_a_reason(demo, file_drafted, api_as):
    response = api_as("officer.logrono").post(
        f"/api/v1/tenders/{file_drafted.pk}/pliegos/",
        {"kind": "pcap", "file": SimpleUploadedFile("pcap.pdf", b"<html>", "application/pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "not a PDF" in str(response.json())
    assert not Pliego.objects.filter(tender=file_drafted).exists()


def test_draft_pliegos_are_invisible_to_other_cities_and_suppliers(demo, file_drafted, api_as):
    created = _upload(api_as("officer.logrono"), file_drafted, "pcap").json()
    base = f"/api/v1/tenders/{file_drafted.pk}/pliegos/"
    for outsider in ("officer.terrassa", "supplier.acme", None):
        api = api_as(outsider)
        assert api.get(base).status_code == 404
        assert api.get(f"{base}{created['id']}/file/").status_code == 404
    assert api_as("legal.logrono").get(base).json()["results"][0]["id"] == created["id"]


def test_publishing_the_tender_publishes_its_pliegos_for_anyone(
    published, api_as, client, django_assert_max_num_queries
):
    pliegos = Pliego.objects.filter(tender=published)
    assert {(p.kind, p.status) for p in pliegos} == {("pcap", "public"), ("ppt", "public")}
    anonymous = api_as(None)
    with django_assert_max_num_queries(8):
        listed = anonymous.get(f"/api/v1/tenders/{published.pk}/pliegos/")
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert {row["kind"] for row in rows} == {"pcap", "ppt"}
    assert all(row["published_at"] and len(row["sha256"]) == 64 for row in rows)
    download = anonymous.get(rows[0]["file_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    # The portal's process page lists them with version, hash and a link anyone may follow.
    page = client.get(f"/portal/processes/{published.pk}/").content.decode()
    for row in rows:
        assert row["sha256"] in page and row["file_url"] in page
    # The tender notice's OCDS release lists them as bidding documents and specifications.
    record = _record(anonymous, published)
    documents = record["compiledRelease"]["tender"]["documents"]
    types = {d["documentType"] for d in documents if d["id"].startswith("pliego-")}
    assert types == {"biddingDocuments", "technicalSpecifications"}


def test_a_subscribed_supplier_hears_once_of_the_published_tender_and_where_its_pliegos_are(
    demo, published
):
    """Acme used to get two e-mails (and two in-app messages) for one publication: the alert
    and the pliegos' own."""
    from django.conf import settings

    from procurement.core.models import InAppMessage

    acme = demo.user("supplier.acme")
    mails = OutboundEmail.objects.filter(to=[acme.email], key__contains=f":{published.pk}:")
    assert mails.count() == 1
    assert f"{settings.OPENCPI_PUBLIC_URL}/portal/processes/{published.pk}/" in mails.get().body
    assert "138.1" in mails.get().body
    assert InAppMessage.objects.filter(recipient=acme).count() == 1


def _record(api, tender):
    from django.conf import settings

    ocid = f"{settings.OCDS_OCID_PREFIX}-{tender.pk}"
    response = api.get(f"/api/v1/ocds/records/{ocid}/")
    assert response.status_code == 200, response.content
    package = response.json()
    from tests.tenders.test_ocds import _schemas_or_skip

    try:
        _schemas_or_skip()
    except pytest.skip.Exception:
        return package["records"][0]
    from publication.ocds.validation import package_errors

    assert package_errors(package, kind="record") == []
    return package["records"][0]


def _amend(api, tender, pliego, **data):
    return api.post(
        f"/api/v1/tenders/{tender.pk}/pliegos/{pliego.pk}/amend/",
        {
            "file": SimpleUploadedFile("pcap-v2.pdf", signed_pdf("corrected"), "application/pdf"),
            **data,
        },
        format="multipart",
    )


def test_a_significant_correction_extends_the_deadline_everywhere_and_tells_downloaders(
    published, api_as, client, django_capture_on_commit_callbacks
):
    acme = api_as("supplier.acme")
    pcap = Pliego.objects.get(tender=published, kind="pcap")
    assert acme.get(f"/api/v1/tenders/{published.pk}/pliegos/{pcap.pk}/file/").status_code == 200
    new_deadline = published.submission_deadline + 10 * DAY
    with django_capture_on_commit_callbacks(execute=True):
        response = _amend(
            api_as("officer.logrono"),
            published,
            pcap,
            changes="The lot's budget goes from 200,000 to 250,000 euros.",
            significant="true",
            new_deadline=new_deadline.isoformat(),
        )
    assert response.status_code == 201, response.content
    corrected = response.json()
    assert corrected["number"] == 2 and corrected["amends"] == 1 and corrected["significant"]
    published.refresh_from_db()
    assert published.submission_deadline == new_deadline
    # The API shows the new deadline on the process and both versions, the old one superseded.
    anonymous = api_as(None)
    detail = anonymous.get(f"/api/v1/tenders/{published.pk}/").json()
    assert dt.datetime.fromisoformat(detail["submission_deadline"]) == new_deadline
    rows = anonymous.get(f"/api/v1/tenders/{published.pk}/pliegos/").json()["results"]
    statuses = {row["number"]: row["status"] for row in rows if row["kind"] == "pcap"}
    assert statuses == {1: "superseded", 2: "public"}
    # The portal says what changed; open data carries the amendment and the new end date.
    page = client.get(f"/portal/processes/{published.pk}/").content.decode()
    assert "250,000 euros" in page
    tender = _record(anonymous, published)["compiledRelease"]["tender"]
    assert tender["tenderPeriod"]["endDate"].startswith(new_deadline.strftime("%Y-%m-%dT"))
    assert tender["amendments"][0]["description"].startswith("The lot's budget")
    # Acme downloaded the PCAP and is told; the subscription e-mail was another one.
    mail = OutboundEmail.objects.get(key__startswith=f"pliego:{corrected['id']}:corrected:")
    # In the city's language (Logroño: Spanish), with the new deadline in the city's time.
    local = timezone.localtime(new_deadline, zoneinfo.ZoneInfo("Europe/Madrid"))
    assert local.strftime("%d/%m/%Y %H:%M") in mail.body and "250,000 euros" in mail.body
    assert "136.2" in mail.body


def test_a_correction_that_is_not_significant_keeps_the_deadline(published, api_as):
    pcap = Pliego.objects.get(tender=published, kind="pcap")
    deadline = published.submission_deadline
    response = _amend(
        api_as("officer.logrono"),
        published,
        pcap,
        changes="A typo in clause 4.",
        significant="false",
    )
    assert response.status_code == 201, response.content
    assert response.json()["new_deadline"] is None
    published.refresh_from_db()
    assert published.submission_deadline == deadline
    assert Tender.objects.get(pk=published.pk).status == S.PUBLISHED


def test_a_significant_correction_without_a_later_deadline_is_refused_and_changes_nothing(
    published, api_as
):
    pcap = Pliego.objects.get(tender=published, kind="pcap")
    response = _amend(
        api_as("officer.logrono"),
        published,
        pcap,
        changes="New award criterion.",
        significant="true",
        new_deadline=(published.submission_deadline - DAY).isoformat(),
    )
    assert response.status_code == 409
    assert "136.2" in str(response.json())
    assert Pliego.objects.filter(tender=published, kind="pcap").count() == 1


def test_after_the_file_is_approved_the_pliegos_change_only_by_correction(demo, api_as):
    tender = make_tender(city=demo.city("logrono"), state=S.FILE_APPROVED)
    response = _upload(api_as("officer.logrono"), tender, "pcap")
    assert response.status_code == 409
    assert "122.1" in response.json()["detail"]


def test_the_officer_uploads_and_the_legal_team_approves_on_the_process_page(
    demo, file_drafted, client
):
    client.force_login(demo.user("officer.logrono"))
    page = client.get(f"/processes/{file_drafted.pk}/")
    assert 'name="kind"' in page.content.decode()
    client.post(
        f"/documents/process/{file_drafted.pk}/pliegos/",
        {
            "kind": "ppt",
            "file": SimpleUploadedFile("ppt.pdf", signed_pdf("ppt"), "application/pdf"),
        },
    )
    pliego = Pliego.objects.get(tender=file_drafted, kind="ppt")
    assert pliego.status == Pliego.Status.DRAFT and pliego.source == Pliego.Source.UPLOADED
    # The officer is shown no approval button; the legal team is.
    assert (
        f"/pliegos/{pliego.pk}/approve/"
        not in client.get(f"/processes/{file_drafted.pk}/").content.decode()
    )
    client.force_login(demo.user("legal.logrono"))
    assert (
        f"/pliegos/{pliego.pk}/approve/"
        in client.get(f"/processes/{file_drafted.pk}/").content.decode()
    )
    client.post(f"/documents/process/{file_drafted.pk}/pliegos/{pliego.pk}/approve/")
    pliego.refresh_from_db()
    assert pliego.status == Pliego.Status.APPROVED and pliego.approved_by == demo.user(
        "legal.logrono"
    )


def test_a_supplier_reads_the_published_pliegos_on_the_process_page(published, client, demo):
    client.force_login(demo.user("supplier.acme"))
    page = client.get(f"/processes/{published.pk}/").content.decode()
    for pliego in Pliego.objects.filter(tender=published):
        assert pliego.sha256 in page
    assert "/amend/" not in page

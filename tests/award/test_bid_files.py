"""Bids as files: documents sealed in their envelopes, the DEUC, the check before sealing, the
receipt, prices above the lot's budget (RGLCAP art. 84) and amounts typed the Spanish way."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from tenders.award.deuc import deuc_example
from tenders.models import Bid, BidFile
from tests.award.conftest import DEADLINE, NOW
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

# The queries counted here are those of rendering the pages.
pytestmark = pytest.mark.usefixtures("no_page_cache")

DURING = NOW + dt.timedelta(days=1)
TECHNICAL = b"%PDF-1.4\n% Memoria tecnica: SECRET-TECHNICAL-PROPOSAL\n"
SIGNATURE = (
    b'<?xml version="1.0"?><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
    b"<ds:SignedInfo/></ds:Signature>"
)


def _envelopes(criteria, *, price="180000", deuc=True) -> dict:
    a = {"declaration": True}
    if deuc:
        a["deuc"] = deuc_example(name="Acme", tax_id="B26000003", email="ofertas@acme.example")
    return {
        "a": a,
        "b": {str(criteria["quality"].pk): "Sensores con calibración automática."},
        "c": {str(criteria["price"].pk): price, str(criteria["warranty"].pk): "4"},
    }


def _draft(api, tender, criteria, **kwargs) -> int:
    created = api.post(
        f"/api/v1/tenders/{tender.pk}/bids/",
        {"lot": 1, "envelopes": _envelopes(criteria, **kwargs)},
        format="json",
    )
    assert created.status_code == 201, created.json()
    return created.json()["id"]


def _upload(api, bid_id, envelope="b", name="memoria.pdf", content=TECHNICAL):
    return api.post(
        f"/api/v1/bids/{bid_id}/files/",
        {"envelope": envelope, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


# --- the quoted defect: 210.000 € on a lot of 200.000 € was sealed with "Guardado." ---------


def test_a_bid_of_210000_on_a_200000_lot_is_refused_citing_rglcap_84_and_nothing_is_sealed(
    tender_with_criteria, api_as, client, demo
):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        api = api_as("supplier.acme")
        refused = api.post(
            f"/api/v1/tenders/{tender.pk}/bids/",
            {"lot": 1, "envelopes": _envelopes(criteria, price="210.000 €")},
            format="json",
        )
        client.force_login(demo.user("supplier.acme"))
        form = {
            "lot": "1",
            "action": "review",
            "declaration": "on",
            f"b_{criteria['quality'].pk}": "Plan",
            f"c_{criteria['price'].pk}": "210.000,00",
            f"c_{criteria['warranty'].pk}": "3",
        }
        page = client.post(f"/processes/{tender.pk}/bid/", form)
    assert refused.status_code == 400
    detail = refused.json()["detail"]
    assert "budget" in detail and detail.endswith("(RGLCAP art. 84).")
    assert "210.000,00" in detail.replace("\xa0", " ") or "210,000.00" in detail
    assert page.status_code == 400
    text = page.content.decode()
    assert "RGLCAP art. 84" in text and "Saved." not in text and "Guardado" not in text
    assert not Bid.objects.filter(tender=tender).exists()


def test_a_price_at_the_budget_is_accepted(tender_with_criteria, api_as):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        bid_id = _draft(api_as("supplier.acme"), tender, criteria, price="200.000,00")
        summary = api_as("supplier.acme").get(f"/api/v1/bids/{bid_id}/summary/").json()
    price = next(f for f in summary["figures"] if f["is_price"])
    assert price["value"] == "200000.00"


# --- money as people type it ------------------------------------------------------------------


def test_1000_50_in_spanish_format_is_read_as_1000_50_in_the_web_form_and_the_api(
    tender_with_criteria, api_as, client, demo
):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        client.force_login(demo.user("supplier.acme"))
        saved = client.post(
            f"/processes/{tender.pk}/bid/",
            {
                "lot": "1",
                "action": "save",
                f"c_{criteria['price'].pk}": "1.000,50",
                f"c_{criteria['warranty'].pk}": "2",
            },
        )
        assert saved.status_code == 302
        nova = api_as("supplier.nova")
        bid_id = _draft(nova, tender, criteria, price="1.000,50")
        web_bid = Bid.objects.get(tender=tender, supplier__slug="acme")
        web_summary = api_as("supplier.acme").get(f"/api/v1/bids/{web_bid.pk}/summary/").json()
        api_summary = nova.get(f"/api/v1/bids/{bid_id}/summary/").json()
    for summary in (web_summary, api_summary):
        assert next(f for f in summary["figures"] if f["is_price"])["value"] == "1000.50"


def test_an_ambiguous_amount_is_refused_with_how_to_write_it(tender_with_criteria, api_as):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        refused = api_as("supplier.acme").post(
            f"/api/v1/tenders/{tender.pk}/bids/",
            {"lot": 1, "envelopes": _envelopes(criteria, price="1,000")},
            format="json",
        )
    assert refused.status_code == 400
    assert "1.000,50" in refused.json()["detail"]
    assert not Bid.objects.filter(tender=tender).exists()


def test_officers_type_lot_and_estimated_values_in_spanish_format(demo, api_as, client):
    from tests.factories.tenders import make_tender

    tender = make_tender(city=demo.city("logrono"), state="procedure_chosen", value=Decimal("1"))
    officer = api_as("officer.logrono")
    lot = officer.post(
        f"/api/v1/tenders/{tender.pk}/lots/", {"title": "Sensores", "value": "1.000,50"}
    )
    assert lot.status_code == 201, lot.json()
    assert lot.json()["value"] == "1000.50"
    ambiguous = officer.post(
        f"/api/v1/tenders/{tender.pk}/lots/", {"title": "Otro", "value": "1,000"}
    )
    assert ambiguous.status_code == 400 and "1.000,50" in str(ambiguous.json())
    client.force_login(demo.user("officer.logrono"))
    client.post(
        f"/processes/{tender.pk}/tender/",
        {"form": "lot", "title": "Mantenimiento", "value": "210.000 €"},
    )
    assert tender.lots.get(title="Mantenimiento").value == Decimal("210000.00")


# --- the check before sealing -----------------------------------------------------------------


def test_submit_without_confirmation_is_refused_and_the_summary_shows_what_will_be_sealed(
    tender_with_criteria, api_as
):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        api = api_as("supplier.acme")
        bid_id = _draft(api, tender, criteria)
        assert _upload(api, bid_id).status_code == 201
        unconfirmed = api.post(f"/api/v1/bids/{bid_id}/submit/")
        summary = api.get(f"/api/v1/bids/{bid_id}/summary/").json()
        assert Bid.objects.get(pk=bid_id).status == Bid.Status.DRAFT
        # A bid that changes after the summary was read is not submitted against it.
        _upload(api, bid_id, envelope="a", name="firma.xsig", content=SIGNATURE)
        stale = api.post(
            f"/api/v1/bids/{bid_id}/submit/",
            {"confirm": True, "fingerprint": summary["fingerprint"]},
            format="json",
        )
        fresh = api.get(f"/api/v1/bids/{bid_id}/summary/").json()
        confirmed = api.post(
            f"/api/v1/bids/{bid_id}/submit/",
            {"confirm": True, "fingerprint": fresh["fingerprint"]},
            format="json",
        )
    assert unconfirmed.status_code == 400 and "summary" in unconfirmed.json()["detail"]
    assert summary["lot"] == {"number": 1, "title": "Sensor network", "budget": "200000.00"}
    assert {f["name"]: f["value"] for f in summary["figures"]} == {
        "Price": "180000.00",
        "Warranty (years)": "4",
    }
    [listed] = summary["files"]
    assert (listed["envelope"], listed["name"], listed["size"]) == (
        "b",
        "memoria.pdf",
        len(TECHNICAL),
    )
    assert len(listed["sha256"]) == 64
    assert summary["deuc"]["notification_email"] == "ofertas@acme.example"
    assert summary["missing_deuc"] == []
    assert stale.status_code == 409
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "submitted"


def test_a_submission_needs_a_complete_deuc_citing_article_140(tender_with_criteria, api_as):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        api = api_as("supplier.acme")
        bid_id = _draft(api, tender, criteria, deuc=False)
        refused = api.post(f"/api/v1/bids/{bid_id}/submit/", {"confirm": True}, format="json")
        bad = api.put(
            f"/api/v1/bids/{bid_id}/deuc/", {"notification_email": "not-an-address"}, format="json"
        )
        partial = api.put(
            f"/api/v1/bids/{bid_id}/deuc/", {"name": "Acme", "tax_id": "B26000003"}, format="json"
        )
    assert refused.status_code == 409 and "LCSP art. 140.1.a" in str(refused.json())
    assert bad.status_code == 400 and "e-mail" in bad.json()["detail"]
    assert partial.status_code == 200
    assert any("140.1.a.4" in gap for gap in partial.json()["missing"])


def test_the_bidder_checks_the_summary_on_the_web_then_confirms_and_gets_the_receipt(
    tender_with_criteria, api_as, client, demo
):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        bid_id = _draft(api_as("supplier.acme"), tender, criteria)
        client.force_login(demo.user("supplier.acme"))
        uploaded = client.post(
            f"/processes/bids/{bid_id}/files/",
            {"envelope": "b", "file": SimpleUploadedFile("memoria.pdf", TECHNICAL)},
        )
        assert uploaded.status_code == 302
        page = client.get(f"/processes/bids/{bid_id}/confirm/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "memoria.pdf" in text and "ofertas@acme.example" in text
        fingerprint = page.context["summary"]["fingerprint"]
        unticked = client.post(f"/processes/bids/{bid_id}/confirm/", {"fingerprint": fingerprint})
        assert unticked.status_code == 400
        assert Bid.objects.get(pk=bid_id).status == Bid.Status.DRAFT
        done = client.post(
            f"/processes/bids/{bid_id}/confirm/", {"fingerprint": fingerprint, "confirm": "on"}
        )
        assert done.status_code == 302
        receipt = client.get(f"/processes/bids/{bid_id}/receipt/")
    assert Bid.objects.get(pk=bid_id).status == Bid.Status.SUBMITTED
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"


# --- sealed files -----------------------------------------------------------------------------


def test_files_are_stored_encrypted_and_the_committee_reads_them_only_after_the_opening(
    tender_with_criteria, api_as, demo
):
    tender, criteria = tender_with_criteria
    committee = demo.user("committee.logrono")
    with time_machine.travel(DURING, tick=False):
        acme = api_as("supplier.acme")
        bid_id = _draft(acme, tender, criteria)
        file_id = _upload(acme, bid_id, name="memoria-SECRET-NAME.pdf").json()["id"]
        assert (
            acme.post(
                f"/api/v1/bids/{bid_id}/submit/", {"confirm": True}, format="json"
            ).status_code
            == 200
        )
    item = BidFile.objects.get(pk=file_id)
    stored = (Path(settings.PRIVATE_MEDIA_ROOT) / item.file.name).read_bytes()
    assert b"SECRET" not in stored and stored != TECHNICAL
    assert b"SECRET" not in bytes(item.name_sealed) and "SECRET" not in item.file.name

    fire_due_events(models=MACHINES, now=DEADLINE + dt.timedelta(minutes=1))
    officer = api_as("officer.logrono")
    before = officer.get(f"/api/v1/bid-files/{file_id}/")
    listed_before = officer.get(f"/api/v1/bids/{bid_id}/files/").json()
    after = DEADLINE + dt.timedelta(days=1)
    with time_machine.travel(after, tick=False):
        api_as("committee.logrono").post(
            f"/api/v1/bids/{bid_id}/admission/", {"decision": "admitted"}, format="json"
        )
    tender.refresh_from_db()
    tender = transition_perform(process=tender, name="check_admin", actor=committee, now=after)
    transition_perform(process=tender, name="open_envelope_b", actor=committee, now=after)
    opened = officer.get(f"/api/v1/bid-files/{file_id}/")
    assert before.status_code == 404 and listed_before == []
    assert opened.status_code == 200 and opened.content == TECHNICAL
    assert opened["X-Content-Type-Options"] == "nosniff"
    assert [f["name"] for f in officer.get(f"/api/v1/bids/{bid_id}/files/").json()] == [
        "memoria-SECRET-NAME.pdf"
    ]
    # The bidder's own sealed file is not readable back after submission either.
    assert api_as("supplier.acme").get(f"/api/v1/bid-files/{file_id}/").status_code == 404


def test_other_suppliers_get_the_same_404_as_for_nothing(tender_with_criteria, api_as):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        acme = api_as("supplier.acme")
        bid_id = _draft(acme, tender, criteria)
        file_id = _upload(acme, bid_id).json()["id"]
        nova = api_as("supplier.nova")
        answers = [
            nova.get(f"/api/v1/bids/{bid_id}/summary/"),
            nova.get(f"/api/v1/bids/{bid_id}/files/"),
            nova.get(f"/api/v1/bid-files/{file_id}/"),
            nova.delete(f"/api/v1/bid-files/{file_id}/"),
            nova.get(f"/api/v1/bids/{bid_id}/receipt/"),
            nova.put(f"/api/v1/bids/{bid_id}/deuc/", {}, format="json"),
            _upload(nova, bid_id),
            nova.post(f"/api/v1/bids/{bid_id}/submit/", {"confirm": True}, format="json"),
        ]
        missing = nova.get("/api/v1/bid-files/999999/")
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert all(a.json() == missing.json() or "not found" in a.json()["detail"] for a in answers)
    assert BidFile.objects.filter(pk=file_id).exists()


def test_file_limits_are_refused_with_messages(tender_with_criteria, api_as, settings):
    tender, criteria = tender_with_criteria
    settings.BID_FILE_MAX_BYTES = 100
    settings.BID_FILE_MAX_COUNT = 1
    with time_machine.travel(DURING, tick=False):
        api = api_as("supplier.acme")
        bid_id = _draft(api, tender, criteria)
        word = _upload(api, bid_id, name="oferta.docx", content=b"PK\x03\x04 not a pdf")
        big = _upload(api, bid_id, content=b"%PDF-1.4" + b"x" * 200)
        first = _upload(api, bid_id, content=b"%PDF-1.4 ok")
        second = _upload(api, bid_id, content=b"%PDF-1.4 again")
        cades = _upload(api, bid_id, envelope="a", name="firma.p7s", content=_cades())
    assert word.status_code == 400 and "PDF" in word.json()["detail"]
    assert big.status_code == 400 and "limit" in big.json()["detail"]
    assert first.status_code == 201
    assert second.status_code == 400 and "1 files" in second.json()["detail"]
    assert cades.status_code == 201 and cades.json()["name"] == "firma.p7s"


def _cades() -> bytes:
    # The start of a DER CMS SignedData: SEQUENCE, then the pkcs7-signedData OID.
    return bytes.fromhex("3082010006092a864886f70d010702a0") + b"\x00" * 32


def test_the_receipt_pdf_has_the_time_and_every_hash(tender_with_criteria, api_as):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        api = api_as("supplier.acme")
        bid_id = _draft(api, tender, criteria)
        file_hash = _upload(api, bid_id).json()["sha256"]
        draft_receipt = api.get(f"/api/v1/bids/{bid_id}/receipt/")
        api.post(f"/api/v1/bids/{bid_id}/submit/", {"confirm": True}, format="json")
        receipt = api.get(f"/api/v1/bids/{bid_id}/receipt/")
    bid = Bid.objects.get(pk=bid_id)
    assert draft_receipt.status_code == 409
    assert receipt.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.content)).pages)
    flat = text.replace("\n", "").replace(" ", "")
    for digest in (bid.digest_a, bid.digest_b, bid.digest_c, file_hash):
        assert digest in flat
    assert "03/03/2026" in text  # DURING, in Logroño's time


def test_a_supplier_cannot_submit_or_add_files_after_the_deadline(tender_with_criteria, api_as):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        bid_id = _draft(api_as("supplier.acme"), tender, criteria)
    with time_machine.travel(DEADLINE + dt.timedelta(seconds=1), tick=False):
        api = api_as("supplier.acme")
        late = api.post(f"/api/v1/bids/{bid_id}/submit/", {"confirm": True}, format="json")
        late_file = _upload(api, bid_id)
    assert late.status_code == 409 and "deadline" in late.json()["detail"]
    assert late_file.status_code == 409
    assert Bid.objects.get(pk=bid_id).status == Bid.Status.DRAFT
    assert not BidFile.objects.exists()


@pytest.mark.parametrize("path", ["summary/", "files/", "deuc/"])
def test_the_bidders_reads_are_bounded_in_queries(
    tender_with_criteria, api_as, django_assert_max_num_queries, path
):
    tender, criteria = tender_with_criteria
    with time_machine.travel(DURING, tick=False):
        api = api_as("supplier.acme")
        bid_id = _draft(api, tender, criteria)
        for index in range(3):
            _upload(api, bid_id, name=f"anexo-{index}.pdf")
        with django_assert_max_num_queries(12):
            assert api.get(f"/api/v1/bids/{bid_id}/{path}").status_code == 200

"""A complete CPTI open procedure above the SARA threshold, through the API only: from a new need
to a signed contract, with no officer-recorded shortcuts.

Pliegos generated and uploaded, approved by the legal team and published with the notice; a
significant correction that extends the deadline; two suppliers bidding with files and a DEUC,
one first refused for a price above the lot's budget; evaluation, award, an appeal lodged by the
losing bidder and dismissed by the tribunal; the contract signed. Deadlines fall due through the
scheduler (``fire_due_events``), as beat fires them in production. The public API, the portal and
the OCDS record then show the pliegos, the correction and the award.
"""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from publication.ocds.builder import tender_ocid
from tenders.award.deuc import deuc_example
from tenders.models import Tender
from tests.e2e.conftest import ACT, AWARD_VALUE, VALUE, pdf
from workflows.registry import MACHINES
from workflows.services import fire_due_events

# After-commit effects (documents, publication, e-mail) run as they do in production.
pytestmark = pytest.mark.django_db(transaction=True)


def _step(api, tender_id: int, name: str, *, reason: str = "", **data):
    response = api.post(
        f"/api/v1/tenders/{tender_id}/transitions/{name}/",
        {"reason": reason, "data": data},
        format="json",
    )
    assert response.status_code == 200, (name, response.json())
    return response.json()


def _ok(response, status: int = 200):
    assert response.status_code == status, response.content[:2000]
    return (
        response.json()
        if response.get("Content-Type", "").startswith("application/json")
        else response
    )


def _due(at: dt.datetime) -> None:
    """The scheduler at ``at``: whatever fell due fires, as beat does every minute."""
    fire_due_events(models=MACHINES, now=at)


def test_an_open_procedure_above_sara_from_need_to_signed_contract_through_the_api(
    library, api_as, client
):
    officer, legal, committee = (
        api_as("officer.logrono"),
        api_as("legal.logrono"),
        api_as("committee.logrono"),
    )
    acme, nova = api_as("supplier.acme"), api_as("supplier.nova")
    public = api_as(None)

    # --- the need, its specifications and the file (LCSP arts. 28, 116–117) -----------------
    with time_machine.travel(ACT[0], tick=False):
        tender = _ok(
            officer.post(
                "/api/v1/tenders/",
                {
                    "title": "Red de sensores de calidad del aire",
                    "description": "Cut NO2 exposure near schools by 30 percent.",
                    "procedure": "cpti_open",
                    "estimated_value": "300.000,00",
                    "currency": "EUR",
                    "cpv_codes": ["38432000-2"],
                },
                format="json",
            ),
            201,
        )
        pk = tender["id"]
        assert Tender.objects.get(pk=pk).estimated_value == VALUE
        _step(officer, pk, "validate_need")
        _step(
            officer,
            pk,
            "skip_consultation",
            reason="The market was consulted last year for the same need (report 2025/114).",
        )
        _step(officer, pk, "draft_specs")
        _ok(
            officer.patch(
                f"/api/v1/tenders/{pk}/",
                {"functional_specifications": "Sensors every 200 m; open data every minute."},
                format="json",
            )
        )
        _step(officer, pk, "choose_procedure", procedure="cpti_open")
        _ok(
            officer.post(
                f"/api/v1/tenders/{pk}/lots/",
                {"title": "Sensor network", "value": "250.000,00"},
                format="json",
            ),
            201,
        )
        quality = _ok(
            officer.post(
                f"/api/v1/tenders/{pk}/criteria/",
                {"name": "Technical quality", "kind": "value_judgement", "weight": "60"},
                format="json",
            ),
            201,
        )
        price = _ok(
            officer.post(
                f"/api/v1/tenders/{pk}/criteria/",
                {
                    "name": "Price",
                    "kind": "formula",
                    "weight": "40",
                    "formula": "proportional_lowest",
                    "is_price": True,
                },
                format="json",
            ),
            201,
        )
        _ok(
            officer.post(
                f"/api/v1/tenders/{pk}/committee/",
                {"username": "committee.logrono", "role": "presidente"},
                format="json",
            ),
            201,
        )
        _step(officer, pk, "submit_file")
        _step(legal, pk, "record_legal_report", reference="Informe jurídico 2026/31")
        _step(legal, pk, "record_credit_certificate", reference="RC 2026/0458")
        _step(legal, pk, "record_audit_report", reference="Fiscalización previa 2026/77")

        # --- the pliegos: the PCAP from the city's template, the PPT uploaded signed ---------
        pcap = _ok(officer.post(f"/api/v1/tenders/{pk}/pliegos/", {"kind": "pcap"}), 201)
        ppt = _ok(
            officer.post(
                f"/api/v1/tenders/{pk}/pliegos/",
                {"kind": "ppt", "file": SimpleUploadedFile("ppt.pdf", pdf("PPT v1"))},
                format="multipart",
            ),
            201,
        )
        refused = officer.post(f"/api/v1/tenders/{pk}/transitions/approve_file/", {}, format="json")
        assert refused.status_code == 409
        assert "LCSP arts. 116, 117, 122 and 124" in " ".join(refused.json()["reasons"])
        # Approving is the legal team's, not the officer's.
        assert (
            officer.post(f"/api/v1/tenders/{pk}/pliegos/{pcap['id']}/approve/").status_code == 403
        )
        for pliego in (pcap, ppt):
            _ok(legal.post(f"/api/v1/tenders/{pk}/pliegos/{pliego['id']}/approve/"))
        _step(officer, pk, "approve_file")
        # Nothing is public before the notice.
        assert public.get(f"/api/v1/tenders/{pk}/pliegos/").status_code == 404

    # --- the notice: 35 days without a reduction (LCSP art. 156.2) -----------------------------
    with time_machine.travel(ACT[1], tick=False):
        too_soon = officer.post(
            f"/api/v1/tenders/{pk}/transitions/publish_tender/",
            {"data": {"submission_deadline": (ACT[1] + dt.timedelta(days=30)).isoformat()}},
            format="json",
        )
        assert too_soon.status_code == 409 and "156.2" in str(too_soon.json())
        deadline = ACT[1] + dt.timedelta(days=36)
        _step(officer, pk, "publish_tender", submission_deadline=deadline.isoformat())
        listed = _ok(public.get(f"/api/v1/tenders/{pk}/pliegos/"))["results"]
        assert {p["kind"] for p in listed} == {"pcap", "ppt"}
        assert all(p["published_at"] for p in listed)
        for supplier in (acme, nova):
            download = supplier.get(f"/api/v1/tenders/{pk}/pliegos/{ppt['id']}/file/")
            assert download.status_code == 200
            assert b"".join(download.streaming_content).startswith(b"%PDF")

    # --- a significant correction extends the deadline (LCSP art. 136.2) -----------------------
    with time_machine.travel(ACT[2], tick=False):
        new_deadline = deadline + dt.timedelta(days=10)
        amended = _ok(
            officer.post(
                f"/api/v1/tenders/{pk}/pliegos/{ppt['id']}/amend/",
                {
                    "changes": "Sensors every 150 m instead of 200 m.",
                    "significant": True,
                    "new_deadline": new_deadline.isoformat(),
                    "file": SimpleUploadedFile("ppt-v2.pdf", pdf("PPT v2")),
                },
                format="multipart",
            ),
            201,
        )
        assert amended["number"] == 2 and amended["significant"] is True
        detail = _ok(public.get(f"/api/v1/tenders/{pk}/"))
        assert dt.datetime.fromisoformat(detail["submission_deadline"]) == new_deadline

    # --- two suppliers bid with files; a price above the lot's budget is refused ---------------
    with time_machine.travel(ACT[3], tick=False):
        bids = {}
        for name, api, figure in (("acme", acme, "230.000,00"), ("nova", nova, "240.000,00")):
            body = {
                "lot": 1,
                "envelopes": {
                    "a": {
                        "declaration": True,
                        "deuc": deuc_example(
                            name=name.title(), tax_id="B26000001", email=f"bids@{name}.example"
                        ),
                    },
                    "b": {str(quality["id"]): f"Technical proposal of {name}."},
                    "c": {str(price["id"]): figure},
                },
            }
            if name == "acme":
                over = dict(
                    body, envelopes=dict(body["envelopes"], c={str(price["id"]): "260.000"})
                )
                refused = api.post(f"/api/v1/tenders/{pk}/bids/", over, format="json")
                assert refused.status_code in (400, 409)
                assert "RGLCAP art. 84" in str(refused.json())
            bid = _ok(api.post(f"/api/v1/tenders/{pk}/bids/", body, format="json"), 201)
            _ok(
                api.post(
                    f"/api/v1/bids/{bid['id']}/files/",
                    {"envelope": "b", "file": SimpleUploadedFile("memoria.pdf", pdf(name))},
                    format="multipart",
                ),
                201,
            )
            summary = _ok(api.get(f"/api/v1/bids/{bid['id']}/summary/"))
            assert (
                api.post(f"/api/v1/bids/{bid['id']}/submit/", {}, format="json").status_code == 400
            )
            _ok(
                api.post(
                    f"/api/v1/bids/{bid['id']}/submit/",
                    {"confirm": True, "fingerprint": summary["fingerprint"]},
                    format="json",
                )
            )
            receipt = api.get(f"/api/v1/bids/{bid['id']}/receipt/")
            assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
            bids[name] = bid["id"]

    # --- the deadline passes; the committee evaluates (LCSP arts. 141, 146, 157) ---------------
    _due(new_deadline + dt.timedelta(minutes=1))
    assert Tender.objects.get(pk=pk).status == "bids_closed"
    with time_machine.travel(ACT[4], tick=False):
        for bid_id in bids.values():
            _ok(
                committee.post(
                    f"/api/v1/bids/{bid_id}/admission/", {"decision": "admitted"}, format="json"
                )
            )
        _step(committee, pk, "check_admin")
        _step(committee, pk, "open_envelope_b")
        files = _ok(committee.get(f"/api/v1/bids/{bids['acme']}/files/"))
        assert [f["name"] for f in files] == ["memoria.pdf"]
        for name, points in (("acme", "55"), ("nova", "40")):
            _ok(
                committee.post(
                    f"/api/v1/tenders/{pk}/scores/",
                    {
                        "bid": bids[name],
                        "criterion": quality["id"],
                        "points": points,
                        "justification": "Measured against the PPT's requirements.",
                    },
                    format="json",
                ),
                201,
            )
        _step(committee, pk, "sign_value_report")
        _step(committee, pk, "open_envelope_c")
        _step(committee, pk, "rank")
        ranking = _ok(officer.get(f"/api/v1/tenders/{pk}/ranking/"))
        assert ranking[0]["supplier"].startswith("Acme")
        _step(committee, pk, "propose_award")
        _step(officer, pk, "request_documents")
        _ok(
            acme.post(
                f"/api/v1/bids/{bids['acme']}/award-documents/",
                {"file": SimpleUploadedFile("certificados.pdf", pdf("Certificados"))},
                format="multipart",
            ),
            201,
        )
        _step(officer, pk, "receive_documents")
        _step(officer, pk, "award")
    _due(ACT[4] + dt.timedelta(minutes=1))
    assert Tender.objects.get(pk=pk).status == "standstill"

    # --- the losing bidder appeals the award; the process is suspended (LCSP arts. 44, 53) -----
    with time_machine.travel(ACT[5], tick=False):
        inbox = _ok(nova.get("/api/v1/notifications/"))
        award_notice = next(n for n in inbox["results"] if "award" in str(n).lower())
        _ok(nova.get(f"/api/v1/notifications/{award_notice['id']}/"))
        appeal = _ok(
            nova.post(
                f"/api/v1/tenders/{pk}/appeals/",
                {
                    "act": "award",
                    "grounds": "The technical scores ignore our pilot in Terrassa.",
                    "files": [SimpleUploadedFile("recurso.pdf", pdf("Recurso especial"))],
                },
                format="multipart",
            ),
            201,
        )
        assert Tender.objects.get(pk=pk).status == "suspended_appeal"
        refused = officer.post(
            f"/api/v1/tenders/{pk}/transitions/sign_contract/", {}, format="json"
        )
        assert refused.status_code == 409
    with time_machine.travel(ACT[6], tick=False):
        _ok(
            officer.post(
                f"/api/v1/appeals/{appeal['id']}/resolve/",
                {"outcome": "dismissed", "text": "Resolución 210/2026 del tribunal: desestimado."},
                format="multipart",
            )
        )
        assert Tender.objects.get(pk=pk).status == "awaiting_signature"
        assert _ok(nova.get(f"/api/v1/appeals/{appeal['id']}/"))["status"] == "dismissed"

        # Dismissed, but the standstill still runs its 15 working days (LCSP art. 153.3).
        early = officer.post(f"/api/v1/tenders/{pk}/transitions/sign_contract/", {}, format="json")
        assert early.status_code == 409 and "153.3" in str(early.json())

    # --- the contract (LCSP art. 153) ----------------------------------------------------------
    with time_machine.travel(ACT[7], tick=False):
        _step(officer, pk, "sign_contract")
    tender = Tender.objects.get(pk=pk)
    assert tender.status == "contract_signed"
    awards = _ok(public.get(f"/api/v1/tenders/{pk}/awards/"))
    assert awards[0]["value"] in (AWARD_VALUE, "230000.00")

    # --- what the public sees: the portal and the OCDS record -----------------------------------
    history = {row["name"]: row for row in _ok(officer.get(f"/api/v1/tenders/{pk}/history/"))}
    for name in ("publish_tender", "extend_deadline", "record_appeal", "dismiss_appeal"):
        assert name in history, sorted(history)
    # The appeal suspended the process by itself (LCSP art. 53): no officer pressed a button.
    assert history["record_appeal"]["actor"] is None
    portal = client.get(f"/portal/processes/{pk}/")
    assert portal.status_code == 200
    page = portal.content.decode()
    assert "Sensors every 150 m instead of 200 m." in page
    assert pcap["sha256"] in page
    record = _ok(public.get(f"/api/v1/ocds/records/{tender_ocid(pk)}/"))
    compiled = record["records"][0]["compiledRelease"]
    kinds = {d["documentType"] for d in compiled["tender"]["documents"]}
    assert {"biddingDocuments", "technicalSpecifications"} <= kinds
    assert compiled["tender"]["amendments"][0]["rationale"]
    assert compiled["awards"][0]["suppliers"][0]["name"].startswith("Acme")

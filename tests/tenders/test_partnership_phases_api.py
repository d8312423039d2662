"""An innovation partnership through the API, from the notice to the purchase decision (issue
#16; LCSP arts. 177–182): the descriptive document defines its R&D phases with objectives and
criteria, four candidates request to participate themselves with sealed requests, three are
selected, a negotiation round is recorded, the candidates submit sealed final offers, the
committee scores them, two partners are awarded, the partnership is signed with phase
contracts whose milestones add up to their prices, deliverables are uploaded and scored, the
gate keeps one partner, milestones are accepted and paid, and the purchase of its results is
decided within the maximum cost it agreed. The OCDS record carries the phase contracts with
their milestones and payments and validates against the shared schema."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.utils import timezone

from procurement.accounts.models import User
from procurement.core.models import AuditEntry
from publication.ocds.builder import tender_ocid
from publication.ocds.effects import PUBLISHED_EFFECTS
from publication.ocds.services import ocds_release_write
from publication.ocds.validation import package_errors
from tenders.models import Notification, PhaseContract, Tender
from tenders.procedures import TRANSITION_BY_NAME
from tests.factories.tenders import make_tender
from tests.factories.walks import walk_to
from tests.tenders.conftest import fire, pdf_upload, score_phase
from workflows.services import process_fire_due

DAY = dt.timedelta(days=1)
PASSWORD = "opencpi-demo"

PHASES = [
    {
        "name": "Prototipo en circuito cerrado",
        "objectives": "Vehículo que circula solo entre peatones a 10 km/h en un circuito cerrado.",
        "duration_days": 120,
        "max_budget_per_supplier": "200000",
        "max_suppliers": 3,
    },
    {
        "name": "Piloto en el centro histórico",
        "objectives": "Seis meses de servicio con viajeros en las calles peatonales.",
        "duration_days": 180,
        "max_budget_per_supplier": "350000",
        "max_suppliers": 1,
    },
]
PHASE_CRITERIA = [
    {"name": "Seguridad entre peatones", "weight": "60", "threshold": "30"},
    {"name": "Autonomía y coste de operación", "weight": "40", "threshold": "10"},
]
AWARD_CRITERIA = [
    {"name": "Proyecto de I+D", "kind": "value_judgement", "weight": "70", "innovation": True},
    {
        "name": "Precio",
        "kind": "formula",
        "weight": "30",
        "formula": "proportional_lowest",
        "is_price": True,
    },
]


def _write_releases(tender) -> None:
    """Write the release of every published step, as the effects do after each commit."""
    for entry in AuditEntry.objects.filter(
        object_id=str(tender.pk), action=AuditEntry.Action.TRANSITION
    ).order_by("pk"):
        definition = TRANSITION_BY_NAME.get(entry.name)
        effects = set(definition.effects) if definition else set()
        if effects & set(PUBLISHED_EFFECTS):
            ocds_release_write(tender_id=tender.pk, audit_entry_id=entry.pk)


def _due(tender, moment=None) -> Tender:
    tender.refresh_from_db()
    process_fire_due(
        model=Tender, pk=tender.pk, now=(moment or tender.next_check) + dt.timedelta(minutes=1)
    )
    tender.refresh_from_db()
    return tender


def test_an_innovation_partnership_runs_from_the_notice_to_the_purchase_decision_through_the_api(
    demo, api_as, four_suppliers
):
    tender = make_tender(
        city=demo.city("logrono"),
        procedure="innovation_partnership",
        state="procedure_chosen",
        value=Decimal("1500000"),
    )
    officer = api_as("officer.logrono")

    # 1. The descriptive document: R&D phases with objectives and criteria, award criteria.
    phases = []
    for phase in PHASES:
        response = officer.post(f"/api/v1/tenders/{tender.pk}/phases/", phase, format="json")
        assert response.status_code == 201, response.json()
        phases.append(response.json())
        for criterion in PHASE_CRITERIA:
            response = officer.post(
                f"/api/v1/phases/{phases[-1]['id']}/criteria/", criterion, format="json"
            )
            assert response.status_code == 201, response.json()
    award_criteria = []
    for criterion in AWARD_CRITERIA:
        response = officer.post(f"/api/v1/tenders/{tender.pk}/criteria/", criterion, format="json")
        assert response.status_code == 201, response.json()
        award_criteria.append(response.json())
    tender = walk_to(tender, "notice_published")
    public = api_as(None).get(f"/api/v1/tenders/{tender.pk}/phases/").json()
    assert [p["objectives"] for p in public] == [p["objectives"] for p in PHASES]

    # 2. Candidates request to participate themselves (LCSP art. 178.1), sealed.
    requests = {}
    for username in four_suppliers:
        candidate = api_as(username)
        draft = candidate.post(
            f"/api/v1/tenders/{tender.pk}/phase-offers/",
            {"kind": "request", "capacity": "", "team": "Equipo"},
            format="json",
        )
        assert draft.status_code == 200, draft.json()
        request_id = draft.json()["id"]
        assert draft.json()["kind"] == "request"
        incomplete = candidate.post(f"/api/v1/phase-offers/{request_id}/submit/")
        assert incomplete.status_code == 409 and "178.3" in str(incomplete.json())
        saved = candidate.post(
            f"/api/v1/tenders/{tender.pk}/phase-offers/",
            {
                "kind": "request",
                "capacity": f"Capacidad de I+D de {username}: conducción autónoma y baterías.",
                "team": "Cuatro ingenieros de robótica y una doctora en seguridad funcional.",
            },
            format="json",
        )
        assert saved.status_code == 200 and saved.json()["id"] == request_id
        submitted = candidate.post(f"/api/v1/phase-offers/{request_id}/submit/")
        assert submitted.status_code == 200, submitted.json()
        assert len(submitted.json()["digest"]) == 64
        requests[username] = request_id
    # No final offer is taken while the notice is open.
    early = api_as("supplier.acme").post(
        f"/api/v1/tenders/{tender.pk}/phase-offers/",
        {"rd_plan": "Plan", "team": "Equipo", "prices": {"1": "1000"}},
        format="json",
    )
    assert early.status_code == 409
    # Sealed until the requests close: the city reads nothing, other candidates nothing.
    assert officer.get(f"/api/v1/tenders/{tender.pk}/phase-offers/").json() == []
    assert officer.get(f"/api/v1/phase-offers/{requests['supplier.acme']}/").status_code == 404
    nova = api_as("supplier.nova")
    assert nova.get(f"/api/v1/phase-offers/{requests['supplier.acme']}/").status_code == 404

    closes = tender.submission_deadline
    tender = _due(tender, closes)
    assert tender.status == "requests_closed"
    assert tender.participants.count() == 4
    ids = {u: User.objects.get(username=u).memberships.get().supplier_id for u in requests}

    with time_machine.travel(closes + dt.timedelta(hours=1), tick=True):
        officer, committee = api_as("officer.logrono"), api_as("committee.logrono")
        read = officer.get(f"/api/v1/tenders/{tender.pk}/phase-offers/").json()
        assert {r["kind"] for r in read} == {"request"} and len(read) == 4
        content = officer.get(f"/api/v1/phase-offers/{requests['supplier.nova']}/").json()
        assert "baterías" in content["capacity"]
        # The officer's old step is an exception that needs its reasons.
        unreasoned = fire(officer, tender, "register_applicant", {"supplier": ids["supplier.acme"]})
        assert unreasoned.status_code == 409 and "178.1" in str(unreasoned.json())

        # 3. Selection (art. 178.3), invitation and a negotiation round (art. 179).
        candidates = [ids["supplier.acme"], ids["supplier.nova"], ids["supplier.unirioja"]]
        done = fire(committee, tender, "select_candidates", {"candidates": candidates})
        assert done.status_code == 200, done.json()
        assert fire(officer, tender, "open_negotiation").status_code == 200
        minutes = "Primera ronda: cada candidata presenta su proyecto; se aclaran los requisitos."
        assert (
            fire(committee, tender, "record_negotiation_round", {"minutes": minutes}).status_code
            == 200
        )
        final_deadline = timezone.now() + 10 * DAY
        called = fire(
            officer,
            tender,
            "call_final_offers",
            {"submission_deadline": final_deadline.isoformat()},
        )
        assert called.status_code == 200, called.json()

        # 4. Final offers, submitted by the candidates themselves, sealed.
        offers = {}
        prices = {
            "supplier.acme": ("180000", "320000", "900.000,00"),
            "supplier.nova": ("150000", "300000", "850000"),
            "supplier.unirioja": ("120000", "280000", "990000"),
        }
        for username, (first, second, purchase) in prices.items():
            candidate = api_as(username)
            over = candidate.post(
                f"/api/v1/tenders/{tender.pk}/phase-offers/",
                {"rd_plan": "Plan", "team": "Equipo", "prices": {"1": "250000"}},
                format="json",
            )
            assert over.status_code == 400 and "200,000.00" in over.json()["detail"]
            saved = candidate.post(
                f"/api/v1/tenders/{tender.pk}/phase-offers/",
                {
                    "rd_plan": f"Proyecto de I+D de {username}: lanzadera autónoma de 8 plazas.",
                    "team": "Equipo de robótica, seguridad funcional y operación.",
                    "prices": {"1": first, "2": second},
                },
                format="json",
            )
            assert saved.status_code == 200, saved.json()
            offer_id = saved.json()["id"]
            assert saved.json()["kind"] == "offer" and offer_id != requests[username]
            missing = candidate.post(f"/api/v1/phase-offers/{offer_id}/submit/")
            assert missing.status_code == 409 and "181" in str(missing.json())
            saved = candidate.post(
                f"/api/v1/tenders/{tender.pk}/phase-offers/",
                {
                    "rd_plan": f"Proyecto de I+D de {username}: lanzadera autónoma de 8 plazas.",
                    "team": "Equipo de robótica, seguridad funcional y operación.",
                    "prices": {"1": first, "2": second},
                    "purchase_max_cost": purchase,
                },
                format="json",
            )
            assert saved.status_code == 200, saved.json()
            submitted = candidate.post(f"/api/v1/phase-offers/{offer_id}/submit/")
            assert submitted.status_code == 200, submitted.json()
            offers[username] = offer_id
        # A candidate not invited to negotiate submits no final offer (art. 179.1).
        stranger = api_as("supplier.lumen").post(
            f"/api/v1/tenders/{tender.pk}/phase-offers/",
            {"rd_plan": "Plan", "team": "Equipo", "prices": {"1": "1000"}},
            format="json",
        )
        assert stranger.status_code == 403 and "179.1" in stranger.json()["detail"]
        read = officer.get(f"/api/v1/tenders/{tender.pk}/phase-offers/").json()
        assert {r["kind"] for r in read} == {"request"}

    tender = _due(tender, final_deadline)
    assert tender.status == "final_offers_closed"

    with time_machine.travel(final_deadline + dt.timedelta(hours=1), tick=True):
        officer, committee = api_as("officer.logrono"), api_as("committee.logrono")
        finals = [
            r
            for r in officer.get(f"/api/v1/tenders/{tender.pk}/phase-offers/").json()
            if r["kind"] == "offer"
        ]
        assert len(finals) == 3
        content = officer.get(f"/api/v1/phase-offers/{offers['supplier.acme']}/").json()
        assert content["purchase_max_cost"] == "900000.00"
        assert content["prices"] == {"1": "180000.00", "2": "320000.00"}

        # 5. Evaluation: the committee scores every final offer on every award criterion.
        too_soon = fire(committee, tender, "evaluate_offers")
        assert too_soon.status_code == 409 and "179.2" in str(too_soon.json())
        points = {
            "supplier.acme": ("65", "25"),
            "supplier.nova": ("60", "30"),
            "supplier.unirioja": ("40", "28"),
        }
        for username, given in points.items():
            for criterion, value in zip(award_criteria, given, strict=True):
                scored = committee.post(
                    f"/api/v1/phase-offers/{offers[username]}/scores/",
                    {
                        "criterion": criterion["id"],
                        "points": value,
                        "justification": "Proyecto sólido, con pruebas previas en entorno real.",
                    },
                    format="json",
                )
                assert scored.status_code == 201, scored.json()
        assert (
            api_as("supplier.acme")
            .post(
                f"/api/v1/phase-offers/{offers['supplier.acme']}/scores/",
                {"criterion": award_criteria[0]["id"], "points": "70", "justification": "x" * 20},
                format="json",
            )
            .status_code
            == 404
        )
        evaluated = fire(committee, tender, "evaluate_offers")
        assert evaluated.status_code == 200, evaluated.json()

        # 6. Award to two partners; their phase-1 contracts are drafted at their prices.
        partners = [ids["supplier.acme"], ids["supplier.nova"]]
        awarded = fire(officer, tender, "award_partners", {"partners": partners})
        assert awarded.status_code == 200, awarded.json()
        contracts = officer.get(f"/api/v1/tenders/{tender.pk}/phase-contracts/").json()
        assert {c["supplier_id"] for c in contracts} == set(partners)
        acme = next(c for c in contracts if c["supplier_id"] == ids["supplier.acme"])
        assert acme["price"] == "180000.00" and acme["reference"].startswith("AI-")
        terms = officer.put(
            f"/api/v1/phase-contracts/{acme['id']}/",
            {
                "milestones": [
                    {
                        "title": "Diseño y simulación",
                        "amount": "80000",
                        "due_date": "2027-03-01",
                        "deliverable": "Informe de diseño y simulación",
                    },
                    {
                        "title": "Prototipo en circuito",
                        "amount": "100.000,00",
                        "due_date": "2027-05-01",
                        "deliverable": "Prototipo y ensayos en circuito cerrado",
                    },
                ],
                "ipr_owner": "shared",
            },
            format="json",
        )
        assert terms.status_code == 200, terms.json()

    # The standstill runs (LCSP art. 153.3), then the partnership is signed.
    tender = _due(tender)
    assert tender.status == "standstill"
    tender = _due(tender)
    assert tender.status == "awaiting_signature"
    signing = tender.standstill_ends_at + dt.timedelta(hours=1)
    with time_machine.travel(signing, tick=True):
        officer = api_as("officer.logrono")
        phase1_ends = timezone.now() + 120 * DAY
        signed = fire(
            officer, tender, "sign_partnership", {"phase_ends_at": phase1_ends.isoformat()}
        )
        assert signed.status_code == 200, signed.json()
        tender.refresh_from_db()
        assert (tender.status, tender.rd_phase, tender.rd_phases_total) == ("rd_phase", 1, 2)
        assert (
            PhaseContract.objects.filter(phase__tender=tender, signed_at__isnull=False).count() == 2
        )

        # 7. The partners deliver; another partner cannot deliver for them.
        contracts = officer.get(f"/api/v1/tenders/{tender.pk}/phase-contracts/").json()
        by_supplier = {c["supplier_id"]: c for c in contracts}
        for username in ("supplier.acme", "supplier.nova"):
            delivered = api_as(username).post(
                f"/api/v1/phase-contracts/{by_supplier[ids[username]]['id']}/deliverables/",
                {
                    "title": "Prototipo en circuito cerrado",
                    "summary": "Informe de ensayos: 400 km sin intervención entre peatones.",
                    "file": pdf_upload(f"prototipo-{username}"),
                },
                format="multipart",
            )
            assert delivered.status_code == 201, delivered.json()
        intruder = api_as("supplier.nova").post(
            f"/api/v1/phase-contracts/{by_supplier[ids['supplier.acme']]['id']}/deliverables/",
            {"title": "x", "summary": "y", "file": pdf_upload("x")},
            format="multipart",
        )
        assert intruder.status_code in (403, 404)

    tender = _due(tender, phase1_ends)
    assert tender.status == "rd_gate"

    with time_machine.travel(phase1_ends + dt.timedelta(hours=2), tick=True):
        officer, committee = api_as("officer.logrono"), api_as("committee.logrono")
        # 8. The gate needs the phase's scored evaluation (LCSP art. 180.1).
        ends2 = (timezone.now() + 180 * DAY).isoformat()
        keep = [ids["supplier.acme"]]
        unevaluated = fire(officer, tender, "continue_rd", {"keep": keep, "phase_ends_at": ends2})
        assert unevaluated.status_code == 409 and "report" in str(unevaluated.json())
        too_soon = fire(committee, tender, "evaluate_phase")
        assert too_soon.status_code == 409 and "scores" in str(too_soon.json())
        score_phase(
            committee,
            contracts,
            public[0]["criteria"],
            {ids["supplier.acme"]: ("55", "30"), ids["supplier.nova"]: ("45", "20")},
        )
        assert fire(committee, tender, "evaluate_phase").status_code == 200
        both = fire(officer, tender, "continue_rd", {"keep": partners, "phase_ends_at": ends2})
        assert both.status_code == 409 and "at most 1" in str(both.json())
        moved = fire(officer, tender, "continue_rd", {"keep": keep, "phase_ends_at": ends2})
        assert moved.status_code == 200, moved.json()
        tender.refresh_from_db()
        assert (tender.status, tender.rd_phase) == ("rd_phase", 2)
        results = {
            n.supplier_id: n
            for n in Notification.objects.filter(tender=tender, kind="phase_result")
        }
        assert set(results) == set(partners)
        assert "85.00" in results[ids["supplier.acme"]].body

        # Milestones of phase 1 accepted and paid.
        contracts = officer.get(f"/api/v1/tenders/{tender.pk}/phase-contracts/").json()
        acme1 = next(
            c for c in contracts if c["phase"] == 1 and c["supplier_id"] == ids["supplier.acme"]
        )
        assert acme1["outcome"] == "kept" and acme1["total_points"] == "85.00"
        for milestone in acme1["milestones"]:
            assert officer.post(f"/api/v1/milestones/{milestone['id']}/pay/").status_code == 409
            assert officer.post(f"/api/v1/milestones/{milestone['id']}/accept/").status_code == 200
            paid = officer.post(f"/api/v1/milestones/{milestone['id']}/pay/")
            assert paid.status_code == 200 and paid.json()["status"] == "paid"
        acme2 = next(c for c in contracts if c["phase"] == 2)
        assert acme2["supplier_id"] == ids["supplier.acme"] and acme2["price"] == "320000.00"
        assert acme2["signed_at"]

    # 9. The pilot ends; its evaluation; the R&D finishes; the purchase is decided (art. 181).
    ends = tender.phase_ends_at
    tender = _due(tender, ends)
    assert tender.status == "rd_gate"
    with time_machine.travel(ends + dt.timedelta(hours=1), tick=True):
        officer, committee = api_as("officer.logrono"), api_as("committee.logrono")
        unevaluated = fire(officer, tender, "finish_rd")
        assert unevaluated.status_code == 409 and "report" in str(unevaluated.json())
        score_phase(
            committee,
            [acme2],
            public[1]["criteria"],
            {ids["supplier.acme"]: ("50", "35")},
        )
        assert fire(committee, tender, "evaluate_phase").status_code == 200
        assert fire(officer, tender, "finish_rd").status_code == 200
        reason = "El piloto alcanzó los niveles de rendimiento y costes máximos acordados."
        over = fire(
            officer,
            tender,
            "decide_purchase",
            {
                "purchase": True,
                "supplier": ids["supplier.acme"],
                "items": "Cuatro lanzaderas autónomas con su mantenimiento durante cuatro años.",
                "amount": "950000",
            },
            reason=reason,
        )
        assert over.status_code == 409 and "900,000.00" in str(over.json())
        dropped = fire(
            officer,
            tender,
            "decide_purchase",
            {
                "purchase": True,
                "supplier": ids["supplier.nova"],
                "items": "Cuatro lanzaderas autónomas con su mantenimiento.",
                "amount": "800000",
            },
            reason=reason,
        )
        assert dropped.status_code == 409 and "181.1" in str(dropped.json())
        bought = fire(
            officer,
            tender,
            "decide_purchase",
            {
                "purchase": True,
                "supplier": ids["supplier.acme"],
                "items": "Cuatro lanzaderas autónomas con su mantenimiento durante cuatro años.",
                "amount": "880.000,00",
            },
            reason=reason,
        )
        assert bought.status_code == 200, bought.json()
    tender.refresh_from_db()
    assert (tender.status, tender.purchase_decided) == ("purchase_decided", True)
    decision = AuditEntry.objects.filter(object_id=str(tender.pk), name="decide_purchase").get()
    assert decision.data["supplier"] == ids["supplier.acme"]
    assert decision.data["amount"] == "880.000,00"

    # 10. Open data: phase contracts with milestones and payments, the phase results and the
    # purchase, in a record that validates against the shared OCDS schema.
    _write_releases(tender)
    package = api_as(None).get(f"/api/v1/ocds/records/{tender_ocid(tender.pk)}/").json()
    assert package_errors(package, kind="record") == []
    compiled = package["records"][0]["compiledRelease"]
    by_id = {c["id"]: c for c in compiled["contracts"]}
    acme_id = ids["supplier.acme"]
    first = by_id[f"contract-phase1-supplier{acme_id}"]
    assert first["value"] == {"amount": 180000.0, "currency": "EUR"}
    assert [m["status"] for m in first["milestones"]] == ["met", "met"]
    assert sum(t["value"]["amount"] for t in first["implementation"]["transactions"]) == 180000
    assert first["implementation"]["milestones"][0]["type"] == "assessment"
    assert f"contract-phase2-supplier{acme_id}" in by_id
    assert f"contract-phase2-supplier{ids['supplier.nova']}" not in by_id
    purchase = next(c for c in compiled["contracts"] if c["id"].startswith("contract-purchase"))
    assert purchase["value"] == {"amount": 880000.0, "currency": "EUR"}
    assert "lanzaderas" in purchase["description"]

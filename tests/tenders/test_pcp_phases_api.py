"""A PCP through the API, from the call to the final evaluation (issue #16): the call defines its
phases and criteria, four suppliers submit sealed offers themselves, three are selected, each
has a phase contract with milestones and IPR terms, phase-1 deliverables are uploaded and
scored, the evaluation report closes the phase, two suppliers are kept and told their scores,
milestones are accepted and paid, and the last phases run to the final evaluation."""

import datetime as dt
from decimal import Decimal

import time_machine
from django.utils import timezone, translation
from django.utils.translation import gettext

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
        "name": "Diseño de la solución",
        "objectives": "Arquitectura y viabilidad técnica del sensor de aforo.",
        "duration_days": 60,
        "max_budget_per_supplier": "50.000,00",
        "max_suppliers": 4,
    },
    {
        "name": "Prototipo",
        "duration_days": 120,
        "max_budget_per_supplier": "150000",
        "max_suppliers": 2,
    },
    {
        "name": "Prueba de campo",
        "duration_days": 180,
        "max_budget_per_supplier": "300000",
        "max_suppliers": 2,
    },
]
CRITERIA = [
    {"name": "Viabilidad técnica", "weight": "60", "threshold": "30"},
    {"name": "Grado de innovación", "weight": "40", "threshold": "15"},
]


def test_a_pcp_runs_from_the_call_to_the_final_evaluation_through_the_api(
    demo, api_as, four_suppliers
):
    tender = make_tender(city=demo.city("logrono"), procedure="pcp", state="procedure_chosen")
    officer = api_as("officer.logrono")

    # 1. The call defines its phases and each phase's criteria while it is drafted.
    phases = []
    for phase in PHASES:
        response = officer.post(f"/api/v1/tenders/{tender.pk}/phases/", phase, format="json")
        assert response.status_code == 201, response.json()
        phases.append(response.json())
        for criterion in CRITERIA:
            response = officer.post(
                f"/api/v1/phases/{phases[-1]['id']}/criteria/", criterion, format="json"
            )
            assert response.status_code == 201, response.json()
    assert [p["number"] for p in phases] == [1, 2, 3]
    assert phases[0]["max_budget_per_supplier"] == "50000.00"
    refused = officer.post(
        f"/api/v1/phases/{phases[0]['id']}/criteria/",
        {"name": "Umbral imposible", "weight": "10", "threshold": "11"},
        format="json",
    )
    assert refused.status_code == 400 and "threshold" in refused.json()["detail"]
    assert api_as("supplier.acme").post(
        f"/api/v1/tenders/{tender.pk}/phases/", PHASES[0], format="json"
    ).status_code in (403, 404)

    tender = walk_to(tender, "call_published")
    frozen = officer.post(f"/api/v1/tenders/{tender.pk}/phases/", PHASES[0], format="json")
    assert frozen.status_code == 409
    public = api_as(None).get(f"/api/v1/tenders/{tender.pk}/phases/").json()
    assert [len(p["criteria"]) for p in public] == [2, 2, 2]

    # 2. Four suppliers apply themselves with sealed offers covering every phase.
    prices = {
        "supplier.acme": ("45000", "140000", "290000"),
        "supplier.nova": ("48.000,00", "150000", "300000"),
        "supplier.unirioja": ("30000", "100000", "250000"),
        "supplier.lumen": ("50000", "150000", "300000"),
    }
    offers = {}
    for username in four_suppliers:
        supplier = api_as(username)
        over = supplier.post(
            f"/api/v1/tenders/{tender.pk}/phase-offers/",
            {"rd_plan": "Plan", "team": "Equipo", "prices": {"1": "60000"}},
            format="json",
        )
        assert over.status_code == 400 and "50,000.00" in over.json()["detail"]
        incomplete = supplier.post(
            f"/api/v1/tenders/{tender.pk}/phase-offers/",
            {"rd_plan": "Plan de I+D en tres fases.", "team": "", "prices": {"1": "1000"}},
            format="json",
        )
        assert incomplete.status_code == 200
        offer_id = incomplete.json()["id"]
        refused = supplier.post(f"/api/v1/phase-offers/{offer_id}/submit/")
        assert refused.status_code == 409
        assert "team" in str(refused.json()) and "phase 2" in str(refused.json())
        saved = supplier.post(
            f"/api/v1/tenders/{tender.pk}/phase-offers/",
            {
                "rd_plan": f"Plan de I+D de {username}: sensores, algoritmos y piloto.",
                "team": "Dos doctores en visión artificial y un ingeniero de campo.",
                "prices": dict(zip(("1", "2", "3"), prices[username], strict=True)),
            },
            format="json",
        )
        assert saved.status_code == 200, saved.json()
        added = api_as(username).post(
            f"/api/v1/phase-offers/{offer_id}/files/",
            {"file": pdf_upload(f"memoria-{username}")},
            format="multipart",
        )
        assert added.status_code == 201, added.json()
        submitted = supplier.post(f"/api/v1/phase-offers/{offer_id}/submit/")
        assert submitted.status_code == 200, submitted.json()
        assert submitted.json()["status"] == "submitted" and len(submitted.json()["digest"]) == 64
        offers[username] = offer_id
    # Sealed until the call closes: the city reads nothing, other suppliers nothing.
    assert officer.get(f"/api/v1/tenders/{tender.pk}/phase-offers/").json() == []
    assert officer.get(f"/api/v1/phase-offers/{offers['supplier.acme']}/").status_code == 404
    assert (
        api_as("supplier.nova").get(f"/api/v1/phase-offers/{offers['supplier.acme']}/").status_code
        == 404
    )
    # The officer's old step is an exception that needs its reasons.
    tender.refresh_from_db()
    closes = tender.submission_deadline
    process_fire_due(model=Tender, pk=tender.pk, now=closes + dt.timedelta(minutes=1))
    tender.refresh_from_db()
    assert tender.status == "offers_closed"
    assert tender.participants.count() == 4

    with time_machine.travel(closes + dt.timedelta(hours=1), tick=True):
        officer = api_as("officer.logrono")
        read = officer.get(f"/api/v1/tenders/{tender.pk}/phase-offers/").json()
        assert len(read) == 4
        content = officer.get(f"/api/v1/phase-offers/{offers['supplier.nova']}/").json()
        assert content["prices"] == {"1": "48000.00", "2": "150000.00", "3": "300000.00"}
        assert content["files"][0]["name"] == "memoria-supplier-nova.pdf"
        unreasoned = fire(officer, tender, "register_applicant", {"supplier": 1})
        assert unreasoned.status_code == 409

        # 3. The committee selects three; their phase-1 contracts are drafted at their prices.
        committee = api_as("committee.logrono")
        ids = {u: User.objects.get(username=u).memberships.get().supplier_id for u in offers}
        selected = [ids["supplier.acme"], ids["supplier.nova"], ids["supplier.unirioja"]]
        done = fire(committee, tender, "select_suppliers", {"suppliers": selected})
        assert done.status_code == 200, done.json()
        contracts = officer.get(f"/api/v1/tenders/{tender.pk}/phase-contracts/").json()
        assert len(contracts) == 3
        acme = next(c for c in contracts if c["supplier_id"] == ids["supplier.acme"])
        assert acme["price"] == "45000.00" and acme["ipr_owner"] == "supplier"
        assert "licence" in acme["buyer_licence"] and acme["call_back"]
        assert sum(Decimal(m["amount"]) for m in acme["milestones"]) == Decimal("45000")

        # The officer sets the milestones: they must add up to the phase price.
        wrong = officer.put(
            f"/api/v1/phase-contracts/{acme['id']}/",
            {
                "milestones": [
                    {
                        "title": "Informe de diseño",
                        "amount": "20000",
                        "due_date": "2027-02-01",
                        "deliverable": "Informe de diseño",
                    }
                ]
            },
            format="json",
        )
        assert wrong.status_code == 400 and "45,000.00" in wrong.json()["detail"]
        terms = officer.put(
            f"/api/v1/phase-contracts/{acme['id']}/",
            {
                "milestones": [
                    {
                        "title": "Informe de diseño",
                        "amount": "20000",
                        "due_date": "2027-02-01",
                        "deliverable": "Informe de diseño",
                    },
                    {
                        "title": "Arquitectura validada",
                        "amount": "25.000,00",
                        "due_date": "2027-03-01",
                        "deliverable": "Arquitectura y plan de prototipo",
                    },
                ],
                "ipr_owner": "supplier",
                "publication": "El Ayuntamiento publica un resumen no confidencial.",
            },
            format="json",
        )
        assert terms.status_code == 200, terms.json()
        assert [m["amount"] for m in terms.json()["milestones"]] == ["20000.00", "25000.00"]

        phase1_ends = timezone.now() + 60 * DAY
        started = fire(officer, tender, "start_phase1", {"phase_ends_at": phase1_ends.isoformat()})
        assert started.status_code == 200, started.json()
        assert PhaseContract.objects.filter(phase__number=1, signed_at__isnull=False).count() == 3

        # 4. Deliverables: two suppliers deliver in time.
        contracts = officer.get(f"/api/v1/tenders/{tender.pk}/phase-contracts/").json()
        by_supplier = {c["supplier_id"]: c for c in contracts}
        for username in ("supplier.acme", "supplier.nova"):
            delivered = api_as(username).post(
                f"/api/v1/phase-contracts/{by_supplier[ids[username]]['id']}/deliverables/",
                {
                    "title": "Diseño de la solución",
                    "summary": "Arquitectura, cálculo de coste y plan del prototipo.",
                    "file": pdf_upload(f"diseno-{username}"),
                },
                format="multipart",
            )
            assert delivered.status_code == 201, delivered.json()
            assert delivered.json()["late"] is False
        stranger = api_as("supplier.nova").post(
            f"/api/v1/phase-contracts/{by_supplier[ids['supplier.acme']]['id']}/deliverables/",
            {"title": "x", "summary": "y", "file": pdf_upload("x")},
            format="multipart",
        )
        assert stranger.status_code in (403, 404)

    process_fire_due(model=Tender, pk=tender.pk, now=phase1_ends + dt.timedelta(minutes=1))
    tender.refresh_from_db()
    assert tender.status == "phase1_gate"

    with time_machine.travel(phase1_ends + dt.timedelta(hours=2), tick=True):
        officer, committee = api_as("officer.logrono"), api_as("committee.logrono")
        # The university delivers late; the city sees it.
        late = api_as("supplier.unirioja").post(
            f"/api/v1/phase-contracts/{by_supplier[ids['supplier.unirioja']]['id']}/deliverables/",
            {"title": "Diseño", "summary": "Entregado tarde.", "file": pdf_upload("tarde")},
            format="multipart",
        )
        assert late.status_code == 201 and late.json()["late"] is True

        # 5. Scored evaluation: the gate needs the evaluation (and its report) first.
        too_soon = fire(committee, tender, "evaluate_phase")
        assert too_soon.status_code == 409 and "scores" in str(too_soon.json())
        score_phase(
            committee,
            contracts,
            public[0]["criteria"],
            {
                ids["supplier.acme"]: ("55", "35"),
                ids["supplier.nova"]: ("45", "30"),
                ids["supplier.unirioja"]: ("25", "20"),  # below the 30-point threshold
            },
        )
        keep = [ids["supplier.acme"], ids["supplier.nova"]]
        ends2 = (timezone.now() + 120 * DAY).isoformat()
        unevaluated = fire(committee, tender, "pass_gate1", {"keep": keep, "phase_ends_at": ends2})
        assert unevaluated.status_code == 409 and "report" in str(unevaluated.json())
        evaluated = fire(committee, tender, "evaluate_phase")
        assert evaluated.status_code == 200, evaluated.json()
        below = fire(
            committee,
            tender,
            "pass_gate1",
            {"keep": [ids["supplier.acme"], ids["supplier.unirioja"]], "phase_ends_at": ends2},
        )
        assert below.status_code == 409 and "threshold" in str(below.json())
        passed = fire(committee, tender, "pass_gate1", {"keep": keep, "phase_ends_at": ends2})
        assert passed.status_code == 200, passed.json()

        results = {
            n.supplier_id: n
            for n in Notification.objects.filter(tender=tender, kind="phase_result")
        }
        assert set(results) == set(selected)
        assert "not kept" in results[ids["supplier.unirioja"]].body
        assert "45.00" in results[ids["supplier.unirioja"]].body
        assert "90.00" in results[ids["supplier.acme"]].body

        # Milestones accepted, then paid.
        contracts = officer.get(f"/api/v1/tenders/{tender.pk}/phase-contracts/").json()
        acme1 = next(
            c for c in contracts if c["phase"] == 1 and c["supplier_id"] == ids["supplier.acme"]
        )
        assert acme1["outcome"] == "kept" and acme1["total_points"] == "90.00"
        for milestone in acme1["milestones"]:
            unpaid = officer.post(f"/api/v1/milestones/{milestone['id']}/pay/")
            assert unpaid.status_code == 409
            assert officer.post(f"/api/v1/milestones/{milestone['id']}/accept/").status_code == 200
            paid = officer.post(f"/api/v1/milestones/{milestone['id']}/pay/")
            assert paid.status_code == 200 and paid.json()["status"] == "paid"
        assert (
            api_as("supplier.acme").post(f"/api/v1/milestones/{milestone['id']}/pay/").status_code
            == 404
        )
        phase2 = [c for c in contracts if c["phase"] == 2]
        assert {c["supplier_id"] for c in phase2} == set(keep)
        assert all(c["signed_at"] for c in phase2)
        nova2 = next(c for c in phase2 if c["supplier_id"] == ids["supplier.nova"])
        assert nova2["price"] == "150000.00"

    # The prototype and the field test run to the final evaluation.
    tender.refresh_from_db()
    for gate, criteria, following in (
        ("phase2_gate", public[1]["criteria"], "pass_gate2"),
        ("final_evaluation", public[2]["criteria"], None),
    ):
        ends = tender.phase_ends_at
        process_fire_due(model=Tender, pk=tender.pk, now=ends + dt.timedelta(minutes=1))
        tender.refresh_from_db()
        assert tender.status == gate
        with time_machine.travel(ends + dt.timedelta(hours=1), tick=True):
            committee = api_as("committee.logrono")
            running = [
                c
                for c in api_as("officer.logrono")
                .get(f"/api/v1/tenders/{tender.pk}/phase-contracts/")
                .json()
                if c["outcome"] == "" and c["signed_at"]
            ]
            assert len(running) == 2
            score_phase(committee, running, criteria, dict.fromkeys(keep, ("50", "30")))
            assert fire(committee, tender, "evaluate_phase").status_code == 200
            if following:
                moved = fire(
                    committee,
                    tender,
                    following,
                    {"keep": keep, "phase_ends_at": (timezone.now() + 180 * DAY).isoformat()},
                )
                assert moved.status_code == 200, moved.json()
        tender.refresh_from_db()
    outcomes = PhaseContract.objects.filter(phase__tender=tender, phase__number=3)
    assert {c.outcome for c in outcomes} == {"completed"}
    assert {c.total_points for c in outcomes} == {Decimal("80.00")}

    # 6. Open data: the record carries each phase contract's milestones, the payments made and
    # the phase results, and validates against the shared OCDS schema.
    _write_releases(tender)
    ocid = tender_ocid(tender.pk)
    package = api_as(None).get(f"/api/v1/ocds/records/{ocid}/").json()
    assert package_errors(package, kind="record") == []
    compiled = package["records"][0]["compiledRelease"]
    by_id = {c["id"]: c for c in compiled["contracts"]}
    acme_id = ids["supplier.acme"]
    acme1 = by_id[f"contract-phase1-supplier{acme_id}"]
    assert acme1["value"] == {"amount": 45000.0, "currency": "EUR"}
    assert [m["status"] for m in acme1["milestones"]] == ["met", "met"]
    assert {m["type"] for m in acme1["milestones"]} == {"payment"}
    assert sum(t["value"]["amount"] for t in acme1["implementation"]["transactions"]) == 45000
    [result] = acme1["implementation"]["milestones"]
    assert result["type"] == "assessment" and "90.00" in result["description"]
    # Open data is written in Spanish, the language of the city.
    with translation.override("es"):
        kept, not_kept = gettext("kept for the next phase"), gettext("not kept")
    assert kept in result["description"]
    uni1 = by_id[f"contract-phase1-supplier{ids['supplier.unirioja']}"]
    assert not_kept in uni1["implementation"]["milestones"][0]["description"]
    assert {m["status"] for m in uni1["milestones"]} == {"scheduled"}
    assert f"contract-phase3-supplier{acme_id}" in by_id
    assert f"contract-phase2-supplier{ids['supplier.unirioja']}" not in by_id


def _write_releases(tender) -> None:
    """Write the release of every published step, as the effects do after each commit."""
    for entry in AuditEntry.objects.filter(
        object_id=str(tender.pk), action=AuditEntry.Action.TRANSITION
    ).order_by("pk"):
        definition = TRANSITION_BY_NAME.get(entry.name)
        effects = set(definition.effects) if definition else set()
        if effects & set(PUBLISHED_EFFECTS):
            ocds_release_write(tender_id=tender.pk, audit_entry_id=entry.pk)

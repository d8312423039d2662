"""The legal documents of the partnership's negotiation, the phase gates, the purchase decision
and the request for documents: each made by its step's effect, from the default library."""

import datetime as dt

import pytest

from documents.models import GeneratedDocument
from procurement.accounts.models import Membership, User
from procurement.accounts.services import membership_grant
from procurement.core.models import AuditEntry
from tenders.models import PhaseContract, Tender
from tenders.phases.services import (
    phase_criterion_save,
    phase_offer_save,
    phase_offer_submit,
    phase_save,
    phase_score_save,
)
from tests.documents.conftest import pdf_text
from tests.factories.tenders import make_tender, place_tender_in_state_for_speed
from tests.factories.walks import walk_to
from workflows.services import process_fire_due, transition_perform

pytestmark = pytest.mark.django_db

ACME = "Acme Smart Solutions S.L."
NOVA = "Nova Urban Robotics S.L."


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def fire(django_capture_on_commit_callbacks):
    """Fire a transition and run its after-commit effects in this process, as the tests of
    document generation do (tasks run eagerly)."""

    def _fire(tender, name, user, *, now=None, reason="", **data):
        with django_capture_on_commit_callbacks(execute=True):
            return transition_perform(
                process=tender, name=name, actor=user, reason=reason, data=data, now=now
            )

    return _fire


def _made_by(tender, step: str, kind: str) -> GeneratedDocument:
    entry = AuditEntry.objects.filter(object_id=str(tender.pk), name=step).latest("pk")
    document = GeneratedDocument.objects.get(tender=tender, kind=kind, audit_entry=entry)
    assert document.status == GeneratedDocument.Status.READY, document.failure_reason
    assert document.trigger == f"effect:{kind}" and not document.public
    assert document.template_version.template.network.slug == "reci"
    return document


def _text(document: GeneratedDocument) -> str:
    return _flat(pdf_text(document.pdf.read()))


def _suppliers(library, *slugs):
    return [library.supplier(slug).pk for slug in slugs]


@pytest.fixture
def partnership(library, fire):
    """A Logroño innovation partnership whose three candidates were selected."""
    officer, committee = library.user("officer.logrono"), library.user("committee.logrono")
    tender = make_tender(
        city=library.city("logrono"),
        procedure="innovation_partnership",
        state="requests_closed",
        title="Pavimento que genera energía",
    )
    for pk in _suppliers(library, "acme", "nova", "unirioja"):
        tender = fire(
            tender,
            "register_applicant",
            officer,
            reason="Solicitud presentada en el registro general.",
            supplier=pk,
        )
    return fire(
        tender,
        "select_candidates",
        committee,
        candidates=_suppliers(library, "acme", "nova", "unirioja"),
    )


def test_opening_the_negotiation_makes_the_invitation_to_the_selected_candidates(
    library, partnership, fire
):
    fire(partnership, "open_negotiation", library.user("officer.logrono"))
    document = _made_by(partnership, "open_negotiation", "invitation")
    text = _text(document)
    assert "Invitación del órgano de contratación de Logroño" in text
    assert "proyectos de investigación e innovación" in text and "art. 179.1 LCSP" in text
    assert "Pavimento que genera energía" in text and ACME in text and NOVA in text


def test_each_negotiation_round_makes_its_minutes_with_what_the_committee_recorded(
    library, partnership, fire
):
    committee = library.user("committee.logrono")
    tender = fire(partnership, "open_negotiation", library.user("officer.logrono"))
    tender = fire(
        tender,
        "record_negotiation_round",
        committee,
        minutes="Acme mejora el plazo del piloto; Nova reduce el coste de mantenimiento.",
    )
    fire(
        tender,
        "record_negotiation_round",
        committee,
        minutes="Se aclaran los indicadores de la prueba en la plaza del Mercado.",
    )
    rounds = GeneratedDocument.objects.filter(tender=tender, kind="negotiation_minutes")
    assert rounds.count() == 2
    first, second = (_text(d) for d in rounds.order_by("number"))
    assert "sesión de negociación n.º 1" in first and "sesión de negociación n.º 2" in second
    assert "Acme mejora el plazo del piloto" in first and "plaza del Mercado" not in first
    assert "plaza del Mercado" in second
    assert "art. 179 LCSP" in second


def test_a_pcp_phase_evaluation_reports_the_scores_and_the_contract_prints_milestones_and_ipr(
    library, fire
):
    """The phase-1 contracts print each supplier's price, milestones and IPR terms; closing the
    scored evaluation makes the phase evaluation report with every supplier's points."""
    officer, committee = library.user("officer.logrono"), library.user("committee.logrono")
    tender = make_tender(
        city=library.city("logrono"),
        procedure="pcp",
        state="procedure_chosen",
        title="Drones que inspeccionan puentes",
    )
    design = phase_save(
        actor=officer,
        tender=tender,
        name="Diseño de la solución",
        duration_days=60,
        max_budget_per_supplier="50000",
        max_suppliers=3,
    )
    phase_save(
        actor=officer,
        tender=tender,
        name="Prototipo",
        duration_days=120,
        max_budget_per_supplier="150000",
        max_suppliers=2,
    )
    criterion = phase_criterion_save(
        actor=officer, phase=design, name="Viabilidad técnica", weight="100", threshold="50"
    )
    tender = walk_to(tender, "call_published")
    university = User.objects.create_user(username="rep.unirioja")
    membership_grant(
        user=university,
        organisation=library.supplier("unirioja"),
        role=Membership.Role.REPRESENTATIVE,
    )
    for user in (library.user("supplier.acme"), library.user("supplier.nova"), university):
        offer = phase_offer_save(
            actor=user,
            tender=tender,
            rd_plan="Drones con visión térmica y gemelo digital del puente.",
            team="Ingenieros de estructuras y pilotos certificados.",
            prices={"1": "40000", "2": "120000"},
        )
        phase_offer_submit(actor=user, offer=offer)
    closes = tender.submission_deadline
    process_fire_due(model=Tender, pk=tender.pk, now=closes + dt.timedelta(minutes=1))
    tender.refresh_from_db()
    everyone = _suppliers(library, "acme", "nova", "unirioja")
    tender = fire(
        tender,
        "select_suppliers",
        committee,
        now=closes + dt.timedelta(hours=1),
        suppliers=everyone,
    )
    ends = closes + dt.timedelta(days=61)
    tender = fire(
        tender,
        "start_phase1",
        officer,
        now=closes + dt.timedelta(hours=2),
        phase_ends_at=ends.isoformat(),
    )
    contract = _text(_made_by(tender, "start_phase1", "contract"))
    assert "Contratos de fase" in contract and "PCP-" in contract
    assert "20.000,00" in contract and "40.000,00" in contract  # half of the phase price
    assert "Licencia del órgano de contratación" in contract and "recuperación" in contract

    process_fire_due(model=Tender, pk=tender.pk, now=ends + dt.timedelta(minutes=1))
    tender.refresh_from_db()
    points = {"acme": "80", "nova": "65", "unirioja": "40"}
    for slug, given in points.items():
        phase_score_save(
            actor=committee,
            contract=PhaseContract.objects.get(phase=design, supplier__slug=slug),
            criterion=criterion,
            points=given,
            justification="Informe completo, con pruebas de vuelo documentadas.",
        )
    fire(tender, "evaluate_phase", committee, now=ends + dt.timedelta(hours=1))
    document = _made_by(tender, "evaluate_phase", "phase_evaluation")
    phase = document.data["phase"]
    assert phase["number"] == 1 and phase["name"] == "Diseño de la solución"
    assert [r["supplier"] for r in phase["results"]] == [ACME, NOVA, "Universidad de La Rioja"]
    assert [r["passed"] for r in phase["results"]] == [True, True, False]
    assert phase["kept"] == [ACME, NOVA]
    text = _text(document)
    assert "Informe de evaluación de la fase 1" in text and "Evaluación puntuada" in text
    assert "80,00" in text and "50,00" in text and "Viabilidad técnica" in text


def test_the_purchase_decision_makes_the_resolution_with_its_reasons(library, fire):
    tender = place_tender_in_state_for_speed(
        why="the partnership's R&D phases cannot be reached through the engine yet (no step "
        "opens the final offers' envelopes), so the purchase decision is placed",
        city=library.city("logrono"),
        procedure="innovation_partnership",
        state="purchase_decision",
        title="Pavimento que genera energía",
        rd_phase=2,
        rd_phases_total=2,
    )
    fire(
        tender,
        "decide_purchase",
        library.user("officer.logrono"),
        reason="El prototipo cumple los niveles de rendimiento con un coste un 12 % menor.",
        purchase=True,
    )
    document = _made_by(tender, "decide_purchase", "purchase_resolution")
    assert document.data["purchase"] == {
        "decided": True,
        "reasons": "El prototipo cumple los niveles de rendimiento con un coste un 12 % menor.",
    }
    text = _text(document)
    assert "sobre la adquisición de los resultados" in text and "Adquirir los resultados" in text
    assert "coste un 12 % menor" in text and "art. 181.3 LCSP" in text


@pytest.fixture
def seeded(library, django_capture_on_commit_callbacks):
    """The demo processes with every after-commit effect run, so each step made its documents."""
    from tenders import demo as tenders_demo

    with django_capture_on_commit_callbacks(execute=True):
        tenders_demo.seed()
    return library


def test_asking_the_best_bidder_for_its_documents_makes_the_request(seeded):
    tender = Tender.objects.get(title="Plataforma de gestión de la demanda energética municipal")
    document = _made_by(tender, "request_documents", "documents_requested")
    assert document.data["award"]["proposed"] == ACME and document.data["award"]["winner"] == ""
    assert document.data["request"]["working_days"] == 10 and document.data["request"]["due"]
    text = _text(document)
    assert f"Se requiere a {ACME}" in text and "10 días hábiles" in text
    assert "art. 150.2 LCSP" in text and "garantía definitiva" in text


def test_the_demo_partnership_has_its_invitation_and_negotiation_minutes(seeded):
    tender = Tender.objects.get(procedure="innovation_partnership", status="rd_phase")
    assert _made_by(tender, "open_negotiation", "invitation")
    minutes = _made_by(tender, "record_negotiation_round", "negotiation_minutes")
    assert minutes.data["negotiation"]["round"] == 1 and minutes.data["negotiation"]["minutes"]


def test_the_demo_library_has_the_new_kinds_approved_for_both_demo_cities(library):
    from documents.services import template_version_pick

    for kind in (
        "invitation",
        "negotiation_minutes",
        "phase_evaluation",
        "purchase_resolution",
        "documents_requested",
    ):
        for city in ("logrono", "terrassa"):
            for language in ("es", "en"):
                version = template_version_pick(
                    city_id=library.city(city).pk, kind=kind, language=language
                )
                assert version is not None, (kind, city, language)
                assert version.template.network.slug == "reci"

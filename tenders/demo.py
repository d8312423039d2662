"""Demo processes of each procedure in several states, moved there through the real engine.

Past steps are fired with the engine's ``now`` set in the past, so histories and deadlines look
like a real year's work; the scheduler then catches up to the present. Running the seed again
changes nothing (processes are found by city and title).
"""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from procurement.accounts.models import City, Supplier, User
from tenders.award.deuc import deuc_example
from tenders.award.models import Award
from tenders.award.services.bid_files import award_document_add, bid_file_add
from tenders.award.services.bids import (
    bid_admission_decide,
    bid_save,
    bid_submit,
    committee_assign,
    criterion_save,
    lot_save,
    score_save,
)
from tenders.consultation.services import (
    clarification_answer,
    clarification_ask,
    consultation_report_save,
    consultation_save,
    question_save,
    question_summary_save,
    response_save,
    response_start,
    response_submit,
)
from tenders.models import PhaseContract, Tender
from tenders.phases.services import (
    deliverable_add,
    milestone_move,
    phase_criterion_save,
    phase_offer_save,
    phase_offer_score_save,
    phase_offer_submit,
    phase_save,
    phase_score_save,
)
from tenders.procedures import CPTI, PARTNERSHIP, PCP, T
from tenders.procedures.base import PLIEGOS_APPROVED, REQUIRED_PLIEGOS
from tenders.process.services import tender_create
from workflows.calendars import WorkingCalendar
from workflows.registry import MACHINES
from workflows.requirements import requirement_demo_fulfil
from workflows.services import fire_due_events, process_fire_due, transition_perform

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _fire(tender: Tender, name: str, who: str, at: dt.datetime, reason: str = "", **data) -> Tender:
    return transition_perform(
        process=tender, name=name, actor=_user(who), reason=reason, data=data, now=at
    )


def _open_until(tender: Tender, published: dt.datetime, days: int, wanted: dt.datetime):
    """``wanted`` as a deadline of a call published at ``published``, or the end of its legal
    minimum of ``days`` calendar days when that is later: a last day on a weekend or a holiday
    moves to the next working day (LCSP DA 12ª), and the demo is seeded on any day of the year."""
    return max(wanted, WorkingCalendar(tender.city).add_calendar_days(published, days))


def _file_approved(tender: Tender, start: dt.datetime, officer: str, legal: str) -> Tender:
    tender = _fire(tender, T.DRAFT_SPECS, officer, start)
    tender.functional_specifications = (
        "La solución debe funcionar 24/7, integrarse con la plataforma de ciudad (FIWARE) y "
        "reducir en un 30 % el indicador de referencia frente a la línea base medida en 2025."
    )
    tender.save(update_fields=["functional_specifications"])
    tender = _fire(tender, T.CHOOSE_PROCEDURE, officer, start + DAY)
    tender = _fire(tender, T.SUBMIT_FILE, officer, start + 5 * DAY)
    tender = _fire(
        tender, T.RECORD_LEGAL_REPORT, legal, start + 9 * DAY, reference="INF-JUR-2026/041"
    )
    tender = _fire(
        tender, T.RECORD_CREDIT_CERTIFICATE, legal, start + 10 * DAY, reference="RC 2026/12877"
    )
    tender = _fire(
        tender, T.RECORD_AUDIT_REPORT, legal, start + 12 * DAY, reference="FISC-2026/311"
    )
    # The PCAP and PPT (the call documents, the descriptive document), approved by the legal
    # team before the file (LCSP arts. 116, 117, 122 and 124), made by the documents app.
    requirement_demo_fulfil(
        PLIEGOS_APPROVED,
        tender,
        officer=_user(officer),
        legal=_user(legal),
        kinds=REQUIRED_PLIEGOS[tender.procedure],
        now=start + 13 * DAY,
    )
    return _fire(tender, T.APPROVE_FILE, officer, start + 14 * DAY)


AIR_QUESTIONS = [
    (
        "¿Qué tecnología de medición propone y con qué precisión frente a una estación de referencia?",
        "text",
        True,
        [],
    ),
    (
        "¿En qué fase de madurez está su solución?",
        "single",
        True,
        [
            "Idea o prototipo de laboratorio (TRL 3-4)",
            "Piloto en entorno real (TRL 5-7)",
            "Producto comercial (TRL 8-9)",
        ],
    ),
    ("Coste estimado por punto de medición y año, en euros", "number", False, []),
    ("Adjunte documentación técnica si lo desea", "file", False, []),
]


def _consult(
    tender: Tender,
    start: dt.datetime,
    closes_at: dt.datetime,
    subject: str,
    background: str,
    questions: list[tuple[str, str, bool, list[str]]],
) -> Tender:
    """Validate the need, publish the early demand map and announce a market consultation
    (LCSP art. 115) opening on day 5 and closing at ``closes_at``."""
    officer = "officer.logrono" if tender.city.slug == "logrono" else "officer.terrassa"
    tender = _fire(tender, T.VALIDATE_NEED, officer, start)
    tender = _fire(tender, T.PUBLISH_DEMAND_MAP, officer, start + DAY)
    tender = _fire(tender, T.START_CONSULTATION, officer, start + 2 * DAY)
    consultation_save(
        actor=_user(officer),
        tender=tender,
        subject=subject,
        background=background,
        opens_at=start + 5 * DAY,
        closes_at=closes_at,
        advisers=[
            {
                "name": "Universidad de La Rioja, grupo de química atmosférica",
                "reason": "Experiencia en calibración de sensores de bajo coste.",
            }
        ]
        if tender.city.slug == "logrono"
        else [],
    )
    for text, kind, required, choices in questions:
        question_save(
            actor=_user(officer),
            consultation=tender.consultation_for_engine(),
            text=text,
            kind=kind,
            required=required,
            choices=choices,
        )
    return _fire(tender, T.PUBLISH_CONSULTATION, officer, start + 3 * DAY)


def _catch_up(tender: Tender, at: dt.datetime) -> Tender:
    """Fire what falls due on ``tender`` up to ``at`` (a consultation opening or closing), each
    step at its own due time."""
    process_fire_due(model=Tender, pk=tender.pk, now=at)
    tender.refresh_from_db()
    return tender


def _answer_air_quality(tender: Tender, now: dt.datetime) -> None:
    """Both demo suppliers answer the open consultation; Acme keeps its calibration secret."""
    consultation = tender.consultation_for_engine()
    questions = list(consultation.questions.order_by("order"))
    answers = {
        "supplier.acme": [
            (
                "Sensores electroquímicos con calibración por aprendizaje automático; error < 15 % "
                "frente a la estación de referencia de La Rioja.",
                True,
            ),
            ("Piloto en entorno real (TRL 5-7)", False),
            ("1200", False),
        ],
        "supplier.nova": [
            (
                "Sensores ópticos de partículas en robots de limpieza viaria que recorren los barrios.",
                False,
            ),
            ("Idea o prototipo de laboratorio (TRL 3-4)", False),
            ("850", False),
        ],
    }
    for username, values in answers.items():
        user = _user(username)
        response = response_start(actor=user, consultation=consultation, now=now)
        response_save(
            actor=user,
            now=now,
            response=response,
            answers=[
                {"question": q.pk, "value": value, "confidential": secret}
                for q, (value, secret) in zip(questions, values, strict=False)
            ],
        )
        response_submit(actor=user, response=response, now=now)
    clarification = clarification_ask(
        actor=_user("supplier.nova"),
        consultation=consultation,
        now=now,
        question="¿Pueden los sensores instalarse en vehículos municipales en movimiento?",
    )
    clarification_answer(
        actor=_user("officer.logrono"),
        clarification=clarification,
        answer="Sí: se valorarán soluciones fijas y móviles por igual.",
    )


BIDS = {
    "supplier.acme": (
        "Plan técnico de Acme: sensores y algoritmo adaptativo probados en Valladolid.",
        "150000",
        "4",
    ),
    "supplier.nova": (
        "Plan técnico de Nova: robots de mantenimiento y gemelo digital de la red.",
        "158000",
        "2",
    ),
}


def _pcap(tender: Tender, officer: str) -> dict:
    """The PCAP's one lot and three award criteria: quality (value judgement), price and
    warranty (formulas)."""
    lot_save(
        actor=_user(officer),
        tender=tender,
        title="Suministro, instalación y mantenimiento",
        value=tender.estimated_value,
        duration_months=24,
    )
    quality = criterion_save(
        actor=_user(officer),
        tender=tender,
        name="Calidad técnica e innovación",
        kind="value_judgement",
        weight=40,
        innovation=True,
    )
    price = criterion_save(
        actor=_user(officer),
        tender=tender,
        name="Precio",
        kind="formula",
        weight=50,
        formula="proportional_lowest",
        is_price=True,
    )
    warranty = criterion_save(
        actor=_user(officer),
        tender=tender,
        name="Garantía (años)",
        kind="formula",
        weight=10,
        formula="linear",
        params={"lower": 1, "upper": 5, "better": "higher"},
    )
    return {"quality": quality, "price": price, "warranty": warranty}


def _evaluate(tender: Tender, start: dt.datetime, stop_after: str) -> Tender:
    """Lots, criteria, publication, two bids, and the committee's work up to ``stop_after``."""
    officer, legal, committee = "officer.logrono", "legal.logrono", "committee.logrono"
    criteria = _pcap(tender, officer)
    quality, price, warranty = criteria["quality"], criteria["price"], criteria["warranty"]
    tender = _fire(tender, T.VALIDATE_NEED, officer, start)
    tender = _fire(
        tender,
        T.SKIP_CONSULTATION,
        officer,
        start + DAY,
        reason="La consulta preliminar de la red RECI de 2025 cubrió este mercado; su "
        "informe se incorpora al expediente.",
    )
    tender = _file_approved(tender, start + 2 * DAY, officer, legal)
    tender = _fire(
        tender, T.PUBLISH_TENDER, officer, start + 17 * DAY, submission_deadline=start + 40 * DAY
    )
    lot = tender.lots.get()
    bids = []
    for username, (plan, amount, years) in BIDS.items():
        bid = bid_save(
            actor=_user(username),
            tender=tender,
            lot=lot,
            now=start + 30 * DAY,
            a={
                "declaration": True,
                "notes": "DEUC firmado.",
                "deuc": deuc_example(
                    name=_user(username).get_full_name() or username,
                    tax_id="B26000000",
                    email=_user(username).email or "licitaciones@example.org",
                ),
            },
            b={str(quality.pk): plan},
            c={str(price.pk): amount, str(warranty.pk): years},
        )
        bid_file_add(
            actor=_user(username),
            bid=bid,
            envelope="b",
            upload=SimpleUploadedFile("memoria-tecnica.pdf", f"%PDF-1.4\n% {plan}\n".encode()),
            now=start + 30 * DAY,
        )
        bids.append(bid_submit(actor=_user(username), bid=bid, now=start + 31 * DAY))
    tender = _catch_up(tender, start + 41 * DAY)
    for bid in bids:
        bid_admission_decide(
            actor=_user(committee), bid=bid, decision="admitted", now=start + 42 * DAY
        )
    tender = _fire(tender, T.CHECK_ADMIN, committee, start + 42 * DAY)
    tender = _fire(tender, T.OPEN_ENVELOPE_B, committee, start + 43 * DAY)
    for bid, points in zip(bids, ("34", "30"), strict=True):
        score_save(
            actor=_user(committee),
            bid=bid,
            criterion=quality,
            points=points,
            justification="Propuesta clara, medible y con piloto previo en otra ciudad.",
            now=start + 44 * DAY,
        )
    if stop_after == "scores":
        return tender
    tender = _fire(tender, T.SIGN_VALUE_REPORT, committee, start + 45 * DAY)
    tender = _fire(tender, T.OPEN_ENVELOPE_C, committee, start + 46 * DAY)
    tender = _fire(tender, T.RANK, committee, start + 47 * DAY)
    tender = _fire(tender, T.PROPOSE_AWARD, committee, start + 48 * DAY)
    tender = _fire(tender, T.REQUEST_DOCUMENTS, officer, start + 49 * DAY)
    for award in Award.objects.filter(tender=tender, status=Award.Status.DOCUMENTS_REQUESTED):
        # The awardee delivers its certificates (LCSP art. 150.2) as a PDF.
        username = next(
            u for u in BIDS if _user(u).memberships.filter(supplier=award.bid.supplier_id).exists()
        )
        award_document_add(
            actor=_user(username),
            bid=award.bid,
            upload=SimpleUploadedFile(
                "certificados.pdf", b"%PDF-1.4\n% Certificados de la AEAT y la TGSS\n"
            ),
            now=start + 52 * DAY,
        )
    tender = _fire(tender, T.RECEIVE_DOCUMENTS, officer, start + 53 * DAY)
    tender = _fire(tender, T.AWARD, officer, start + 55 * DAY)
    tender = _catch_up(tender, start + 90 * DAY)
    return _fire(tender, T.SIGN_CONTRACT, officer, start + 91 * DAY)


def _create(city: City, officer: str, title: str, at: dt.datetime, **fields) -> tuple[Tender, bool]:
    """The process of ``city`` titled ``title``, recorded by ``officer`` at ``at`` (the day
    before its first step, so its history starts with its creation), and whether it is new."""
    existing = Tender.objects.filter(city=city, title=title).first()
    if existing:
        return existing, False
    tender = tender_create(actor=_user(officer), city=city, title=title, now=at, **fields)
    for member in User.objects.filter(memberships__city=city, memberships__role="committee"):
        committee_assign(actor=_user(officer), tender=tender, user=member, now=at)
    return tender, True


IRRIGATION_QUESTIONS = [
    (
        "¿Cómo estima su solución la necesidad de riego de cada zona verde?",
        "text",
        True,
        [],
    ),
    (
        "¿Qué ahorro de agua ha medido en otras ciudades, en porcentaje?",
        "number",
        False,
        [],
    ),
]

TREE_QUESTIONS = [
    (
        "¿Qué variables del árbol mide su solución y con qué sensores?",
        "text",
        True,
        [],
    ),
    (
        "¿En qué fase de madurez está su solución?",
        "single",
        True,
        [
            "Idea o prototipo de laboratorio (TRL 3-4)",
            "Piloto en entorno real (TRL 5-7)",
            "Producto comercial (TRL 8-9)",
        ],
    ),
]


def _answer(tender: Tender, now: dt.datetime, answers: dict[str, list[str]]) -> None:
    """Each demo supplier in ``answers`` answers the consultation, in question order."""
    consultation = tender.consultation_for_engine()
    questions = list(consultation.questions.order_by("order"))
    for username, values in answers.items():
        user = _user(username)
        response = response_start(actor=user, consultation=consultation, now=now)
        response_save(
            actor=user,
            now=now,
            response=response,
            answers=[
                {"question": q.pk, "value": value, "confidential": False}
                for q, value in zip(questions, values, strict=False)
            ],
        )
        response_submit(actor=user, response=response, now=now)


def _report(tender: Tender, officer: str, at: dt.datetime, report: str, summaries: list[str]):
    """The officer drafts the consultation report, summarises each question's answers and
    publishes it (LCSP art. 115.3)."""
    tender = _fire(tender, T.DRAFT_REPORT, officer, at)
    consultation_report_save(actor=_user(officer), tender=tender, report=report)
    consultation = tender.consultation_for_engine()
    for question, text in zip(consultation.questions.order_by("order"), summaries, strict=True):
        question_summary_save(actor=_user(officer), question=question, text=text)
    return _fire(tender, T.PUBLISH_REPORT, officer, at + 2 * DAY)


# --- the phased processes: a PCP and an innovation partnership ---------------------------------

LEAKS_PHASES = [
    (
        "Diseño de la solución",
        "Arquitectura del modelo predictivo y estudio de viabilidad con los datos de 2024 y 2025.",
        60,
        "60000",
        3,
    ),
    (
        "Prototipo",
        "Modelo entrenado que predice con una semana de antelación las fugas de un sector piloto.",
        120,
        "150000",
        2,
    ),
    (
        "Prueba de campo",
        "Seis meses de operación en toda la red con el servicio municipal de aguas.",
        150,
        "250000",
        2,
    ),
]
LEAKS_CRITERIA = [
    ("Precisión en la predicción de fugas", "60", "30"),
    ("Integración con la red de sensores", "40", "15"),
]
SHUTTLE_PHASES = [
    (
        "Prototipo en circuito cerrado",
        "Vehículo que circula solo entre peatones a 10 km/h en un circuito cerrado.",
        120,
        "200000",
        3,
    ),
    (
        "Piloto en el centro histórico",
        "Seis meses de servicio con viajeros por las calles peatonales del casco antiguo.",
        180,
        "350000",
        1,
    ),
]
SHUTTLE_CRITERIA = [
    ("Seguridad entre peatones", "60", "30"),
    ("Autonomía y coste de operación", "40", "10"),
]


def _phases(tender: Tender, at: dt.datetime, phases, criteria) -> None:
    """The call's (or descriptive document's) phases, each with its criteria, while drafted."""
    officer = _user("officer.logrono")
    for number, (name, objectives, days, budget, most) in enumerate(phases):
        phase = phase_save(
            actor=officer,
            tender=tender,
            name=name,
            objectives=objectives,
            duration_days=days,
            max_budget_per_supplier=budget,
            max_suppliers=most,
            now=at + number * dt.timedelta(minutes=10),
        )
        for order, (criterion, weight, threshold) in enumerate(criteria, start=1):
            phase_criterion_save(
                actor=officer,
                phase=phase,
                name=criterion,
                weight=weight,
                threshold=threshold,
                now=at + number * dt.timedelta(minutes=10) + order * dt.timedelta(minutes=1),
            )


def _pdf(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        f"{text}.pdf", f"%PDF-1.4\n% {text}\n%%EOF\n".encode(), "application/pdf"
    )


def _offer(tender: Tender, username: str, at: dt.datetime, **content) -> None:
    """``username``'s supplier writes its sealed offer (or request) and submits it."""
    user = _user(username)
    offer = phase_offer_save(actor=user, tender=tender, now=at, **content)
    phase_offer_submit(actor=user, offer=offer, now=at + dt.timedelta(minutes=5))


def _deliver(contract: PhaseContract, username: str, at: dt.datetime, title: str, summary: str):
    deliverable_add(
        actor=_user(username),
        contract=contract,
        title=title,
        summary=summary,
        upload=_pdf(title.lower().replace(" ", "-")),
        now=at,
    )


def _pay(contract: PhaseContract, at: dt.datetime, *, only_first: bool = False) -> None:
    """The officer accepts each milestone (its deliverable is fine), then pays it."""
    officer = _user("officer.logrono")
    milestones = list(contract.milestones.order_by("order"))
    for number, milestone in enumerate(milestones[:1] if only_first else milestones):
        moment = at + number * DAY
        milestone_move(actor=officer, milestone=milestone, move="milestone_accept", now=moment)
        milestone_move(
            actor=officer, milestone=milestone, move="milestone_pay", now=moment + 2 * HOUR
        )


UNIVERSITY_ON_PAPER = (
    "La Universidad de La Rioja presentó su documentación en el registro general, en papel y "
    "dentro de plazo; se incorpora al expediente como excepción."
)


def _pcp_in_phase_two(tender: Tender, start: dt.datetime, suppliers: dict) -> Tender:
    """The PCP's call with three phases; Acme and Nova submit sealed offers, the university's
    arrives on paper (the recorded exception); phase 1 runs with three suppliers (the university
    delivers nothing on the platform); the committee scores, the phase is evaluated and its milestones
    paid; the gate keeps Acme and Nova for the prototype, which runs now."""
    officer, legal, committee = "officer.logrono", "legal.logrono", "committee.logrono"
    tender = _fire(tender, T.VALIDATE_NEED, officer, start)
    tender = _fire(
        tender,
        T.SKIP_CONSULTATION,
        officer,
        start + DAY,
        reason="La consulta del CDTI de 2025 sobre agua inteligente ya recogió el "
        "estado del arte; su informe se incorpora al expediente.",
    )
    _phases(tender, start + DAY + HOUR, LEAKS_PHASES, LEAKS_CRITERIA)
    tender = _file_approved(tender, start + 2 * DAY, officer, legal)
    tender = _fire(
        tender,
        T.PUBLISH_CALL,
        officer,
        start + 16 * DAY,
        submission_deadline=_open_until(tender, start + 16 * DAY, 30, start + 50 * DAY),
    )
    for username, prices in (
        ("supplier.acme", ("52000", "140000", "240000")),
        ("supplier.nova", ("48000", "150000", "250000")),
    ):
        _offer(
            tender,
            username,
            start + 30 * DAY,
            rd_plan="Modelo de aprendizaje automático sobre caudales, presiones y acústica.",
            team="Dos doctoras en ciencia de datos y un ingeniero de redes de agua.",
            prices=dict(zip(("1", "2", "3"), prices, strict=True)),
        )
    tender = _catch_up(tender, start + 51 * DAY)
    tender = _fire(
        tender,
        T.REGISTER_APPLICANT,
        officer,
        start + 52 * DAY,
        reason=UNIVERSITY_ON_PAPER,
        supplier=suppliers["unirioja"].pk,
    )
    selected = [suppliers[s].pk for s in ("acme", "nova", "unirioja")]
    tender = _fire(tender, T.SELECT_SUPPLIERS, committee, start + 55 * DAY, suppliers=selected)
    tender = _fire(
        tender, T.START_PHASE1, officer, start + 58 * DAY, phase_ends_at=start + 118 * DAY
    )
    contracts = {c.supplier.slug: c for c in PhaseContract.objects.filter(phase__tender=tender)}
    summary = "Arquitectura del modelo, datos usados y resultados de la validación cruzada."
    _deliver(
        contracts["acme"], "supplier.acme", start + 110 * DAY, "Diseño de la solución", summary
    )
    _deliver(
        contracts["nova"], "supplier.nova", start + 112 * DAY, "Diseño de la solución", summary
    )
    tender = _catch_up(tender, start + 119 * DAY)
    criteria = list(tender.phases.get(number=1).criteria.all())
    points = {"acme": ("52", "32"), "nova": ("44", "30"), "unirioja": ("26", "20")}
    for row, (slug, given) in enumerate(points.items()):
        for column, (criterion, value) in enumerate(zip(criteria, given, strict=True)):
            number = row * len(criteria) + column
            phase_score_save(
                actor=_user(committee),
                contract=contracts[slug],
                criterion=criterion,
                points=value,
                justification="Valorado sobre la memoria entregada y la demostración con datos reales.",
                now=start + 120 * DAY + number * HOUR,
            )
    tender = _fire(tender, T.EVALUATE_PHASE, committee, start + 121 * DAY)
    for slug in ("acme", "nova"):
        _pay(contracts[slug], start + 122 * DAY)
    return _fire(
        tender,
        T.PASS_GATE1,
        committee,
        start + 125 * DAY,
        keep=[suppliers["acme"].pk, suppliers["nova"].pk],
        phase_ends_at=start + 245 * DAY,
    )


def _partnership_in_rd(tender: Tender, start: dt.datetime, suppliers: dict) -> Tender:
    """The partnership's descriptive document with two R&D phases and its award criteria;
    Acme and Nova request to participate themselves, the university on paper; three candidates
    negotiate, Acme and Nova submit final offers, which the committee scores; both become
    partners, the partnership is signed after the standstill, and R&D phase 1 runs: Acme
    delivered its interim report and was paid for it (LCSP arts. 178–180)."""
    officer, legal, committee = "officer.logrono", "legal.logrono", "committee.logrono"
    tender = _fire(tender, T.VALIDATE_NEED, officer, start)
    tender = _fire(
        tender,
        T.SKIP_CONSULTATION,
        officer,
        start + DAY,
        reason="El proyecto europeo SHOW (2020-2024) sirvió de estudio de mercado: "
        "ningún vehículo cumple los requisitos de circulación peatonal.",
    )
    _phases(tender, start + DAY + HOUR, SHUTTLE_PHASES, SHUTTLE_CRITERIA)
    project = criterion_save(
        actor=_user(officer),
        tender=tender,
        name="Proyecto de I+D",
        kind="value_judgement",
        weight=70,
        innovation=True,
    )
    price = criterion_save(
        actor=_user(officer),
        tender=tender,
        name="Precio",
        kind="formula",
        weight=30,
        formula="proportional_lowest",
        is_price=True,
    )
    tender = _file_approved(tender, start + 2 * DAY, officer, legal)
    tender = _fire(
        tender,
        T.PUBLISH_NOTICE,
        officer,
        start + 20 * DAY,
        submission_deadline=_open_until(tender, start + 20 * DAY, 30, start + 55 * DAY),
    )
    for username in ("supplier.acme", "supplier.nova"):
        _offer(
            tender,
            username,
            start + 30 * DAY,
            kind="request",
            capacity="Proyectos de conducción autónoma en entornos urbanos y flota eléctrica propia.",
            team="Ingenieros de robótica, seguridad funcional y operación de flotas.",
        )
    tender = _catch_up(tender, start + 56 * DAY)
    tender = _fire(
        tender,
        T.REGISTER_APPLICANT,
        officer,
        start + 57 * DAY,
        reason=UNIVERSITY_ON_PAPER,
        supplier=suppliers["unirioja"].pk,
    )
    tender = _fire(
        tender,
        T.SELECT_CANDIDATES,
        committee,
        start + 60 * DAY,
        candidates=[suppliers[s].pk for s in ("acme", "nova", "unirioja")],
    )
    tender = _fire(tender, T.OPEN_NEGOTIATION, officer, start + 62 * DAY)
    tender = _fire(
        tender,
        T.RECORD_NEGOTIATION_ROUND,
        committee,
        start + 80 * DAY,
        minutes="Primera ronda: las tres candidatas presentan su proyecto de I+D; se "
        "aclaran los requisitos mínimos de seguridad.",
    )
    tender = _fire(
        tender,
        T.CALL_FINAL_OFFERS,
        officer,
        start + 85 * DAY,
        submission_deadline=start + 100 * DAY,
    )
    for username, (first, second, purchase) in (
        ("supplier.acme", ("180000", "320000", "900000")),
        ("supplier.nova", ("150000", "300000", "850000")),
    ):
        _offer(
            tender,
            username,
            start + 95 * DAY,
            rd_plan="Lanzadera eléctrica de ocho plazas con conducción autónoma de nivel 4.",
            team="Ingenieros de robótica, seguridad funcional y operación de flotas.",
            prices={"1": first, "2": second},
            purchase_max_cost=purchase,
        )
    tender = _catch_up(tender, start + 101 * DAY)
    offers = {o.supplier.slug: o for o in tender.phase_offers.filter(kind="offer")}
    points = {"acme": ("62", "26"), "nova": ("58", "30")}
    for row, (slug, given) in enumerate(points.items()):
        for column, (criterion, value) in enumerate(zip((project, price), given, strict=True)):
            number = row * 2 + column
            phase_offer_score_save(
                actor=_user(committee),
                offer=offers[slug],
                criterion=criterion,
                points=value,
                justification="Proyecto viable, con pruebas previas en entorno urbano real.",
                now=start + 103 * DAY + number * HOUR,
            )
    tender = _fire(tender, T.EVALUATE_OFFERS, committee, start + 105 * DAY)
    tender = _fire(
        tender,
        T.AWARD_PARTNERS,
        officer,
        start + 107 * DAY,
        partners=[suppliers["acme"].pk, suppliers["nova"].pk],
    )
    tender = _catch_up(tender, start + 108 * DAY)
    tender = _catch_up(tender, start + 135 * DAY)
    tender = _fire(
        tender, T.SIGN_PARTNERSHIP, officer, start + 136 * DAY, phase_ends_at=start + 256 * DAY
    )
    acme = PhaseContract.objects.get(phase__tender=tender, phase__number=1, supplier__slug="acme")
    _deliver(
        acme,
        "supplier.acme",
        start + 190 * DAY,
        "Informe intermedio",
        "Vehículo montado; 120 km recorridos en el circuito sin intervención del operador.",
    )
    _pay(acme, start + 195 * DAY, only_first=True)
    return tender


@transaction.atomic
def seed(stdout=None, *, now: dt.datetime | None = None) -> None:
    """Seed the demo's processes as of ``now`` (the present by default; a test seeds it as of
    each day of a week, since the legal periods' ends move with weekends)."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    logrono = City.objects.get(slug="logrono")
    terrassa = City.objects.get(slug="terrassa")
    suppliers = {s.slug: s for s in Supplier.objects.all()}
    air_quality = None

    # 1. A need just drafted.
    _create(
        logrono,
        "officer.logrono",
        "Alumbrado público adaptativo al paso de peatones",
        now - 3 * DAY,
        description="Las calles residenciales se iluminan igual a las 3:00 que a las 20:00; "
        "no existe en el mercado un sistema que adapte la luz al tránsito real.",
        procedure=CPTI,
        estimated_value=Decimal("450000"),
        cpv_codes=["31500000-1"],
    )

    # 2. An open market consultation (LCSP art. 115), answered by both demo suppliers.
    start = now - 20 * DAY
    tender, new = _create(
        logrono,
        "officer.logrono",
        "Red de sensores de calidad del aire en tiempo real",
        start - DAY,
        description="La ciudad mide la calidad del aire en dos estaciones fijas; necesita conocer "
        "la exposición real por barrio y hora para actuar sobre el tráfico.",
        procedure=CPTI,
        estimated_value=Decimal("280000"),
        cpv_codes=["38000000-5", "48810000-9"],
    )
    if new:
        air_quality = _consult(
            tender,
            start,
            now + 25 * DAY,
            subject="Consulta preliminar: sensórica de bajo coste para calidad del aire",
            background="Logroño quiere medir NO2, PM2,5 y ruido en cada barrio.",
            questions=AIR_QUESTIONS,
        )

    # 2b. A consultation that has closed: its answers wait for the officer's summaries and
    # report (LCSP art. 115.3).
    start = now - 70 * DAY
    tender, new = _create(
        logrono,
        "officer.logrono",
        "Riego inteligente de parques y jardines",
        start - DAY,
        description="Los parques se riegan por calendario fijo, llueva o no; se busca una "
        "solución que riegue según la necesidad real de cada zona verde.",
        procedure=CPTI,
        estimated_value=Decimal("320000"),
        cpv_codes=["77310000-6", "38000000-5"],
    )
    if new:
        tender = _consult(
            tender,
            start,
            now - 5 * DAY,
            subject="Consulta preliminar: riego según la necesidad de cada zona verde",
            background="Logroño riega 180 hectáreas de parques con programadores horarios.",
            questions=IRRIGATION_QUESTIONS,
        )
        tender = _catch_up(tender, start + 6 * DAY)
        _answer(
            tender,
            start + 20 * DAY,
            {
                "supplier.acme": [
                    "Sondas de humedad del suelo y previsión meteorológica por parcela.",
                    "35",
                ],
                "supplier.nova": [
                    "Imágenes de satélite y un modelo de evapotranspiración por zona verde.",
                    "28",
                ],
            },
        )
        _catch_up(tender, now - 5 * DAY + dt.timedelta(minutes=1))

    # 3. A need whose consultation was skipped, its file approved and its tender published.
    start = now - 60 * DAY
    tender, new = _create(
        logrono,
        "officer.logrono",
        "Robots autónomos para la recogida de residuos en el casco antiguo",
        start - DAY,
        description="Los camiones no entran en las calles estrechas del casco antiguo; la recogida "
        "manual es lenta y costosa y no hay una solución comercial.",
        procedure=CPTI,
        estimated_value=Decimal("900000"),
        cpv_codes=["90511000-2", "34144900-7"],
    )
    if new:
        tender = _fire(tender, T.VALIDATE_NEED, "officer.logrono", start)
        tender = _fire(
            tender,
            T.SKIP_CONSULTATION,
            "officer.logrono",
            start + DAY,
            reason="El estudio de mercado de 2025 (informe técnico 12/2025) y la consulta "
            "de la red RECI ya verificaron que no existe solución comercial.",
        )
        _pcap(tender, "officer.logrono")
        tender = _file_approved(tender, start + 3 * DAY, "officer.logrono", "legal.logrono")
        # Published ten days ago with its PCAP and PPT, bids open: what a supplier of the demo
        # can bid on, and whose pliegos a supplier that has not bid may still appeal (15 working
        # days, LCSP art. 50.1). The 35 days of bid period of LCSP art. 156.2, or more.
        _fire(
            tender,
            T.PUBLISH_TENDER,
            "officer.logrono",
            now - 10 * DAY,
            submission_deadline=_open_until(tender, now - 10 * DAY, 35, now + 27 * DAY),
        )

    # 4. A pre-commercial procurement (PCP) in its phase 2: phase 1 delivered, scored and
    # paid, two of its three suppliers kept for the prototype (COM(2007) 799).
    start = now - 200 * DAY
    tender, new = _create(
        logrono,
        "officer.logrono",
        "Predicción de fugas en la red de agua con inteligencia artificial",
        start - DAY,
        description="Se pierde el 18 % del agua en fugas que se detectan tarde; ningún producto "
        "predice dónde aparecerán con la red de sensores actual.",
        procedure=PCP,
        estimated_value=Decimal("600000"),
        cpv_codes=["73100000-3"],
    )
    if new:
        _pcp_in_phase_two(tender, start, suppliers)

    # 5. An innovation partnership in its first R&D phase (LCSP arts. 177–182).
    start = now - 200 * DAY
    tender, new = _create(
        logrono,
        "officer.logrono",
        "Lanzadera eléctrica autónoma para el centro histórico",
        start - DAY,
        description="Las personas mayores no tienen transporte público en el centro histórico; "
        "los vehículos del mercado no circulan de forma autónoma por calles peatonales.",
        procedure=PARTNERSHIP,
        estimated_value=Decimal("1500000"),
        cpv_codes=["34144910-0", "73100000-3"],
    )
    if new:
        _partnership_in_rd(tender, start, suppliers)

    # 6. Terrassa: a validated need, a consultation whose report is published, and a process
    # cancelled with its reason.
    tender, new = _create(
        terrassa,
        "officer.terrassa",
        "Mitigación de islas de calor en patios escolares",
        now - 11 * DAY,
        description="Los patios escolares superan los 40 °C en junio; se buscan soluciones "
        "innovadoras de sombra y refrigeración pasiva que no existen en el mercado.",
        procedure=PCP,
        estimated_value=Decimal("350000"),
        cpv_codes=["73000000-2"],
    )
    if new:
        _fire(tender, T.VALIDATE_NEED, "officer.terrassa", now - 10 * DAY)
    start = now - 100 * DAY
    tender, new = _create(
        terrassa,
        "officer.terrassa",
        "Monitorización del arbolado urbano con sensores",
        start - DAY,
        description="Terrassa pierde cada año árboles por sequía y plagas que se detectan tarde; "
        "se busca vigilar su salud de forma continua y barata.",
        procedure=CPTI,
        estimated_value=Decimal("240000"),
        cpv_codes=["38000000-5", "77211500-7"],
    )
    if new:
        tender = _consult(
            tender,
            start,
            start + 40 * DAY,
            subject="Consulta preliminar: vigilancia continua de la salud del arbolado",
            background="Terrassa tiene 40.000 árboles de alineación y revisa cada uno cada "
            "cuatro años.",
            questions=TREE_QUESTIONS,
        )
        tender = _catch_up(tender, start + 6 * DAY)
        _answer(
            tender,
            start + 15 * DAY,
            {
                "supplier.acme": [
                    "Dendrómetros y sensores de flujo de savia con comunicación LoRaWAN.",
                    "Piloto en entorno real (TRL 5-7)",
                ],
                "supplier.nova": [
                    "Cámaras multiespectrales en los vehículos de limpieza viaria.",
                    "Idea o prototipo de laboratorio (TRL 3-4)",
                ],
            },
        )
        tender = _catch_up(tender, start + 40 * DAY + dt.timedelta(minutes=1))
        _report(
            tender,
            "officer.terrassa",
            start + 45 * DAY,
            report="Dos empresas respondieron a la consulta. Las respuestas muestran que la "
            "medición continua del estado hídrico es viable a escala de piloto, pero no existe "
            "un producto comercial: las especificaciones pedirán un piloto de 500 árboles con "
            "sensores y revisión por imagen.",
            summaries=[
                "Se proponen dendrómetros, sensores de flujo de savia e imagen multiespectral.",
                "Una solución está en piloto real y otra en prototipo de laboratorio.",
            ],
        )
    tender, new = _create(
        terrassa,
        "officer.terrassa",
        "Plataforma de gemelo digital del alcantarillado",
        now - 31 * DAY,
        description="Modelo digital de la red de alcantarillado para anticipar inundaciones "
        "urbanas en episodios de lluvia torrencial.",
        procedure=CPTI,
        estimated_value=Decimal("200000"),
        cpv_codes=["72212000-4"],
    )
    if new:
        tender = _fire(tender, T.VALIDATE_NEED, "officer.terrassa", now - 30 * DAY)
        _fire(
            tender,
            T.CANCEL,
            "officer.terrassa",
            now - 5 * DAY,
            reason="El Área Metropolitana licitará un gemelo digital común para todos los municipios.",
        )

    # 7. Two CPTI tenders of Logroño: one in evaluation, one awarded and signed.
    start = now - 50 * DAY
    tender, new = _create(
        logrono,
        "officer.logrono",
        "Semáforos que dan prioridad a los autobuses urbanos",
        start - DAY,
        description="Los autobuses pierden el 20 % del tiempo de viaje en semáforos; ningún sistema "
        "del mercado se integra con la flota y los reguladores existentes.",
        procedure=CPTI,
        estimated_value=Decimal("190000"),
        cpv_codes=["34990000-3"],
    )
    if new:
        _evaluate(tender, start, stop_after="scores")
    start = now - 120 * DAY
    tender, new = _create(
        logrono,
        "officer.logrono",
        "Plataforma de gestión de la demanda energética municipal",
        start - DAY,
        description="Los edificios municipales consumen sin coordinación; no existe un producto que "
        "gestione la demanda con los contadores y la fotovoltaica existentes.",
        procedure=CPTI,
        estimated_value=Decimal("160000"),
        cpv_codes=["48000000-8"],
    )
    if new:
        _evaluate(tender, start, stop_after="award")

    # Catch up with the present: consultations open, deadlines fire (each at its due time).
    fire_due_events(models=MACHINES, now=now)
    if air_quality is not None:
        _answer_air_quality(air_quality, now)
    if stdout:
        stdout.write(f"Demo processes ready: {Tender.objects.count()}.")

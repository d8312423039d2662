"""The one window of ``documents`` on ``tenders``: plain-data contexts for templates.

Templates never see model instances. For each kind of document this module builds a context of
dicts, lists, strings, numbers and booleans, described by ``SCHEMA`` (the fields reference page
and the save-time check read it), from a process, or from sample data for previews. Dates and
amounts arrive already written the way the city reads them.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from documents.kinds import KIND_BY_CODE
from procurement.core.compiled import compiled
from procurement.core.formatting import city_datetime, money
from tenders.procedures import CPTI, Milestone, steps_marking

# --- the schema -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of a context: a scalar (``text``, ``number``, ``bool``), an ``object`` with
    ``fields``, or a ``list`` whose items are objects with ``fields`` (or texts, without)."""

    type: str
    help: Promise | str
    fields: dict[str, "Field"] = field(default_factory=dict)

    @property
    def is_container(self) -> bool:
        return self.type in ("object", "list")

    @property
    def type_display(self) -> str:
        """The type in the reader's language, for the fields reference and error messages."""
        names = {
            "text": _("text"),
            "number": _("number"),
            "bool": _("yes/no"),
            "object": _("object"),
            "list": _("list"),
        }
        return str(names.get(self.type, self.type))


def _text(help_text) -> Field:
    return Field("text", help_text)


DOCUMENT = Field(
    "object",
    _("The document being made."),
    {
        "title": _text(_("Legal name of the document, e.g. “Resolución de adjudicación”.")),
        "kind": _text(_("Code of the kind, e.g. award_resolution.")),
        "legal_basis": _text(_("Articles of law the document rests on.")),
        "ocds_document_type": _text(_("OCDS documentType code.")),
        "language": _text(_("Language code of the document (es, en).")),
        "date": _text(_("Date of the document, written out in its language.")),
    },
)
CITY = Field(
    "object",
    _("The contracting authority."),
    {
        "name": _text(_("Name of the city council.")),
        "country": _text(_("ISO country code.")),
        "currency": _text(_("Currency code.")),
    },
)
PROCESS = Field(
    "object",
    _("The CPI process."),
    {
        "id": Field("number", _("Number of the process in OpenCPI.")),
        "title": _text(_("Title of the process.")),
        "description": _text(_("The public need the market does not meet.")),
        "procedure": _text(_("Name of the procedure (CPTI open, PCP, partnership).")),
        "status": _text(_("Current state of the process, in words.")),
        "estimated_value": _text(_("Estimated value without VAT, with its currency.")),
        "currency": _text(_("Currency code.")),
        "cpv_codes": Field("list", _("CPV codes (texts).")),
        "functional_specifications": _text(_("Functional or performance requirements.")),
        "first_published": _text(_("When the process was first published.")),
        "submission_deadline": _text(_("Deadline for submissions.")),
        "legal_report": _text(_("Reference of the Secretary's legal report.")),
        "credit_certificate": _text(_("Reference of the credit certificate.")),
        "audit_report": _text(_("Reference of the prior audit report.")),
    },
)
CONSULTATION = Field(
    "object",
    _("The preliminary market consultation (empty texts when there is none)."),
    {
        "subject": _text(_("Object of the consultation.")),
        "background": _text(_("Background and challenge.")),
        "opens": _text(_("When it opens.")),
        "closes": _text(_("When it closes.")),
        "advisers": Field(
            "list",
            _("External advisers (LCSP art. 115.1)."),
            {"name": _text(_("Name.")), "reason": _text(_("Why they were chosen."))},
        ),
        "entities": Field(
            "list",
            _("Names of the entities that answered (texts; empty until the consultation closes)."),
        ),
        "questions": Field(
            "list",
            _("The questions asked, with the officers' non-confidential summaries of the answers."),
            {
                "order": Field("number", _("Number of the question.")),
                "text": _text(_("The question.")),
                "summary": _text(
                    _("Non-confidential summary of the answers (empty until the close).")
                ),
            },
        ),
        "report": _text(_("Conclusions of the consultation report.")),
    },
)
PARTICIPANTS = Field(
    "list",
    _(
        "Suppliers taking part: a PCP's or partnership's participants; a CPTI tender's bidders "
        "once the bids have closed."
    ),
    {
        "name": _text(_("Legal name.")),
        "tax_id": _text(_("Tax identifier.")),
        "kind": _text(_("Company, start-up, university…")),
        "sme": Field("bool", _("Whether it is an SME.")),
        "status": _text(
            _("Applicant, selected or dropped; for a bidder, the admission outcome of its bids.")
        ),
    },
)
CRITERIA = Field(
    "list",
    _("Award criteria (empty until they are defined)."),
    {
        "name": _text(_("Criterion.")),
        "weight": Field("number", _("Weight in points.")),
        "kind": _text(_("Value judgement (envelope B) or formula (envelope C).")),
        "innovation": Field("bool", _("Whether it rewards innovation.")),
        "price": Field("bool", _("Whether it is the price.")),
    },
)
LOTS = Field(
    "list",
    _("Lots of the contract."),
    {
        "number": Field("number", _("Number of the lot.")),
        "title": _text(_("Title of the lot.")),
        "value": _text(_("Estimated value without VAT, with its currency.")),
        "duration_months": Field("number", _("Duration in months.")),
    },
)
BIDS = Field(
    "list",
    _(
        "The bids (CPTI), lot by lot, once the bids have closed. Points and offers appear only "
        "once their envelopes were opened when the document was made: value-judgement points "
        "from the signed report, formula points, totals, ranks and prices from the opening of "
        "envelope C; empty texts before."
    ),
    {
        "lot": Field("number", _("Number of the lot.")),
        "name": _text(_("Bidder's legal name.")),
        "tax_id": _text(_("Bidder's tax identifier.")),
        "sme": Field("bool", _("Whether the bidder is an SME.")),
        "submitted": _text(_("When the bid was submitted.")),
        "admission": _text(_("Admission outcome (admitted, asked to remedy, excluded…).")),
        "admission_reason": _text(_("Reasons given for the admission outcome.")),
        "abnormal": _text(_("Abnormally-low-offer outcome (empty when not presumed).")),
        "value_judgement_points": _text(_("Points on the value-judgement criteria.")),
        "formula_points": _text(_("Points on the formula criteria.")),
        "total_points": _text(_("Total points.")),
        "rank": _text(_("Place in the lot's ranking (1 is best).")),
        "offer": _text(_("Price offered without VAT, with its currency.")),
    },
)
AWARD = Field(
    "object",
    _("The award."),
    {
        "proposed": _text(_("Bidders the committee proposed (empty before the proposal).")),
        "winner": _text(_("Name of the successful supplier (empty before the award).")),
        "value": _text(_("Total awarded value without VAT, with its currency.")),
        "points": _text(_("Points of the successful bid (when there is one lot).")),
        "lots": Field(
            "list",
            _("The award of each lot."),
            {
                "lot": Field("number", _("Number of the lot.")),
                "title": _text(_("Title of the lot.")),
                "winner": _text(_("Successful bidder.")),
                "tax_id": _text(_("Its tax identifier.")),
                "value": _text(_("Awarded value without VAT, with its currency.")),
                "points": _text(_("Points of the successful bid.")),
                "status": _text(_("Awarded, or annulled by an appeal.")),
            },
        ),
        "awarded": _text(_("Date of the award.")),
        "standstill_ends": _text(_("End of the standstill period.")),
        "contract_signed": _text(_("Date the contract was signed.")),
        "contract_reference": _text(_("Reference of the contract (empty until recorded).")),
    },
)

NEGOTIATION = Field(
    "object",
    _("The negotiation round the minutes record (innovation partnership)."),
    {
        "round": Field("number", _("Number of the round (0 before the first).")),
        "minutes": _text(_("What the committee recorded of the round.")),
    },
)
PHASE = Field(
    "object",
    _("The phase gate the report evaluates (PCP, innovation partnership)."),
    {
        "number": Field("number", _("Number of the phase evaluated (0 before the first gate).")),
        "kept": Field("list", _("Names of the suppliers kept for the next phase (texts).")),
        "next_phase_ends": _text(_("End of the next phase.")),
        "name": _text(_("Name of the phase, as the call defines it.")),
        "results": Field(
            "list",
            _("Each supplier's scored evaluation of the phase (a call that defines phases)."),
            {
                "supplier": _text(_("Legal name.")),
                "points": _text(_("Total points: the committee's mean on each criterion.")),
                "passed": Field("bool", _("Whether it reached every threshold.")),
                "criteria": _text(_("Points on each criterion, with its weight and threshold.")),
                "deliverables": _text(_("Deliverables received, late ones marked.")),
            },
        ),
    },
)
PHASE_CONTRACTS = Field(
    "list",
    _("The phase contracts of a PCP signed at this step: price, milestones and IPR terms."),
    {
        "supplier": _text(_("Legal name.")),
        "phase": Field("number", _("Phase number.")),
        "phase_name": _text(_("Name of the phase.")),
        "reference": _text(_("Contract reference.")),
        "price": _text(_("Phase price without VAT.")),
        "milestones": Field(
            "list",
            _("Payment milestones."),
            {
                "title": _text(_("Title.")),
                "amount": _text(_("Amount without VAT.")),
                "due": _text(_("Due date.")),
                "deliverable": _text(_("Deliverable it pays for.")),
            },
        ),
        "ipr_owner": _text(_("Who owns the results.")),
        "buyer_licence": _text(_("The contracting authority's licence.")),
        "call_back": _text(_("Call-back right.")),
        "publication": _text(_("Publication rights.")),
    },
)
PURCHASE = Field(
    "object",
    _("The decision on buying the partnership's results (LCSP art. 181)."),
    {
        "decided": Field("bool", _("Whether the results are bought.")),
        "reasons": _text(_("Reasons given with the decision.")),
    },
)
REQUEST = Field(
    "object",
    _("The request for documents to the best-ranked bidder (LCSP art. 150.2)."),
    {
        "due": _text(_("Deadline for the documents (empty when no request is running).")),
        "working_days": Field("number", _("Working days given to present them.")),
    },
)

_COMMON = {"document": DOCUMENT, "city": CITY, "process": PROCESS}
_CONSULTATION = {"consultation": CONSULTATION, "participants": PARTICIPANTS}
_AWARD = {
    "participants": PARTICIPANTS,
    "criteria": CRITERIA,
    "lots": LOTS,
    "bids": BIDS,
    "award": AWARD,
}

SCHEMA: dict[str, dict[str, Field]] = {
    "consultation_notice": {**_COMMON, **_CONSULTATION},
    "consultation_report": {**_COMMON, **_CONSULTATION},
    "justification_memo": {
        **_COMMON,
        "consultation": CONSULTATION,
        "criteria": CRITERIA,
        "lots": LOTS,
    },
    "pcap": {**_COMMON, "criteria": CRITERIA, "lots": LOTS},
    "ppt": {**_COMMON, "lots": LOTS},
    "pcp_call_documents": {**_COMMON, "criteria": CRITERIA},
    "partnership_descriptive_document": {**_COMMON, "criteria": CRITERIA},
    "tender_notice": {**_COMMON, "criteria": CRITERIA, "lots": LOTS},
    "invitation": {**_COMMON, "participants": PARTICIPANTS, "criteria": CRITERIA},
    "negotiation_minutes": {**_COMMON, "participants": PARTICIPANTS, "negotiation": NEGOTIATION},
    "committee_minutes": {**_COMMON, **_AWARD},
    "evaluation_report": {**_COMMON, **_AWARD},
    "documents_requested": {**_COMMON, **_AWARD, "request": REQUEST},
    "award_resolution": {**_COMMON, **_AWARD},
    "contract": {**_COMMON, **_AWARD, "phase_contracts": PHASE_CONTRACTS},
    "phase_evaluation": {**_COMMON, "participants": PARTICIPANTS, "phase": PHASE},
    "purchase_resolution": {
        **_COMMON,
        "participants": PARTICIPANTS,
        "award": AWARD,
        "purchase": PURCHASE,
    },
}
assert set(SCHEMA) == set(KIND_BY_CODE)


# --- contexts from a process ----------------------------------------------------------------


def _locale(language: str) -> str:
    return {"es": "es_ES", "en": "en_GB"}.get(language, language)


def _date(value: dt.date | None, language: str) -> str:
    return format_date(value, "long", locale=_locale(language)) if value else ""


def _when(value: dt.datetime | None, zone, language: str) -> str:
    return city_datetime(value, zone, language) if value else ""


def _document(kind: str, language: str, day: dt.date) -> dict[str, Any]:
    definition = KIND_BY_CODE[kind]
    return {
        "title": definition.name(language),
        "kind": kind,
        "legal_basis": definition.legal_basis_in(language),
        "ocds_document_type": definition.ocds_document_type,
        "language": language,
        "date": _date(day, language),
    }


def _only(kind: str, context: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in context.items() if key in SCHEMA[kind]}


@dataclass(frozen=True)
class ProcessRef:
    """What ``documents`` needs to know of a process besides its template context."""

    id: int
    city_id: int
    title: str
    language: str
    is_public: bool


def _tender(process_id: int):
    from tenders.models import Tender

    return (
        Tender.objects.select_related("city")
        .prefetch_related("consultations", "participants__supplier", "lots", "criteria")
        .get(pk=process_id)
    )


def process_lock(process_id: int) -> None:
    """Lock the process row until the transaction ends (serialises document numbering)."""
    from tenders.models import Tender

    list(Tender.objects.select_for_update().filter(pk=process_id).only("pk"))


def process_model_label() -> str:
    """The process model's label ("tenders.Tender"), for effects raised about a process."""
    from tenders.models import Tender

    return Tender._meta.label


def process_ref(process_id: int) -> ProcessRef:
    tender = _tender(process_id)
    return ProcessRef(
        tender.pk, tender.city_id, tender.title, tender.city.language, tender.is_public
    )


# --- as of which step -----------------------------------------------------------------------


@dataclass(frozen=True)
class AsOf:
    """The moment a document speaks for, and the process's steps up to it.

    A document made by a step's effect speaks for that step, however late it is generated:
    what was sealed then stays out of it even if it has been opened since."""

    at: dt.datetime
    steps: tuple[tuple[str, dt.datetime], ...] = ()

    def has(self, milestone: Milestone) -> bool:
        return bool(self.times(milestone))

    def times(self, milestone: Milestone) -> list[dt.datetime]:
        """When the steps that mark ``milestone`` happened."""
        names = steps_marking(milestone)
        return [at for step, at in self.steps if step in names]

    def reached(self, moment: dt.datetime | None) -> bool:
        return moment is not None and moment <= self.at


def _step_of_document(*, process_id: int, kind: str, language: str, at: dt.datetime) -> int | None:
    """The audit entry of the step whose effect made the document created at ``at``, if any."""
    from documents.models import GeneratedDocument

    steps = GeneratedDocument.objects.filter(
        tender_id=process_id, kind=kind, language=language, created_at=at
    ).values_list("audit_entry_id", flat=True)
    return next((i for i in steps if i is not None), None)


def as_of(tender, *, kind: str, language: str, at: dt.datetime, step_id: int | None = None) -> AsOf:
    """The step a document about ``tender`` speaks for: ``step_id`` (an audit entry), else the
    step whose effect made the document created at ``at``, else the moment ``at`` itself."""
    from procurement.core.audit import audit_history
    from procurement.core.models import AuditEntry

    entries = [e for e in audit_history(tender) if e.action == AuditEntry.Action.TRANSITION]
    if step_id is None:
        step_id = _step_of_document(process_id=tender.pk, kind=kind, language=language, at=at)
    step = next((e for e in entries if e.pk == step_id), None)
    if step is not None:
        upto = [e for e in entries if (e.at, e.pk) <= (step.at, step.pk)]
        return AsOf(step.at, tuple((e.name, e.at) for e in upto))
    return AsOf(at, tuple((e.name, e.at) for e in entries if e.at <= at))


# --- contexts from a process ----------------------------------------------------------------


def _number(value) -> int | float:
    """A weight as JSON can store it: 40, or 12.5."""
    return int(value) if value == int(value) else float(value)


def _points(value, language: str) -> str:
    return format_decimal(value, format="#,##0.00", locale=_locale(language))


def _criteria(tender) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "weight": _number(c.weight),
            "kind": str(c.get_kind_display()),
            "innovation": c.innovation,
            "price": c.is_price,
        }
        for c in sorted(tender.criteria.all(), key=lambda c: c.order)
    ]


def _lots(tender, language: str) -> list[dict[str, Any]]:
    return [
        {
            "number": lot.number,
            "title": lot.title,
            "value": money(lot.value, tender.currency, language),
            "duration_months": lot.duration_months,
        }
        for lot in sorted(tender.lots.all(), key=lambda lot: lot.number)
    ]


def _bids(tender, when: AsOf, zone, language: str) -> list[dict[str, Any]]:
    """Every submitted bid once the bids closed, with what had been opened by ``when``.

    Never an envelope's content: value-judgement points once the report is signed (LCSP art.
    146.2), formula points, totals, ranks and the price offered once envelope C is open."""
    if tender.procedure != CPTI or not when.has(Milestone.BIDS_CLOSING):
        return []
    from tenders.award.evaluation import formula_offers, scoreboard
    from tenders.models import Bid

    bids = list(
        tender.bids.filter(status=Bid.Status.SUBMITTED)
        .select_related("supplier", "lot")
        .order_by("lot__number", "supplier__name", "pk")
    )
    judged = when.reached(tender.value_report_signed_at)
    opened_c = when.reached(tender.c_opened_at)
    lines: dict[int, Any] = {}
    ranks: dict[int, int] = {}
    if judged or opened_c:
        for lot in sorted(tender.lots.all(), key=lambda lot: lot.number):
            board = scoreboard(tender, lot=lot)
            admitted = [line for line in board if line.bid.admission == Bid.Admission.ADMITTED]
            for place, line in enumerate(admitted, start=1):
                ranks[line.bid.pk] = place
            lines.update({line.bid.pk: line for line in board})
    offers: dict[int, Any] = {}
    price = next((c for c in tender.criteria.all() if c.is_price), None)
    if opened_c and price is not None:
        offers = formula_offers(tender, bids).get(price.pk, {})
    rows = []
    for bid in bids:
        scored = lines.get(bid.pk)
        row = {
            "lot": bid.lot.number,
            "name": bid.supplier.name,
            "tax_id": bid.supplier.tax_id,
            "sme": bid.supplier.is_sme,
            "submitted": _when(bid.submitted_at, zone, language),
            "admission": str(bid.get_admission_display()),
            "admission_reason": bid.admission_reason,
            "abnormal": str(bid.get_abnormal_display()) if bid.abnormal else "",
            "value_judgement_points": "",
            "formula_points": "",
            "total_points": "",
            "rank": "",
            "offer": "",
        }
        if scored is not None and judged:
            row["value_judgement_points"] = _points(scored.value_judgement, language)
        if scored is not None and opened_c:
            row["formula_points"] = _points(scored.formula, language)
            row["total_points"] = _points(scored.total, language)
            row["rank"] = str(ranks.get(bid.pk, ""))
        if bid.pk in offers:
            row["offer"] = money(offers[bid.pk], tender.currency, language)
        rows.append(row)
    return rows


def _bidders(tender, when: AsOf) -> list[dict[str, Any]]:
    """One participant per CPTI bidder once the bids closed, its status the admission outcome
    of its bids (one per lot)."""
    if tender.procedure != CPTI or not when.has(Milestone.BIDS_CLOSING):
        return []
    from tenders.models import Bid

    by_supplier: dict[int, dict[str, Any]] = {}
    for bid in (
        tender.bids.filter(status=Bid.Status.SUBMITTED)
        .select_related("supplier")
        .order_by("supplier__name", "lot__number", "pk")
    ):
        supplier = bid.supplier
        entry = by_supplier.setdefault(
            supplier.pk,
            {
                "name": supplier.name,
                "tax_id": supplier.tax_id,
                "kind": str(supplier.get_kind_display()),
                "sme": supplier.is_sme,
                "status": "",
            },
        )
        outcome = str(bid.get_admission_display())
        if outcome not in entry["status"].split("; "):
            entry["status"] = f"{entry['status']}; {outcome}" if entry["status"] else outcome
    return list(by_supplier.values())


def _cpti_award(tender, when: AsOf, zone, language: str) -> dict[str, Any]:
    """The award rows resolved by ``when`` (never a proposal as the award), lot by lot."""
    from tenders.models import Award

    rows = [
        row
        for row in Award.objects.filter(
            tender=tender,
            status__in=[Award.Status.AWARDED, Award.Status.ANNULLED],
            awarded_at__isnull=False,
        )
        .select_related("bid__supplier", "lot")
        .order_by("lot__number", "awarded_at", "pk")
        if when.reached(row.awarded_at)
    ]

    def annulled(row) -> bool:
        return row.status == Award.Status.ANNULLED and any(
            at >= row.awarded_at for at in when.times(Milestone.AWARD_ANNULMENT)
        )

    live = [row for row in rows if not annulled(row)]
    proposed: list[str] = []
    if when.has(Milestone.AWARD_PROPOSAL):
        # The live proposal of each lot (after a failed request for documents, the next one).
        for row in (
            Award.objects.filter(tender=tender)
            .exclude(status__in=[Award.Status.FAILED, Award.Status.ANNULLED])
            .select_related("bid__supplier")
            .order_by("lot__number", "pk")
        ):
            if row.bid.supplier.name not in proposed:
                proposed.append(row.bid.supplier.name)
    values = [row.value for row in live if row.value is not None]
    signed = when.reached(tender.contract_signed_at)
    winners = list(dict.fromkeys(row.bid.supplier.name for row in live))
    return {
        "proposed": ", ".join(proposed),
        "winner": ", ".join(winners),
        "value": money(sum(values), tender.currency, language) if values else "",
        "points": _points(live[0].total_points, language) if len(live) == 1 else "",
        "lots": [
            {
                "lot": row.lot.number,
                "title": row.lot.title,
                "winner": row.bid.supplier.name,
                "tax_id": row.bid.supplier.tax_id,
                "value": money(row.value, tender.currency, language)
                if row.value is not None
                else "",
                "points": _points(row.total_points, language),
                "status": str(
                    Award.Status.ANNULLED.label if annulled(row) else Award.Status.AWARDED.label
                ),
            }
            for row in rows
        ],
        "awarded": _when(tender.awarded_at, zone, language)
        if when.reached(tender.awarded_at)
        else "",
        "standstill_ends": _when(tender.standstill_ends_at, zone, language)
        if when.has(Milestone.STANDSTILL)
        else "",
        "contract_signed": _when(tender.contract_signed_at, zone, language) if signed else "",
        "contract_reference": ", ".join(r.contract_reference for r in live if r.contract_reference)
        if signed
        else "",
    }


def _consultation(consultation, when: AsOf, zone, language: str) -> dict[str, Any]:
    """The consultation's public face (``consultation_report_data``): who answered and the
    summaries only once it closed; never an answer."""
    if consultation is None:
        return {
            "subject": "",
            "background": "",
            "opens": "",
            "closes": "",
            "advisers": [],
            "entities": [],
            "questions": [],
            "report": "",
        }
    from tenders.consultation.selectors import consultation_report_data

    data = consultation_report_data(consultation=consultation)
    closed = when.reached(consultation.closes_at)
    return {
        "subject": consultation.subject,
        "background": consultation.background,
        "opens": _when(consultation.opens_at, zone, language),
        "closes": _when(consultation.closes_at, zone, language),
        "advisers": [
            {"name": str(a.get("name", "")), "reason": str(a.get("reason", ""))}
            for a in (data["advisers"] or [])
            if isinstance(a, dict)
        ],
        "entities": [str(name) for name in data["entities"]] if closed else [],
        "questions": [
            {
                "order": q["order"],
                "text": q["text"],
                "summary": q["summary"] if closed else "",
            }
            for q in data["questions"]
        ],
        "report": data["report"],
    }


# --- what the step itself recorded (a round's minutes, a gate's choice, a decision) ---------


def _kind_step(tender, when: AsOf, kind: str):
    """How many steps up to ``when`` made (or would make) a document of ``kind``, and the latest
    of them (its audit row): the round a negotiation's minutes record, the phase a gate's
    report evaluates, the decision a resolution states."""
    from procurement.core.audit import audit_history
    from procurement.core.models import AuditEntry

    effects = set(KIND_BY_CODE[kind].effects)
    names = {t.name for t in tender.machine.transitions if effects & set(t.effects)}
    count = sum(1 for name, _at in when.steps if name in names)
    if not count:
        return 0, None
    entries = [
        e
        for e in audit_history(tender)
        if e.action == AuditEntry.Action.TRANSITION and e.name in names
    ]
    return count, entries[count - 1] if count <= len(entries) else None


def _negotiation(tender, when: AsOf) -> dict[str, Any]:
    number, step = _kind_step(tender, when, "negotiation_minutes")
    return {"round": number, "minutes": str(step.data.get("minutes", "")) if step else ""}


def _phase(tender, when: AsOf, zone, language: str) -> dict[str, Any]:
    """The gate's choice: the suppliers it kept (all those still selected when it kept them all)
    and when the next phase ends."""
    from django.utils.dateparse import parse_datetime

    number, step = _kind_step(tender, when, "phase_evaluation")
    if step is None:
        return {"number": 0, "kept": [], "next_phase_ends": "", "name": "", "results": []}
    results = _phase_results(tender, number, language)
    if results is not None:
        return {
            "number": number,
            "name": results[0],
            "kept": [row["supplier"] for row in results[1] if row["passed"]],
            "next_phase_ends": "",
            "results": results[1],
        }
    members = sorted(tender.participants.all(), key=lambda p: p.supplier.name)
    keep = step.data.get("keep")
    kept = [
        p.supplier.name
        for p in members
        if (p.supplier_id in keep if keep is not None else p.status == "selected")
    ]
    ends = step.data.get("phase_ends_at")
    return {
        "number": number,
        "kept": kept,
        "next_phase_ends": _when(parse_datetime(ends) if ends else None, zone, language),
        "name": "",
        "results": [],
    }


def _phase_results(tender, number: int, language: str) -> tuple[str, list[dict]] | None:
    """The scored evaluation of phase ``number`` when the call defines it (``None`` when not):
    the phase's name and each evaluated supplier's points, best first."""
    from tenders.phases.evaluation import contract_results

    phase = tender.phases.filter(number=number).first()
    if phase is None:
        return None
    rows = []
    contracts = phase.contracts.filter(evaluated_at__isnull=False).select_related("supplier")
    for contract in contracts:
        result = contract_results(contract)
        deliverables = [
            f"{d.title}{' (' + str(_('late')) + ')' if d.late else ''}"
            for d in contract.deliverables.all()
        ]
        rows.append(
            {
                "supplier": contract.supplier.name,
                "points": _points(result.total, language),
                "passed": result.passed,
                "criteria": "; ".join(
                    f"{row.criterion.name}: {_points(row.points, language)} / "
                    f"{_points(row.criterion.weight, language)} "
                    f"({_('threshold')} {_points(row.criterion.threshold, language)})"
                    for row in result.rows
                ),
                "deliverables": "; ".join(deliverables) or str(_("none")),
                "_total": result.total,
            }
        )
    rows.sort(key=lambda r: (-r["_total"], r["supplier"]))
    for row in rows:
        del row["_total"]
    return phase.name, rows


def _phase_contracts(tender, when: AsOf, zone, language: str) -> list[dict]:
    """The PCP phase contracts signed by the time of ``when``, with their milestones and IPR."""
    from tenders.phases.models import PhaseContract

    contracts = (
        PhaseContract.objects.filter(phase__tender=tender, signed_at__isnull=False)
        .select_related("phase", "supplier")
        .prefetch_related("milestones")
        .order_by("phase__number", "supplier__name")
    )
    return [
        {
            "supplier": c.supplier.name,
            "phase": c.phase.number,
            "phase_name": c.phase.name,
            "reference": c.reference,
            "price": money(c.price, tender.currency, language),
            "milestones": [
                {
                    "title": m.title,
                    "amount": money(m.amount, tender.currency, language),
                    "due": format_date(m.due_date, format="short", locale=_locale(language)),
                    "deliverable": m.deliverable,
                }
                for m in c.milestones.all()
            ],
            "ipr_owner": str(c.get_ipr_owner_display()),
            "buyer_licence": c.buyer_licence,
            "call_back": c.call_back,
            "publication": c.publication,
        }
        for c in contracts
        if when.reached(c.signed_at)
    ]


def _purchase(tender, when: AsOf) -> dict[str, Any]:
    _number, step = _kind_step(tender, when, "purchase_resolution")
    return {
        "decided": bool(step.data.get("purchase")) if step else False,
        "reasons": step.reason if step else "",
    }


def _request(tender, when: AsOf, zone, language: str) -> dict[str, Any]:
    from tenders.procedures.guards import rules

    running = when.reached(tender.documents_requested_at)
    return {
        "due": _when(tender.documents_due_at, zone, language) if running else "",
        "working_days": rules(tender).award_documents_working_days,
    }


def _step_parts(tender, kind: str, when: AsOf, zone, language: str) -> dict[str, Any]:
    """The parts of ``kind``'s context that come from what its step recorded."""
    wanted = SCHEMA[kind]
    parts: dict[str, Any] = {}
    if "negotiation" in wanted:
        parts["negotiation"] = _negotiation(tender, when)
    if "phase" in wanted:
        parts["phase"] = _phase(tender, when, zone, language)
    if "phase_contracts" in wanted:
        parts["phase_contracts"] = _phase_contracts(tender, when, zone, language)
    if "purchase" in wanted:
        parts["purchase"] = _purchase(tender, when)
    if "request" in wanted:
        parts["request"] = _request(tender, when, zone, language)
    return parts


def process_context(
    *, process_id: int, kind: str, language: str, at: dt.datetime, step_id: int | None = None
) -> dict[str, Any]:
    """The context of a document of ``kind`` about a process, as of ``at``; for a document made
    by a step's effect, as of that step (``step_id``, or found from the document made at
    ``at``), so it holds only what had been opened by then."""
    from django.utils import translation

    tender = _tender(process_id)
    city = tender.city
    zone = city.zone
    when = as_of(tender, kind=kind, language=language, at=at, step_id=step_id)
    with translation.override(language):
        consultations = sorted(tender.consultations.all(), key=lambda c: c.pk)
        consultation = consultations[-1] if consultations else None
        bids = _bids(tender, when, zone, language)
        if tender.procedure == CPTI:
            participants = _bidders(tender, when)
            award = _cpti_award(tender, when, zone, language)
        else:
            members = sorted(tender.participants.all(), key=lambda p: p.supplier.name)
            participants = [
                {
                    "name": p.supplier.name,
                    "tax_id": p.supplier.tax_id,
                    "kind": str(p.supplier.get_kind_display()),
                    "sme": p.supplier.is_sme,
                    "status": str(p.get_status_display()),
                }
                for p in members
            ]
            winner = next((p for p in members if p.status == "selected"), None)
            award = {
                "proposed": "",
                "winner": winner.supplier.name if winner and tender.awarded_at else "",
                "value": "",
                "points": "",
                "lots": [],
                "awarded": _when(tender.awarded_at, zone, language),
                "standstill_ends": _when(tender.standstill_ends_at, zone, language),
                "contract_signed": _when(tender.contract_signed_at, zone, language),
                "contract_reference": "",
            }
        context = {
            "document": _document(kind, language, timezone.localtime(at, zone).date()),
            "city": {"name": city.name, "country": city.country, "currency": city.currency},
            "process": {
                "id": tender.pk,
                "title": tender.title,
                "description": tender.description,
                "procedure": str(tender.get_procedure_display()),
                "status": str(tender.state.label),
                "estimated_value": money(tender.estimated_value, tender.currency, language),
                "currency": tender.currency,
                "cpv_codes": list(tender.cpv_codes),
                "functional_specifications": tender.functional_specifications,
                "first_published": _when(tender.first_published_at, zone, language),
                "submission_deadline": _when(tender.submission_deadline, zone, language),
                "legal_report": tender.legal_report_ref,
                "credit_certificate": tender.credit_certificate_ref,
                "audit_report": tender.audit_report_ref,
            },
            "consultation": _consultation(consultation, when, zone, language),
            "participants": participants,
            "criteria": _criteria(tender),
            "lots": _lots(tender, language),
            "bids": bids,
            "award": award,
        }
    context.update(_step_parts(tender, kind, when, zone, language))
    return _only(kind, context)


def process_for_user(*, user, process_id) -> tuple[ProcessRef, bool]:
    """The process if ``user`` may read it, and whether they see its private side; the same
    ``NotFound`` for missing and not-yours."""
    from tenders.process.selectors import tender_get_for_user

    tender, private = tender_get_for_user(user=user, pk=process_id)
    return (
        ProcessRef(tender.pk, tender.city_id, tender.title, tender.city.language, tender.is_public),
        private,
    )


def process_private_for_user(*, user, process_id):
    """The process itself, for a write that asks the user's permissions on it, if ``user`` sees
    its private side; the same ``NotFound`` for missing, public-only and not-yours."""
    from tenders.process.selectors import tender_get_private_for_user

    return tender_get_private_for_user(user=user, pk=process_id)


def process_visible_ids(*, user):
    """A subquery of the processes whose private side ``user`` sees."""
    from tenders.process.selectors import tenders_private_for_user

    return tenders_private_for_user(user).values("pk")


def process_user_may_request(*, user, process_id: int) -> bool:
    """Officers and the legal team of the process's city may ask for documents on demand."""
    tender = _tender(process_id)
    return user.has_perm("tenders.act_officer", tender) or user.has_perm(
        "tenders.act_legal", tender
    )


# --- sample data for previews ---------------------------------------------------------------

_SAMPLE = {
    "es": {
        "city": "Ayuntamiento de Ejemplo",
        "title": "Gestión inteligente del riego de parques",
        "description": "Los parques se riegan con horarios fijos, llueva o no; "
        "ninguna solución del mercado ajusta el riego a la humedad real del suelo.",
        "procedure": "Compra pública de tecnología innovadora (procedimiento abierto)",
        "status": "Consulta abierta",
        "specs": "Reducir un 30 % el consumo de agua sin pérdida de calidad del césped.",
        "subject": "Sensores de humedad y riego adaptativo",
        "background": "¿Qué soluciones existen hoy? Buscamos ideas, no ofertas.",
        "report": "Las respuestas muestran que el reto es viable con un TRL 6.",
        "adviser_reason": "Experta en hidrología urbana.",
        "kind": "Empresa",
        "status_p": "Seleccionada",
        "criterion": "Calidad técnica",
        "price": "Precio",
        "value_judgement": "juicio de valor (sobre B)",
        "formula": "fórmula (sobre C)",
        "lot": "Suministro, instalación y mantenimiento",
        "admitted": "admitida",
        "awarded": "adjudicada",
        "question": "¿Qué tecnología propone y con qué precisión?",
        "summary": "Dos entidades proponen sensores capacitivos; una, ópticos.",
        "minutes": "Se revisan los prototipos de sensor y el plan de pruebas en dos parques.",
        "purchase": "El prototipo alcanza los niveles de rendimiento y no supera el coste máximo.",
        "phase_name": "Diseño de la solución",
        "phase_criteria": "Viabilidad técnica: 52,00 / 60,00 (umbral 30,00); Innovación: 36,00 / 40,00 (umbral 15,00)",
        "phase_deliverable": "Informe de diseño de la solución",
        "ipr_owner": "el proveedor",
        "licence": "Licencia gratuita y no exclusiva de uso de los resultados para el Ayuntamiento.",
        "call_back": "El Ayuntamiento puede exigir licencias a terceros si el proveedor no explota los resultados.",
        "publication": "El Ayuntamiento puede publicar resúmenes no confidenciales de los resultados.",
    },
    "en": {
        "city": "Example City Council",
        "title": "Smart irrigation of parks",
        "description": "Parks are watered on fixed timetables, rain or shine; no product on "
        "the market adjusts watering to real soil moisture.",
        "procedure": "CPTI open procedure",
        "status": "Consultation open",
        "specs": "Cut water use by 30 % without harming the grass.",
        "subject": "Moisture sensors and adaptive irrigation",
        "background": "What solutions exist today? Ideas are sought, not offers.",
        "report": "Answers show the challenge is feasible at TRL 6.",
        "adviser_reason": "Expert in urban hydrology.",
        "kind": "Company",
        "status_p": "Selected",
        "criterion": "Technical quality",
        "price": "Price",
        "value_judgement": "value judgement (envelope B)",
        "formula": "formula (envelope C)",
        "lot": "Supply, installation and maintenance",
        "admitted": "admitted",
        "awarded": "awarded",
        "question": "Which technology do you propose, and how accurate is it?",
        "summary": "Two entities propose capacitive sensors; one, optical ones.",
        "minutes": "The sensor prototypes and the test plan in two parks are reviewed.",
        "purchase": "The prototype meets the performance levels within the maximum cost.",
        "phase_name": "Solution design",
        "phase_criteria": "Technical feasibility: 52.00 / 60.00 (threshold 30.00); Innovation: 36.00 / 40.00 (threshold 15.00)",
        "phase_deliverable": "Solution design report",
        "ipr_owner": "the supplier",
        "licence": "A free, non-exclusive licence for the city to use the results.",
        "call_back": "The city may require licences to third parties if the supplier does not exploit the results.",
        "publication": "The city may publish non-confidential summaries of the results.",
    },
}


def sample_context(*, kind: str, language: str) -> dict[str, Any]:
    """Fixed, realistic data for previews and for checking a template at save time."""
    words = _SAMPLE.get(language, _SAMPLE["en"])
    day = dt.date(2026, 3, 2)
    moment = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    zone = timezone.get_fixed_timezone(60)
    context = {
        "document": _document(kind, language, day),
        "city": {"name": words["city"], "country": "ES", "currency": "EUR"},
        "process": {
            "id": 1,
            "title": words["title"],
            "description": words["description"],
            "procedure": words["procedure"],
            "status": words["status"],
            "estimated_value": money(450000, "EUR", language),
            "currency": "EUR",
            "cpv_codes": ["77313000-7", "38500000-0"],
            "functional_specifications": words["specs"],
            "first_published": _when(moment, zone, language),
            "submission_deadline": _when(moment + dt.timedelta(days=35), zone, language),
            "legal_report": "INF-JUR-2026/041",
            "credit_certificate": "RC 2026/12877",
            "audit_report": "FISC-2026/311",
        },
        "consultation": {
            "subject": words["subject"],
            "background": words["background"],
            "opens": _when(moment, zone, language),
            "closes": _when(moment + dt.timedelta(days=30), zone, language),
            "advisers": [{"name": "Dra. Elena Ruiz", "reason": words["adviser_reason"]}],
            "entities": ["Acme Smart Solutions S.L.", "Nova Urban Robotics S.L."],
            "questions": [{"order": 1, "text": words["question"], "summary": words["summary"]}],
            "report": words["report"],
        },
        "participants": [
            {
                "name": "Acme Smart Solutions S.L.",
                "tax_id": "B26123455",
                "kind": words["kind"],
                "sme": True,
                "status": words["status_p"],
            },
            {
                "name": "Nova Urban Robotics S.L.",
                "tax_id": "B08765430",
                "kind": words["kind"],
                "sme": True,
                "status": words["status_p"],
            },
        ],
        "criteria": [
            {
                "name": words["criterion"],
                "weight": 60,
                "kind": words["value_judgement"],
                "innovation": True,
                "price": False,
            },
            {
                "name": words["price"],
                "weight": 40,
                "kind": words["formula"],
                "innovation": False,
                "price": True,
            },
        ],
        "lots": [
            {
                "number": 1,
                "title": words["lot"],
                "value": money(450000, "EUR", language),
                "duration_months": 24,
            }
        ],
        "bids": [
            {
                "lot": 1,
                "name": name,
                "tax_id": tax_id,
                "sme": True,
                "submitted": _when(moment + dt.timedelta(days=30), zone, language),
                "admission": words["admitted"],
                "admission_reason": "",
                "abnormal": "",
                "value_judgement_points": _points(vj, language),
                "formula_points": _points(formula, language),
                "total_points": _points(vj + formula, language),
                "rank": str(rank),
                "offer": money(offer, "EUR", language),
            }
            for rank, (name, tax_id, vj, formula, offer) in enumerate(
                [
                    ("Acme Smart Solutions S.L.", "B26123455", 52, 40, 390000),
                    ("Nova Urban Robotics S.L.", "B08765430", 45, 36.5, 427000),
                ],
                start=1,
            )
        ],
        "award": {
            "proposed": "Acme Smart Solutions S.L.",
            "winner": "Acme Smart Solutions S.L.",
            "value": money(390000, "EUR", language),
            "points": _points(92, language),
            "lots": [
                {
                    "lot": 1,
                    "title": words["lot"],
                    "winner": "Acme Smart Solutions S.L.",
                    "tax_id": "B26123455",
                    "value": money(390000, "EUR", language),
                    "points": _points(92, language),
                    "status": words["awarded"],
                }
            ],
            "awarded": _when(moment + dt.timedelta(days=90), zone, language),
            "standstill_ends": _when(moment + dt.timedelta(days=105), zone, language),
            "contract_signed": _when(moment + dt.timedelta(days=110), zone, language),
            "contract_reference": "CON-2026/0042",
        },
        "negotiation": {"round": 1, "minutes": words["minutes"]},
        "phase": {
            "number": 1,
            "kept": ["Acme Smart Solutions S.L.", "Nova Urban Robotics S.L."],
            "next_phase_ends": _when(moment + dt.timedelta(days=200), zone, language),
            "name": words["phase_name"],
            "results": [
                {
                    "supplier": "Acme Smart Solutions S.L.",
                    "points": _points(88, language),
                    "passed": True,
                    "criteria": words["phase_criteria"],
                    "deliverables": words["phase_deliverable"],
                }
            ],
        },
        "phase_contracts": [
            {
                "supplier": "Acme Smart Solutions S.L.",
                "phase": 1,
                "phase_name": words["phase_name"],
                "reference": "PCP-1-F1-1",
                "price": money(45000, "EUR", language),
                "milestones": [
                    {
                        "title": words["phase_deliverable"],
                        "amount": money(45000, "EUR", language),
                        "due": _when(moment + dt.timedelta(days=60), zone, language),
                        "deliverable": words["phase_deliverable"],
                    }
                ],
                "ipr_owner": words["ipr_owner"],
                "buyer_licence": words["licence"],
                "call_back": words["call_back"],
                "publication": words["publication"],
            }
        ],
        "purchase": {"decided": True, "reasons": words["purchase"]},
        "request": {
            "due": _when(moment + dt.timedelta(days=74), zone, language),
            "working_days": 10,
        },
    }
    return _only(kind, context)


# --- the pliegos' window on the process -------------------------------------------------------


def pliegos_required(*, procedure: str) -> tuple[str, ...]:
    """The kinds of pliego a procedure's file must hold (``tenders.procedures.REQUIRED_PLIEGOS``)."""
    from tenders.procedures.base import REQUIRED_PLIEGOS

    return REQUIRED_PLIEGOS.get(procedure, ())


def pliegos_requirement_name() -> str:
    from tenders.procedures.base import PLIEGOS_APPROVED

    return PLIEGOS_APPROVED


@dataclass(frozen=True)
class PliegoProcess:
    """What the pliegos' services need to know of a process."""

    id: int
    city_id: int
    title: str
    language: str
    procedure: str
    file_approved: bool
    # When the tender notice (the PCP call, the partnership notice) was published, if it was.
    noticed_at: dt.datetime | None
    submission_deadline: dt.datetime | None
    deadline_extendable: bool
    private: bool
    is_officer: bool
    is_legal: bool


def pliego_process_for_user(*, user, process_id) -> PliegoProcess:
    """The process as the pliegos see it, if ``user`` may read it (the same ``NotFound`` for
    missing and not-yours), with what the user may do on it."""
    from tenders.process.selectors import tender_get_for_user

    tender, private = tender_get_for_user(user=user, pk=process_id)
    return pliego_process_of(user=user, tender=tender, private=private)


def pliego_process_of(*, user, tender, private: bool) -> PliegoProcess:
    """``pliego_process_for_user`` for a process the caller has already read for ``user``
    through ``tender_get_for_user`` (``private`` is what that returned): the page of the
    process does not read it a second time."""
    from tenders.procedures import MACHINE, Milestone

    extendable = any(
        definition.milestone == Milestone.DEADLINE_EXTENSION
        for definition in MACHINE.transitions_from(tender.procedure, tender.status)
    )
    authenticated = bool(getattr(user, "is_authenticated", False))
    return PliegoProcess(
        id=tender.pk,
        city_id=tender.city_id,
        title=tender.title,
        language=tender.city.language,
        procedure=tender.procedure,
        # ``approve_file`` freezes the file (LCSP art. 122.1): pliegos change only by correction.
        file_approved=tender.specs_frozen_at is not None,
        noticed_at=process_noticed_at(process_id=tender.pk),
        submission_deadline=tender.submission_deadline,
        deadline_extendable=extendable,
        private=private,
        is_officer=authenticated and private and user.has_perm("tenders.act_officer", tender),
        is_legal=authenticated and private and user.has_perm("tenders.act_legal", tender),
    )


def process_notice_step(*, process_id: int):
    """The audit row of the step that published the tender notice (the PCP call, the
    partnership notice), if it happened: the pliegos are published with it (LCSP art. 138.1)."""
    found = _notice_steps(str(process_id))
    return found[0] if found else None


def _notice_steps_of(object_id: str):
    from procurement.core.models import AuditEntry

    return AuditEntry.objects.filter(
        content_type__app_label="tenders",
        content_type__model="tender",
        object_id=object_id,
        action=AuditEntry.Action.TRANSITION,
        name__in=sorted(steps_marking(Milestone.TENDER_NOTICE)),
    ).order_by("at", "pk")[:1]


_notice_steps = compiled(_notice_steps_of)  # SQL built once per process


def process_noticed_at(*, process_id: int) -> dt.datetime | None:
    step = process_notice_step(process_id=process_id)
    return step.at if step is not None else None


def process_deadline_extend(
    *, actor, process_id: int, deadline: dt.datetime, reason: str, now: dt.datetime | None = None
) -> None:
    """Extend the bid deadline through the engine's own step (LCSP art. 136.2)."""
    from tenders.models import Tender
    from tenders.procedures import MACHINE, Milestone
    from workflows.services import transition_perform

    tender = Tender.objects.select_related("city").get(pk=process_id)
    name = next(
        (
            definition.name
            for definition in MACHINE.transitions_from(tender.procedure, tender.status)
            if definition.milestone == Milestone.DEADLINE_EXTENSION
        ),
        None,
    )
    if name is None:
        from procurement.core.exceptions import Conflict

        raise Conflict(
            str(_("The bid deadline can no longer be extended in this state (LCSP art. 136.2)."))
        )
    transition_perform(
        process=tender,
        name=name,
        actor=actor,
        reason=reason,
        data={"submission_deadline": deadline},
        now=now,
    )


def supplier_addresses_of(*, supplier_ids) -> dict[int, list[str]]:
    from procurement.accounts.models import Supplier
    from tenders.consultation.subscriptions import supplier_addresses

    return {
        supplier.pk: supplier_addresses(supplier)
        for supplier in Supplier.objects.filter(pk__in=list(supplier_ids))
    }


def city_zone(*, process_id: int):
    """The time zone of the process's city, for dates written in e-mails."""
    return _tender(process_id).city.zone

"""One OCDS 1.1 release from a process and the audit row of the step that published it.

The release is a full snapshot of the public side of its contracting process (see the package
docstring for the two ocids) as of that step. It is built from the audit trail up to the step
and from what is public: published notices, the need, the consultation's public face, public
documents that are ready, selected participants, and of a CPTI tender its lots and criteria
(public with the notice), who bid (public once the bids closed) and its awards and contracts.
Never from responses, answers, attachments, unpublished documents, nor from a bid's envelopes,
their digests or the committee's scores: a bid shows only its bidder's name, after the deadline.

Each OCDS section has its own function (``planning_section``, ``tender_section``,
``awards_section``, ``contracts_section``…).

Lots follow the OCDS lots extension (``tender.lots``, ``awards[].relatedLots``), declared in
every package (``publication.ocds.records.EXTENSIONS``).
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from procurement.accounts.models import Supplier
from procurement.core.audit import audit_history
from procurement.core.exceptions import ApplicationError
from procurement.core.formatting import money
from procurement.core.models import AuditEntry
from tenders.models import Award, Bid, Criterion, PhaseContract
from tenders.phases.evaluation import contract_results
from tenders.procedures import (
    CPTI,
    PARTNERSHIP,
    PCP,
    STATE_BY_NAME,
    STATES,
    TRANSITION_BY_NAME,
    TRANSITIONS,
    Milestone,
    S,
    procedure,
    steps_marking,
)
from tenders.process.common import clean_money

PLANNING_STAGES = frozenset({"need", "consultation", "preparation"})

# Transitions whose audit rows carry the public milestones of a process.
PLANNING_PUBLICATIONS = steps_marking(Milestone.NEED_NOTICE, Milestone.CONSULTATION_NOTICE)
CONSULTATION_NOTICES = steps_marking(Milestone.CONSULTATION_NOTICE)
CONSULTATION_ENDS = steps_marking(Milestone.CONSULTATION_END)
REPORT_PUBLICATIONS = steps_marking(Milestone.CONSULTATION_REPORT)
TENDER_PUBLICATIONS = steps_marking(Milestone.TENDER_NOTICE)
# The partnership's resolution on buying its results (LCSP art. 181).
PURCHASE_DECISIONS = frozenset(t.name for t in TRANSITIONS if "purchase_resolution" in t.effects)
DEADLINE_EXTENSIONS = steps_marking(Milestone.DEADLINE_EXTENSION)
AWARD_STEPS = steps_marking(Milestone.AWARD)
AWARD_ANNULMENTS = steps_marking(Milestone.AWARD_ANNULMENT)
# A special appeal against the award suspends the process; the tribunal's dismissal lifts the
# suspension, an upheld appeal annuls the award (LCSP arts. 53, 57 and 63.3).
APPEAL_STEPS = steps_marking(
    Milestone.APPEAL_SUSPENSION, Milestone.APPEAL_RESOLUTION, Milestone.AWARD_ANNULMENT
)
CONTRACT_STEPS = steps_marking(Milestone.CONTRACT)
# The CPTI step after which who bid is public (LCSP art. 157: the bids are opened in public).
BIDS_CLOSED_STEPS = steps_marking(Milestone.BIDS_CLOSING)

# procurementMethod (closed codelist ``method``): innovation partnership and PCP select whom
# they negotiate or contract with, so both are ``selective`` (anchors §2.4).
PROCUREMENT_METHOD = {
    CPTI: "open",
    PCP: "selective",
    PARTNERSHIP: "selective",
}

# awardStatus (closed) of a CPTI award row. Proposals, document requests and failed requests
# are internal to the committee and the officers: only resolutions are published.
AWARD_STATUS = {"awarded": "active", "annulled": "cancelled"}
PUBLISHED_AWARD_ROWS = frozenset(AWARD_STATUS)

# A lot's status (the lots extension uses the closed tenderStatus codelist): complete once
# awarded, otherwise as the tender; a lot left without award when the tender ended is
# unsuccessful.
LOT_STATUS_AWARDED = "complete"
LOT_STATUS_NOT_AWARDED = "unsuccessful"

# awardCriteria (open codelist ``awardCriteria``): by which criteria the tender is judged.
AWARD_CRITERIA_PRICE_ONLY = "priceOnly"
AWARD_CRITERIA_QUALITY_ONLY = "qualityOnly"
AWARD_CRITERIA_RATED = "ratedCriteria"

# releaseTag (closed) of a tender-process release by the effects of its step, first match wins;
# an upheld appeal that annuls an award is an ``awardUpdate``; every other step a
# ``tenderUpdate`` (or ``tender`` when it opens the ocid).
RELEASE_TAG_BY_EFFECT = (
    ("cancellation", "tenderCancellation"),
    ("contract", "contract"),
    ("purchase_resolution", "contract"),
    ("phase_gate", "contractUpdate"),
    ("phase_evaluation", "implementationUpdate"),
    ("award_resolution", "award"),
    ("award_annulled", "awardUpdate"),
)

# Every closed-codelist value this module can write, checked against the codelists by the tests.
CLOSED_CODES = {
    "tenderStatus.csv": {"planning", "withdrawn", *(state.ocds_status for state in STATES)}
    | {LOT_STATUS_AWARDED, LOT_STATUS_NOT_AWARDED},
    "method.csv": set(PROCUREMENT_METHOD.values()),
    "releaseTag.csv": {
        "planning",
        "planningUpdate",
        "tender",
        "tenderUpdate",
        "awardUpdate",
        *(tag for _effect, tag in RELEASE_TAG_BY_EFFECT),
    },
    "awardStatus.csv": {"active", "cancelled", *AWARD_STATUS.values()},
    "milestoneStatus.csv": {"scheduled", "met"},
    "contractStatus.csv": {"active", "terminated"},
    "initiationType.csv": {"tender"},
}
# Open codelists, checked too so that no code is made up.
OPEN_CODES = {
    "awardCriteria.csv": {
        AWARD_CRITERIA_PRICE_ONLY,
        AWARD_CRITERIA_QUALITY_ONLY,
        AWARD_CRITERIA_RATED,
    },
    "partyRole.csv": {"buyer", "procuringEntity", "supplier", "tenderer"},
    "submissionMethod.csv": {"electronicSubmission"},
    "milestoneType.csv": {"payment", "assessment"},
}


def ocid_prefix() -> str:
    return settings.OCDS_OCID_PREFIX


def planning_ocid(tender_id: int) -> str:
    return f"{ocid_prefix()}-{tender_id}-planning"


def tender_ocid(tender_id: int) -> str:
    return f"{ocid_prefix()}-{tender_id}"


def public_url(path: str) -> str:
    return f"{settings.OPENCPI_PUBLIC_URL}{path}"


def is_planning_step(entry: AuditEntry) -> bool:
    """Whether the step belongs to the planning process (need, consultation, preparation).

    A cancellation belongs where the process was when it was cancelled."""
    state = entry.from_state if entry.to_state == S.CANCELLED else entry.to_state
    return STATE_BY_NAME[state].stage in PLANNING_STAGES


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if moment else None


def _amount(value: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": float(value), "currency": currency}


@dataclass
class Context:
    """What a release is built from: the process, its step, and its public history up to it."""

    tender: Any
    entry: AuditEntry
    entries: list[AuditEntry]
    documents: list[dict[str, Any]] = field(default_factory=list)
    suppliers: dict[int, Any] = field(default_factory=dict)
    cpv_labels: dict[str, str] = field(default_factory=dict)
    lots: list[Any] = field(default_factory=list)
    criteria: list[Any] = field(default_factory=list)
    # CPTI award rows resolved (awarded, perhaps annulled since) by this step, oldest first.
    award_rows: list[Any] = field(default_factory=list)
    # CPTI suppliers with a submitted bid, once the bids closed (by name); empty before.
    bidders: list[Any] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.tender.city.language

    @property
    def is_cpti(self) -> bool:
        return self.tender.procedure == CPTI

    def steps(self, names: frozenset[str]) -> list[AuditEntry]:
        return [e for e in self.entries if e.name in names]

    def has(self, names: frozenset[str]) -> bool:
        return any(e.name in names for e in self.entries)


def published_award_rows(tender, *, upto: AuditEntry) -> list[Any]:
    """The CPTI award rows a resolution made by step ``upto`` (awarded or, later, annulled).

    Proposals, document requests and failed requests never leave the city."""
    return list(
        Award.objects.filter(
            tender=tender,
            status__in=PUBLISHED_AWARD_ROWS,
            awarded_at__isnull=False,
            awarded_at__lte=upto.at,
        )
        .select_related("bid__supplier", "lot")
        .order_by("awarded_at", "lot__number", "pk")
    )


def bidders_after_closing(tender, *, entries: list[AuditEntry]) -> list[Any]:
    """The suppliers with a submitted CPTI bid, once the bids closed; none before (who bids
    is secret until the deadline). Only who: never an envelope, a digest or a score."""
    closing = [e for e in entries if e.name in BIDS_CLOSED_STEPS]
    if tender.procedure != CPTI or not closing:
        return []
    submitted = Bid.objects.filter(
        tender=tender, status=Bid.Status.SUBMITTED, submitted_at__lte=closing[-1].at
    )
    return list(
        Supplier.objects.filter(pk__in=submitted.values("supplier_id")).order_by("name", "pk")
    )


def context_build(*, tender, entry: AuditEntry) -> Context:
    """Load what the builder reads, in a fixed number of queries."""
    entries = [
        e
        for e in audit_history(tender)
        if e.action == AuditEntry.Action.TRANSITION and (e.at, e.pk) <= (entry.at, entry.pk)
    ]
    published = bool([e for e in entries if e.name in TENDER_PUBLICATIONS])
    award_rows = published_award_rows(tender, upto=entry) if tender.procedure == CPTI else []
    bidders = bidders_after_closing(tender, entries=entries)
    supplier_ids: set[int] = set()
    for e in entries:
        if e.name in AWARD_STEPS and tender.procedure != CPTI:
            supplier_ids.update(award_supplier_ids(tender, e))
    suppliers = {s.pk: s for s in Supplier.objects.filter(pk__in=supplier_ids)}
    suppliers.update({row.bid.supplier_id: row.bid.supplier for row in award_rows})
    suppliers.update({s.pk: s for s in bidders})
    codes = list(tender.cpv_codes or [])
    cpv_model = apps.get_model("core", "CpvCode")
    label = "label_es" if tender.city.language == "es" else "label_en"
    cpv_labels = dict(cpv_model.objects.filter(code__in=codes).values_list("code", label))
    return Context(
        tender=tender,
        entry=entry,
        entries=entries,
        documents=public_documents(tender=tender, upto=entry),
        suppliers=suppliers,
        cpv_labels=cpv_labels,
        # Lots and criteria are part of the published notice (LCSP arts. 99.3 and 145–146).
        lots=list(tender.lots.order_by("number")) if published else [],
        criteria=list(tender.criteria.order_by("order")) if published else [],
        award_rows=award_rows,
        bidders=bidders,
    )


# --- documents ----------------------------------------------------------------------------------

PLANNING_DOCUMENT_TYPES = frozenset(
    {"needsAssessment", "plannedProcurementNotice", "marketStudies"}
)
AWARD_DOCUMENT_TYPES = frozenset({"awardNotice", "winningBid"})
CONTRACT_DOCUMENT_TYPES = frozenset({"contractSigned", "contractNotice", "contractSummary"})


def public_documents(*, tender, upto: AuditEntry) -> list[dict[str, Any]]:
    """The process's public, ready documents made up to step ``upto``, as OCDS documents.

    Each carries its SHA-256 (``hash``, as Prozorro writes it, and in the description) so that
    anybody can check the PDF they download. Documents are read through the ``documents`` app's
    model at call time: that app builds on processes, not the other way round.
    """
    from documents.kinds import KIND_BY_CODE

    document_model = apps.get_model("documents", "GeneratedDocument")
    rows = document_model.objects.filter(
        tender=tender, public=True, status="ready", generated_at__isnull=False
    ).order_by("created_at", "pk")
    documents = []
    for row in rows:
        made_by = row.audit_entry_id
        if made_by is not None and made_by > upto.pk:
            continue
        kind = KIND_BY_CODE[row.kind]
        documents.append(
            {
                "id": f"doc-{row.pk}",
                "documentType": kind.ocds_document_type,
                "title": kind.name(row.language),
                "description": f"{kind.legal_basis}. SHA-256: {row.sha256}",
                "url": public_url(reverse("document-pdf", args=[row.pk])),
                "datePublished": _iso(row.generated_at),
                "format": "application/pdf",
                "language": row.language,
                "hash": f"sha256:{row.sha256}",
                "_made_by": made_by,
            }
        )
    return documents + public_pliegos(tender=tender, upto=upto)


def _pliegos_in_force(*, tender, upto: AuditEntry) -> tuple[AuditEntry | None, list[Any]]:
    """The versions of the process's pliegos public as of step ``upto``: those the file was
    approved with, published with the tender notice, and the corrections published since.

    Read from the versions' lineage rather than from the publication stamp, so that the notice's
    release lists them whichever of the step's handlers runs first. A version replaced before
    the file's approval was never published; one superseded by a correction was."""
    pliego_model = apps.get_model("documents", "Pliego")
    notice = next(
        (
            e
            for e in audit_history(tender)
            if e.action == AuditEntry.Action.TRANSITION and e.name in TENDER_PUBLICATIONS
        ),
        None,
    )
    if notice is None or (notice.at, notice.pk) > (upto.at, upto.pk):
        return None, []
    rows = (
        pliego_model.objects.filter(tender=tender, approved_at__isnull=False)
        .annotate(corrected=Count("corrections"))
        .select_related("amends")
        .order_by("kind", "number")
    )
    in_force = []
    for row in rows:
        if row.amends_id is None:
            if row.status in ("approved", "public") or row.corrected:
                in_force.append(row)
        elif row.published_at is not None and row.published_at <= upto.at:
            in_force.append(row)
    return notice, in_force


def public_pliegos(*, tender, upto: AuditEntry) -> list[dict[str, Any]]:
    """The pliegos published by step ``upto`` as OCDS documents (LCSP arts. 63.3 and 138.1),
    each version with its SHA-256; a correction says what it changed."""
    from documents.kinds import KIND_BY_CODE

    language = tender.city.language
    documents = []
    notice, rows = _pliegos_in_force(tender=tender, upto=upto)
    for row in rows:
        kind = KIND_BY_CODE[row.kind]
        description = f"{kind.legal_basis}. SHA-256: {row.sha256}"
        if row.changes:
            description += f". {row.changes}"
        documents.append(
            {
                "id": f"pliego-{row.pk}",
                "documentType": kind.ocds_document_type,
                "title": f"{kind.name(language)} (v{row.number})",
                "description": description,
                "url": public_url(reverse("api-tender-pliego-file", args=[tender.pk, row.pk])),
                "datePublished": _iso(row.published_at or (notice.at if notice else None)),
                "format": "application/pdf",
                "language": language,
                "hash": f"sha256:{row.sha256}",
                "_made_by": None,
            }
        )
    return documents


def amendments_section(ctx: Context) -> list[dict[str, Any]]:
    """The corrections of the pliegos published by this step (LCSP arts. 122.1 and 136.2)."""
    amendments = []
    for row in _pliegos_in_force(tender=ctx.tender, upto=ctx.entry)[1]:
        if row.amends_id is None:
            continue
        rationale = _("Correction of the pliegos (LCSP art. 122.1)")
        if row.significant:
            rationale = _(
                "Significant correction of the pliegos; the bid deadline is extended "
                "(LCSP art. 136.2)"
            )
        amendments.append(
            {
                "id": f"pliego-{row.pk}",
                "date": _iso(row.published_at),
                "rationale": str(rationale),
                "description": row.changes,
            }
        )
    return amendments


def _clean(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if not k.startswith("_")}


# --- parties ------------------------------------------------------------------------------------


def buyer_party(tender) -> dict[str, Any]:
    city = tender.city
    return {
        "id": f"city-{city.slug}",
        "name": city.name,
        "address": {"countryName": city.country},
        "roles": ["buyer", "procuringEntity"],
    }


def supplier_party(supplier, *, roles: list[str]) -> dict[str, Any]:
    return {
        "id": f"supplier-{supplier.pk}",
        "name": supplier.name,
        "address": {"countryName": supplier.country},
        # The partyDetails scale extension, declared in every package (records.EXTENSIONS).
        "details": {"scale": "sme" if supplier.is_sme else "large"},
        "roles": roles,
    }


def parties_section(ctx: Context, *, awards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The buyer; every supplier an award names; and the CPTI bidders once the bids closed.

    A PCP or partnership names its participants only with the award, which makes them
    suppliers and tenderers alike."""
    parties = [buyer_party(ctx.tender)]
    awarded = {s["id"] for award in awards for s in award.get("suppliers", [])}
    bidders = {f"supplier-{s.pk}" for s in ctx.bidders}
    for supplier in sorted(ctx.suppliers.values(), key=lambda s: (s.name, s.pk)):
        party_id = f"supplier-{supplier.pk}"
        if ctx.is_cpti:
            roles = (["supplier"] if party_id in awarded else []) + (
                ["tenderer"] if party_id in bidders else []
            )
        else:
            roles = ["supplier", "tenderer"] if party_id in awarded else []
        if roles:
            parties.append(supplier_party(supplier, roles=roles))
    return parties


def _party_ref(party: dict[str, Any]) -> dict[str, str]:
    return {"id": party["id"], "name": party["name"]}


# --- items and values ---------------------------------------------------------------------------


def main_procurement_category(tender) -> str:
    """``services`` for R&D (PCP, partnership); otherwise by the first CPV division: 45 is works,
    below 45 goods (48, software packages, too), above services."""
    if tender.procedure != CPTI or not tender.cpv_codes:
        return "services"
    division = int(str(tender.cpv_codes[0])[:2] or 0)
    if division == 45:
        return "works"
    return "goods" if division < 50 else "services"


def items_section(ctx: Context) -> list[dict[str, Any]]:
    codes = list(ctx.tender.cpv_codes or [])
    if not codes:
        return []
    classification = [
        {"scheme": "CPV", "id": code, "description": ctx.cpv_labels.get(code, "")} for code in codes
    ]
    for entry in classification:
        if not entry["description"]:
            del entry["description"]
    item: dict[str, Any] = {
        "id": "1",
        "description": ctx.tender.title,
        "classification": classification[0],
    }
    if classification[1:]:
        item["additionalClassifications"] = classification[1:]
    return [item]


def estimated_value(tender) -> dict[str, Any]:
    return _amount(tender.estimated_value, tender.currency)


# --- planning -----------------------------------------------------------------------------------


def planning_section(ctx: Context, *, with_documents: bool) -> dict[str, Any]:
    """The need (``rationale``, ``budget``), and for the planning process its documents and an
    ``engagement`` milestone per published consultation."""
    tender = ctx.tender
    planning: dict[str, Any] = {
        "rationale": tender.description,
        "budget": {
            "description": _("Estimated value without VAT"),
            "amount": estimated_value(tender),
        },
    }
    if not with_documents:
        return planning
    documents = []
    if ctx.steps(PLANNING_PUBLICATIONS) or tender.first_published_at:
        published = ctx.steps(PLANNING_PUBLICATIONS)
        documents.append(
            {
                "id": "need",
                "documentType": "needsAssessment",
                "title": tender.title,
                "description": tender.description,
                "url": public_url(reverse("portal:process", args=[tender.pk])),
                "datePublished": _iso(published[0].at if published else tender.first_published_at),
                "format": "text/html",
                "language": ctx.language,
            }
        )
    milestones = []
    for consultation in consultations_published(ctx):
        notice_at = next((e.at for e in ctx.steps(CONSULTATION_NOTICES)), None)
        documents.append(
            {
                "id": f"consultation-{consultation.pk}",
                "documentType": "plannedProcurementNotice",
                "title": consultation.subject,
                "url": public_url(reverse("portal:process", args=[tender.pk])),
                "datePublished": _iso(notice_at),
                "format": "text/html",
                "language": ctx.language,
            }
        )
        report = next((e for e in ctx.entries if e.name in REPORT_PUBLICATIONS), None)
        if report is not None:
            documents.append(
                {
                    "id": f"consultation-{consultation.pk}-report",
                    "documentType": "marketStudies",
                    "title": _("Preliminary market consultation report"),
                    "url": public_url(
                        reverse("portal:consultation-report", args=[consultation.pk])
                    ),
                    "datePublished": _iso(report.at),
                    "format": "text/html",
                    "language": ctx.language,
                }
            )
        closed = next((e for e in ctx.entries if e.name in CONSULTATION_ENDS), None)
        milestone: dict[str, Any] = {
            "id": f"consultation-{consultation.pk}",
            "title": consultation.subject,
            "type": "engagement",
            "description": consultation.background
            or _("Preliminary market consultation (LCSP art. 115)"),
            "dueDate": _iso(consultation.closes_at),
            "status": "met" if closed else "scheduled",
        }
        if closed:
            milestone["dateMet"] = _iso(closed.at)
        milestones.append(milestone)
    documents += [_clean(d) for d in ctx.documents if d["documentType"] in PLANNING_DOCUMENT_TYPES]
    if documents:
        planning["documents"] = documents
    if milestones:
        planning["milestones"] = milestones
    return planning


def consultations_published(ctx: Context) -> list[Any]:
    if not ctx.has(CONSULTATION_NOTICES):
        return []
    return [c for c in ctx.tender.consultations.order_by("pk") if c.published_at is not None]


# --- tender -------------------------------------------------------------------------------------


def tender_status(ctx: Context, *, planning: bool) -> str:
    state = STATE_BY_NAME[ctx.entry.to_state]
    if planning:
        return "withdrawn" if state.name == S.CANCELLED else "planning"
    return state.ocds_status


def tender_period(ctx: Context) -> dict[str, Any] | None:
    """From the notice's publication to its deadline, as extended since."""
    published = ctx.steps(TENDER_PUBLICATIONS)
    if not published:
        return None
    end = published[0].data.get("submission_deadline")
    for e in ctx.entries:
        if e.name in DEADLINE_EXTENSIONS and e.data.get("submission_deadline"):
            end = e.data["submission_deadline"]
    period = {"startDate": _iso(published[0].at)}
    if end:
        period["endDate"] = _iso(dt.datetime.fromisoformat(end))
    return period


def tender_section(ctx: Context, *, planning: bool) -> dict[str, Any]:
    tender = ctx.tender
    section: dict[str, Any] = {
        "id": f"{tender.pk}-planning" if planning else str(tender.pk),
        "title": tender.title,
        "description": tender.description,
        "status": tender_status(ctx, planning=planning),
        "procuringEntity": _party_ref(buyer_party(tender)),
        "items": items_section(ctx),
        "value": estimated_value(tender),
        "procurementMethod": PROCUREMENT_METHOD[tender.procedure],
        "procurementMethodDetails": str(procedure(tender.procedure).label),
        "mainProcurementCategory": main_procurement_category(tender),
    }
    if not section["items"]:
        del section["items"]
    if planning:
        return section
    period = tender_period(ctx)
    if period:
        section["tenderPeriod"] = period
        section["submissionMethod"] = ["electronicSubmission"]
    lots = lots_section(ctx)
    if lots:
        section["lots"] = lots
    section.update(award_criteria_section(ctx))
    tenderers = tenderers_section(ctx)
    if tenderers is not None:
        section["numberOfTenderers"] = len(tenderers)
        section["tenderers"] = tenderers
    documents = [
        _clean(d)
        for d in ctx.documents
        if d["documentType"]
        not in PLANNING_DOCUMENT_TYPES | AWARD_DOCUMENT_TYPES | CONTRACT_DOCUMENT_TYPES
    ]
    documents += appeal_documents(ctx)
    if documents:
        section["documents"] = documents
    amendments = amendments_section(ctx)
    if amendments:
        section["amendments"] = amendments
    if ctx.entry.to_state == S.SUSPENDED_APPEAL:
        # OCDS 1.1 has no appeals (complaints) field in its core and the project validates
        # against the core schema: the suspension shows as the status's details, each appeal
        # step as a "complaints" document (see appeal_documents).
        section["statusDetails"] = str(STATE_BY_NAME[S.SUSPENDED_APPEAL].label)
    return section


def appeal_documents(ctx: Context) -> list[dict[str, Any]]:
    """Each special appeal step up to this release, as a "complaints" document: the appeal
    that suspended the process and the tribunal's resolution (LCSP art. 63.3: appeals and
    suspensions are published). Only the step, its date and its law: the appellant's grounds
    and the resolution's text stay in the file."""
    return [
        {
            "id": f"appeal-step-{step.pk}",
            "documentType": "complaints",
            "title": str(TRANSITION_BY_NAME[step.name].label),
            "description": step.legal_basis,
            "datePublished": _iso(step.at),
        }
        for step in ctx.steps(APPEAL_STEPS)
    ]


def lot_id(lot) -> str:
    return f"lot-{lot.number}"


def lots_section(ctx: Context) -> list[dict[str, Any]]:
    """The lots of the notice (lots extension): id, title, estimated value and status.

    A lot is ``complete`` once a live award covers it, ``unsuccessful`` when the tender ended
    without one, and otherwise follows the tender."""
    if not ctx.lots:
        return []
    tender_status_now = tender_status(ctx, planning=False)
    awarded = {
        row.lot_id for row in ctx.award_rows if AWARD_STATUS[award_row_status(ctx, row)] == "active"
    }
    lots = []
    for lot in ctx.lots:
        if lot.pk in awarded:
            status = LOT_STATUS_AWARDED
        elif tender_status_now == "complete":
            status = LOT_STATUS_NOT_AWARDED
        else:
            status = tender_status_now
        lots.append(
            {
                "id": lot_id(lot),
                "title": lot.title,
                "value": _amount(lot.value, ctx.tender.currency),
                "status": status,
            }
        )
    return lots


def _points(weight: Decimal) -> str:
    return f"{weight.normalize():f}"


def award_criteria_section(ctx: Context) -> dict[str, Any]:
    """``awardCriteria`` and, in words, each criterion with its weight (public with the notice,
    LCSP art. 145.5); never how any bid scored on them."""
    if not ctx.criteria:
        return {}
    prices = [c for c in ctx.criteria if c.is_price]
    if len(prices) == len(ctx.criteria):
        code = AWARD_CRITERIA_PRICE_ONLY
    elif not prices:
        code = AWARD_CRITERIA_QUALITY_ONLY
    else:
        code = AWARD_CRITERIA_RATED
    # The models' translated labels, so the text reads in the city's language.
    weight_label = capfirst(str(Criterion._meta.get_field("weight").verbose_name))
    lines = [f"{c.name}, {_points(c.weight)} — {c.get_kind_display()}" for c in ctx.criteria]
    details = f"{weight_label}: " + "; ".join(lines) + "."
    return {"awardCriteria": code, "awardCriteriaDetails": details}


def tenderers_section(ctx: Context) -> list[dict[str, str]] | None:
    """Who took part. A CPTI tender lists its bidders (suppliers with a submitted bid) once the
    bids closed; a PCP or partnership its participants once the award made them public.
    ``None`` before that. Names only: never an envelope, a digest or a score."""
    if ctx.is_cpti:
        if not ctx.steps(BIDS_CLOSED_STEPS):
            return None
        return [{"id": f"supplier-{s.pk}", "name": s.name} for s in ctx.bidders]
    if not ctx.steps(AWARD_STEPS):
        return None
    participants = ctx.tender.participants.select_related("supplier").order_by("supplier__name")
    return [{"id": f"supplier-{p.supplier_id}", "name": p.supplier.name} for p in participants]


# --- awards and contracts -----------------------------------------------------------------------


def award_rows_of_step(ctx: Context, step: AuditEntry) -> list[Any]:
    """The CPTI award rows resolved by award step ``step``: each row belongs to the last award
    step at or before its ``awarded_at`` (the step stamps it with its own time)."""
    steps = ctx.steps(AWARD_STEPS)
    later = [s for s in steps if (s.at, s.pk) > (step.at, step.pk)]
    until = later[0].at if later else None
    return [
        row
        for row in ctx.award_rows
        if row.awarded_at >= step.at and (until is None or row.awarded_at < until)
    ]


def award_row_status(ctx: Context, row) -> str:
    """``annulled`` once an upheld appeal annulled the row by this release's step, otherwise
    ``awarded`` (the row's own status may have moved on since the step)."""
    annulled = any(a.at >= row.awarded_at for a in ctx.steps(AWARD_ANNULMENTS))
    if row.status == Award.Status.ANNULLED and annulled:
        return Award.Status.ANNULLED
    return Award.Status.AWARDED


def award_supplier_ids(tender, entry: AuditEntry, *, rows: list[Any] | None = None) -> list[int]:
    """The suppliers an award step chose: the PCP selection or the partners, from the step's
    own data; for a CPTI award, the bidders of the award rows it resolved (``rows``, or read
    from the database)."""
    if tender.procedure == CPTI:
        if rows is None:
            rows = list(
                Award.objects.filter(
                    tender=tender, status__in=PUBLISHED_AWARD_ROWS, awarded_at=entry.at
                ).select_related("bid")
            )
        return list(dict.fromkeys(row.bid.supplier_id for row in rows))
    for key in ("suppliers", "partners"):
        if entry.data.get(key):
            return [int(pk) for pk in entry.data[key]]
    return []


def award_value(tender, entry: AuditEntry, *, row=None) -> dict[str, Any] | None:
    """A CPTI award row's awarded value (the price its bid offered, without VAT; ``None`` when
    the tender has no price criterion); otherwise the process's estimated value: the maximum
    the award may reach."""
    if row is not None:
        return _amount(row.value, tender.currency) if row.value is not None else None
    return estimated_value(tender)


def _award_documents(ctx: Context, step: AuditEntry) -> list[dict[str, Any]]:
    return [
        _clean(d)
        for d in ctx.documents
        if d["documentType"] in AWARD_DOCUMENT_TYPES and d["_made_by"] == step.pk
    ]


def awards_section(ctx: Context) -> list[dict[str, Any]]:
    """One award per award step (resolution): active, or cancelled when an appeal annulled it.

    A CPTI resolution gives one award per lot (``relatedLots``), naming the bidder and the
    value awarded; proposals and failed requests for documents are not published."""
    if ctx.is_cpti:
        return cpti_awards(ctx)
    awards = []
    steps = ctx.steps(AWARD_STEPS)
    annulments = ctx.steps(AWARD_ANNULMENTS)
    for step in steps:
        annulled = any((a.at, a.pk) > (step.at, step.pk) for a in annulments)
        award: dict[str, Any] = {
            "id": f"award-{step.pk}",
            "title": str(TRANSITION_BY_NAME[step.name].label),
            "status": "cancelled" if annulled else "active",
            "date": _iso(step.at),
            "value": award_value(ctx.tender, step),
        }
        suppliers = [
            {"id": f"supplier-{pk}", "name": ctx.suppliers[pk].name}
            for pk in award_supplier_ids(ctx.tender, step)
            if pk in ctx.suppliers
        ]
        if suppliers:
            award["suppliers"] = suppliers
        documents = _award_documents(ctx, step)
        if documents:
            award["documents"] = documents
        awards.append(award)
    return awards


def cpti_award_id(step: AuditEntry, row) -> str:
    return f"award-{step.pk}-{lot_id(row.lot)}"


def cpti_awards(ctx: Context) -> list[dict[str, Any]]:
    awards = []
    for step in ctx.steps(AWARD_STEPS):
        rows = award_rows_of_step(ctx, step)
        documents = _award_documents(ctx, step)
        for row in rows:
            supplier = row.bid.supplier
            award: dict[str, Any] = {
                "id": cpti_award_id(step, row),
                "title": f"{TRANSITION_BY_NAME[step.name].label} — {row.lot}",
                "status": AWARD_STATUS[award_row_status(ctx, row)],
                "date": _iso(row.awarded_at),
                "suppliers": [{"id": f"supplier-{supplier.pk}", "name": supplier.name}],
                "relatedLots": [lot_id(row.lot)],
            }
            value = award_value(ctx.tender, step, row=row)
            if value is not None:
                award["value"] = value
            if documents:
                award["documents"] = documents
            awards.append(award)
    return awards


def contracts_section(ctx: Context, *, awards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One contract per signature step, tied to the latest award before it; a CPTI signature
    gives one contract per lot awarded, from the award row's signature and reference."""
    if ctx.is_cpti:
        return cpti_contracts(ctx, awards=awards)
    if ctx.tender.procedure in (PCP, PARTNERSHIP) and ctx.tender.phases.exists():
        return phase_contracts(ctx, awards=awards) + purchase_contracts(ctx, awards=awards)
    contracts = []
    for step in ctx.steps(CONTRACT_STEPS):
        before = [a for a in awards if int(a["id"].split("-")[1]) < step.pk]
        if not before:
            continue
        contract: dict[str, Any] = {
            "id": f"contract-{step.pk}",
            "awardID": before[-1]["id"],
            "title": str(TRANSITION_BY_NAME[step.name].label),
            "status": "active",
            "value": before[-1]["value"],
            "dateSigned": _iso(step.at),
            "period": {"startDate": _iso(step.at)},
        }
        if step.data.get("phase_ends_at"):
            ends = dt.datetime.fromisoformat(step.data["phase_ends_at"])
            contract["period"]["endDate"] = _iso(ends)
        documents = _contract_documents(ctx, step)
        if documents:
            contract["documents"] = documents
        contracts.append(contract)
    return contracts


def _reached(moment: dt.datetime | None, ctx: Context) -> bool:
    return moment is not None and moment <= ctx.entry.at


def phase_contracts(ctx: Context, *, awards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A PCP's phase contracts signed by this step, one per supplier and phase (the same id in
    every release, so that the record merges them): price, period, payment milestones
    (scheduled, or met once accepted) and, in ``implementation``, the payments made and the
    phase's scored evaluation once closed (COM(2007) 799)."""
    currency = ctx.tender.currency
    buyer = _party_ref(buyer_party(ctx.tender))
    award_id = next((a["id"] for a in reversed(awards) if a["status"] == "active"), None)
    if award_id is None:
        return []
    rows = (
        PhaseContract.objects.filter(phase__tender=ctx.tender, signed_at__lte=ctx.entry.at)
        .select_related("phase", "supplier")
        .prefetch_related("milestones", "scores", "phase__criteria")
        .order_by("phase__number", "supplier__name", "pk")
    )
    contracts = []
    for row in rows:
        payee = {"id": f"supplier-{row.supplier_id}", "name": row.supplier.name}
        milestones, transactions = [], []
        for item in row.milestones.all():
            met = _reached(item.accepted_at, ctx)
            milestone: dict[str, Any] = {
                "id": f"milestone-{item.pk}",
                "title": item.title,
                "type": "payment",
                "description": _("%(amount)s against: %(deliverable)s")
                % {
                    "amount": money(item.amount, currency, ctx.language),
                    "deliverable": item.deliverable,
                },
                "dueDate": _iso(
                    dt.datetime.combine(item.due_date, dt.time(12), tzinfo=ctx.tender.city.zone)
                ),
                "status": "met" if met else "scheduled",
            }
            if met:
                milestone["dateMet"] = _iso(item.accepted_at)
            milestones.append(milestone)
            if _reached(item.paid_at, ctx):
                transactions.append(
                    {
                        "id": f"payment-{item.pk}",
                        "date": _iso(item.paid_at),
                        "value": _amount(item.amount, currency),
                        "payer": buyer,
                        "payee": payee,
                    }
                )
        contract: dict[str, Any] = {
            "id": f"contract-phase{row.phase.number}-supplier{row.supplier_id}",
            "awardID": award_id,
            "title": _("Phase %(number)s: %(name)s — %(supplier)s")
            % {"number": row.phase.number, "name": row.phase.name, "supplier": row.supplier.name},
            "description": _(
                "Contract %(reference)s. Results owned by %(owner)s. The buyer's licence: "
                "%(licence)s Call-back: %(call_back)s"
            )
            % {
                "reference": row.reference,
                "owner": row.get_ipr_owner_display(),
                "licence": row.buyer_licence,
                "call_back": row.call_back,
            },
            "status": "active",
            "value": _amount(row.price, currency),
            "dateSigned": _iso(row.signed_at),
            "period": {"startDate": _iso(row.signed_at)},
            "milestones": milestones,
        }
        if row.ends_at:
            contract["period"]["endDate"] = _iso(row.ends_at)
        implementation: dict[str, Any] = {}
        if transactions:
            implementation["transactions"] = transactions
        if _reached(row.evaluated_at, ctx):
            implementation["milestones"] = [_phase_result(ctx, row)]
        if implementation:
            contract["implementation"] = implementation
        contracts.append(contract)
    return contracts


def _years_later(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def purchase_contracts(ctx: Context, *, awards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A partnership's decision to buy the results of one partner (LCSP art. 181): what is
    bought, from whom, at what price; the successive supplies run at most four years from it
    (art. 181.3)."""
    award_id = next((a["id"] for a in reversed(awards) if a["status"] == "active"), None)
    contracts = []
    for step in ctx.steps(PURCHASE_DECISIONS):
        supplier = ctx.suppliers.get(step.data.get("supplier"))
        if award_id is None or step.data.get("purchase") is not True or supplier is None:
            continue
        try:
            price = clean_money(step.data.get("amount"), "amount")
        except ApplicationError:
            continue
        ends = _years_later(step.at, 4)
        contracts.append(
            {
                "id": f"contract-purchase-{step.pk}",
                "awardID": award_id,
                "title": _("Purchase of the results — %(supplier)s") % {"supplier": supplier.name},
                "description": str(step.data.get("items", "")),
                "status": "active",
                "value": _amount(price, ctx.tender.currency),
                "period": {"startDate": _iso(step.at), "endDate": _iso(ends)},
            }
        )
    return contracts


def _phase_result(ctx: Context, row) -> dict[str, Any]:
    """The scored evaluation of one supplier's phase as an assessment milestone; the gate's
    outcome once the gate has passed."""
    result = contract_results(row)
    words = [
        _("%(points)s points") % {"points": result.total},
        *(f"{r.criterion.name}: {r.points}/{r.criterion.weight}" for r in result.rows),
    ]
    gate_passed = row.outcome == PhaseContract.Outcome.COMPLETED or (
        row.outcome and row.evaluated_at < ctx.entry.at
    )
    if gate_passed:
        words.append(str(row.get_outcome_display()))
    return {
        "id": f"phase-result-{row.pk}",
        "title": _("Evaluation of phase %(number)s") % {"number": row.phase.number},
        "type": "assessment",
        "description": "; ".join(str(w) for w in words),
        "status": "met",
        "dateMet": _iso(row.evaluated_at),
    }


def _contract_documents(ctx: Context, step: AuditEntry) -> list[dict[str, Any]]:
    return [
        _clean(d)
        for d in ctx.documents
        if d["documentType"] in CONTRACT_DOCUMENT_TYPES and d["_made_by"] == step.pk
    ]


def cpti_contracts(ctx: Context, *, awards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {a["id"]: a for a in awards}
    signatures = ctx.steps(CONTRACT_STEPS)
    contracts = []
    for award_step in ctx.steps(AWARD_STEPS):
        for row in award_rows_of_step(ctx, award_step):
            signed = row.contract_signed_at
            award = by_id.get(cpti_award_id(award_step, row))
            # The signature step stamps the row with its own time.
            step = next((s for s in reversed(signatures) if signed and s.at <= signed), None)
            if step is None or signed > ctx.entry.at or award is None:
                continue
            if award["status"] != "active":
                continue
            contract: dict[str, Any] = {
                "id": f"contract-{step.pk}-{lot_id(row.lot)}",
                "awardID": award["id"],
                "title": f"{TRANSITION_BY_NAME[step.name].label} — {row.lot}",
                "status": "active",
                "dateSigned": _iso(signed),
                "period": {"startDate": _iso(signed)},
            }
            if row.contract_reference:
                contract["description"] = _("Contract reference: %(reference)s") % {
                    "reference": row.contract_reference
                }
            if "value" in award:
                contract["value"] = award["value"]
            if row.lot.duration_months:
                contract["period"]["endDate"] = _iso(_months_after(signed, row.lot.duration_months))
            documents = _contract_documents(ctx, step)
            if documents:
                contract["documents"] = documents
            contracts.append(contract)
    return contracts


def _months_after(moment: dt.datetime, months: int) -> dt.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def related_processes_section(ctx: Context) -> list[dict[str, Any]]:
    """The tender process follows on from its planning process when that was published."""
    if not ctx.steps(PLANNING_PUBLICATIONS):
        return []
    ocid = planning_ocid(ctx.tender.pk)
    return [
        {
            "id": "planning",
            "relationship": ["planning"],
            "title": ctx.tender.title,
            "scheme": "ocid",
            "identifier": ocid,
            "uri": public_url(reverse("api-ocds-record", args=[ocid])),
        }
    ]


# --- the release --------------------------------------------------------------------------------


def release_tag(ctx: Context, *, planning: bool, first_in_ocid: bool) -> list[str]:
    if planning:
        return ["planning"] if first_in_ocid else ["planningUpdate"]
    effects = set(TRANSITION_BY_NAME[ctx.entry.name].effects)
    for effect, tag in RELEASE_TAG_BY_EFFECT:
        if effect in effects:
            return [tag]
    if ctx.entry.name in AWARD_ANNULMENTS:
        return ["awardUpdate"]
    return ["tender"] if first_in_ocid else ["tenderUpdate"]


def release_build(*, tender, entry: AuditEntry, first_in_ocid: bool) -> dict[str, Any]:
    """The release of ``tender`` for the published step ``entry`` (its audit row)."""
    with translation.override(tender.city.language):
        ctx = context_build(tender=tender, entry=entry)
        planning = is_planning_step(entry)
        ocid = planning_ocid(tender.pk) if planning else tender_ocid(tender.pk)
        awards = [] if planning else awards_section(ctx)
        release: dict[str, Any] = {
            "ocid": ocid,
            "id": f"{ocid}-{entry.pk}",
            "date": _iso(entry.at),
            "tag": release_tag(ctx, planning=planning, first_in_ocid=first_in_ocid),
            "initiationType": "tender",
            "language": tender.city.language,
            "parties": parties_section(ctx, awards=awards),
            "buyer": _party_ref(buyer_party(tender)),
            "planning": planning_section(ctx, with_documents=planning),
            "tender": tender_section(ctx, planning=planning),
        }
        if awards:
            release["awards"] = awards
            contracts = contracts_section(ctx, awards=awards)
            if contracts:
                release["contracts"] = contracts
        if not planning:
            related = related_processes_section(ctx)
            if related:
                release["relatedProcesses"] = related
    return release

"""Writes on the phases of a PCP (COM(2007) 799; LCSP art. 8) and of a partnership's R&D.

The call's phases and criteria are written while the call is drafted (``Edit.PHASES``); the
suppliers write and submit their own sealed offers while the call is open
(``Edit.PHASE_OFFERS``); officers set each phase contract's milestones and IPR terms and accept
and pay its milestones; suppliers upload their deliverables; committee members score them.
The process's transitions reach this area through ``tenders.phases.engine``.
"""

import datetime as dt
import uuid
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.accounts.models import User
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from procurement.core.formatting import money
from procurement.core.models import AuditEntry
from procurement.core.uploads import upload_check
from tenders.award.models import Criterion
from tenders.award.sealing import seal, seal_bytes, unseal
from tenders.phases.models import (
    Deliverable,
    PaymentMilestone,
    Phase,
    PhaseContract,
    PhaseCriterion,
    PhaseOffer,
    PhaseOfferFile,
    PhaseOfferScore,
    PhaseScore,
)
from tenders.procedures import PARTNERSHIP, PCP, Edit, is_editable
from tenders.process.common import clean_money, supplier_of, tender_lock_for_officer
from tenders.process.models import Participant, Tender
from workflows.status import status_change, status_check

PHASED = (PCP, PARTNERSHIP)
MAX_TEXT = 50000


def _phases_editable(tender: Tender) -> None:
    if tender.procedure not in PHASED:
        raise Conflict(_("Only a PCP or an innovation partnership runs in phases."))
    if not is_editable(tender, Edit.PHASES):
        raise Conflict(
            _(
                "The phases and their criteria are part of the call: they are frozen once the "
                "file is approved (LCSP art. 122.1)."
            )
        )


def _text(value, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(_("This field is required."), extra={"field": field})
    if len(text) > limit:
        raise ApplicationError(
            _("At most %(limit)s characters.") % {"limit": limit}, extra={"field": field}
        )
    return text


# --- the call: phases and their criteria -------------------------------------------------------


@transaction.atomic
def phase_save(
    *,
    actor: User,
    tender: Tender,
    name: str,
    duration_days: int,
    max_budget_per_supplier,
    max_suppliers: int,
    objectives: str = "",
    phase: Phase | None = None,
    now=None,
) -> Phase:
    """Add a phase to the call (numbered after the last) or change ``phase``."""
    locked = tender_lock_for_officer(actor, tender)
    _phases_editable(locked)
    if phase is not None and phase.tender_id != locked.pk:
        raise NotFound(_("Phase not found."))
    if not isinstance(duration_days, int) or not 1 <= duration_days <= 3650:
        raise ApplicationError(
            _("A phase lasts from 1 to 3650 days."), extra={"field": "duration_days"}
        )
    if not isinstance(max_suppliers, int) or not 1 <= max_suppliers <= 100:
        raise ApplicationError(
            _("From 1 to 100 suppliers may take part in a phase."),
            extra={"field": "max_suppliers"},
        )
    budget = clean_money(max_budget_per_supplier, "max_budget_per_supplier")
    if phase is None:
        last = locked.phases.order_by("-number").values_list("number", flat=True).first() or 0
        phase = Phase(tender=locked, number=last + 1)
    phase.name = _text(name, "name", limit=200)
    phase.objectives = _text(objectives, "objectives", required=False)
    phase.duration_days = duration_days
    phase.max_budget_per_supplier = budget
    phase.max_suppliers = max_suppliers
    phase.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="phase_save",
        data={"phase": phase.number, "name": phase.name, "budget": str(budget)},
        at=now,
    )
    return phase


@transaction.atomic
def phase_delete(*, actor: User, phase: Phase) -> None:
    """Remove the call's last phase (phases stay numbered without gaps)."""
    locked = tender_lock_for_officer(actor, phase.tender)
    _phases_editable(locked)
    if locked.phases.filter(number__gt=phase.number).exists():
        raise Conflict(_("Remove the later phases first: phases are numbered without gaps."))
    number = phase.number
    phase.delete()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="phase_delete",
        data={"phase": number},
    )


def _points(value, field: str) -> Decimal:
    try:
        points = Decimal(str(value))
    except ArithmeticError as error:
        raise ApplicationError(_("Give a number of points."), extra={"field": field}) from error
    if not points.is_finite() or points < 0 or points > 1000:
        raise ApplicationError(_("Points run from 0 to 1000."), extra={"field": field})
    return points.quantize(Decimal("0.01"))


@transaction.atomic
def phase_criterion_save(
    *, actor: User, phase: Phase, name: str, weight, threshold=0, now=None
) -> PhaseCriterion:
    """Add an evaluation criterion to ``phase``: its weight (the most points a supplier gets
    on it) and the threshold a supplier must reach to be kept (COM(2007) 799)."""
    locked = tender_lock_for_officer(actor, phase.tender)
    _phases_editable(locked)
    weight = _points(weight, "weight")
    threshold = _points(threshold, "threshold")
    if weight <= 0:
        raise ApplicationError(
            _("A criterion weighs more than 0 points."), extra={"field": "weight"}
        )
    if threshold > weight:
        raise ApplicationError(
            _("The threshold cannot exceed the criterion's weight (%(weight)s).")
            % {"weight": weight},
            extra={"field": "threshold"},
        )
    last = phase.criteria.order_by("-order").values_list("order", flat=True).first() or 0
    criterion = PhaseCriterion.objects.create(
        phase=phase,
        order=last + 1,
        name=_text(name, "name", limit=300),
        weight=weight,
        threshold=threshold,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="phase_criterion_save",
        data={"phase": phase.number, "criterion": criterion.name, "weight": str(weight)},
        at=now,
    )
    return criterion


@transaction.atomic
def phase_criterion_delete(*, actor: User, criterion: PhaseCriterion) -> None:
    locked = tender_lock_for_officer(actor, criterion.phase.tender)
    _phases_editable(locked)
    data = {"phase": criterion.phase.number, "criterion": criterion.name}
    criterion.delete()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="phase_criterion_delete",
        data=data,
    )


# --- the suppliers' sealed offers --------------------------------------------------------------


def _offer_article(tender: Tender, kind: str) -> str:
    if tender.procedure != PARTNERSHIP:
        return "LCSP art. 8; COM(2007) 799"
    return "LCSP art. 178" if kind == PhaseOffer.Kind.REQUEST else "LCSP art. 179"


def offer_window_check(tender: Tender, now: dt.datetime, kind: str = PhaseOffer.Kind.OFFER) -> None:
    """Refuse an offer's (or request's) write once its deadline passed or when the process
    takes none of that kind now."""
    if kind == PhaseOffer.Kind.REQUEST:
        if not is_editable(tender, Edit.PHASE_REQUESTS):
            raise Conflict(_("This process does not take requests to participate now."))
    elif not is_editable(tender, Edit.PHASE_OFFERS):
        raise Conflict(_("This process does not take offers now."))
    if tender.submission_deadline is not None and now >= tender.submission_deadline:
        raise Conflict(
            _("The deadline for offers passed at %(when)s.")
            % {
                "when": timezone.localtime(tender.submission_deadline, tender.city.zone).strftime(
                    "%d/%m/%Y %H:%M"
                )
            },
            reasons=[_("The call is closed (%(a)s).") % {"a": _offer_article(tender, kind)}],
        )


def _clean_prices(tender: Tender, prices) -> dict[str, str]:
    if not isinstance(prices, dict):
        raise ApplicationError(
            _("Give a price for each phase, by phase number."), extra={"field": "prices"}
        )
    phases = {str(p.number): p for p in tender.phases.all()}
    clean = {}
    for key, raw in prices.items():
        phase = phases.get(str(key))
        if phase is None:
            raise ApplicationError(
                _("The call has no phase %(number)s.") % {"number": key}, extra={"field": "prices"}
            )
        if raw in (None, ""):
            continue
        price = clean_money(raw, f"price_{key}")
        if price > phase.max_budget_per_supplier:
            currency = tender.currency or "EUR"
            raise ApplicationError(
                _(
                    "The price for phase %(number)s, %(price)s, is above the most the call pays "
                    "a supplier for it, %(budget)s (COM(2007) 799)."
                )
                % {
                    "number": phase.number,
                    "price": money(price, currency),
                    "budget": money(phase.max_budget_per_supplier, currency),
                },
                extra={"field": f"price_{key}"},
            )
        clean[str(phase.number)] = str(price)
    return clean


def offer_lock_own(*, actor: User, offer: PhaseOffer) -> PhaseOffer:
    """``offer`` locked for a write by the supplier ``actor`` speaks for; the same 404 for a
    missing offer and another supplier's."""
    supplier = supplier_of(actor)
    locked = (
        PhaseOffer.objects.select_for_update()
        .select_related("tender__city")
        .filter(pk=offer.pk, supplier=supplier)
        .first()
    )
    if locked is None:
        raise NotFound(_("Offer not found."))
    return locked


def _invited_check(tender: Tender, supplier_id: int) -> None:
    """Only the candidates invited to negotiate submit a partnership's final offers (LCSP art.
    179.1); the candidates dropped on the way do not."""
    if tender.procedure != PARTNERSHIP:
        return
    invited = tender.participants.filter(
        supplier_id=supplier_id, status=Participant.Status.SELECTED
    ).exists()
    if not invited:
        raise PermissionDenied(
            _("Only the candidates invited to negotiate submit final offers (LCSP art. 179.1).")
        )


@transaction.atomic
def phase_offer_save(
    *,
    actor: User,
    tender: Tender,
    rd_plan: str = "",
    team: str = "",
    prices: dict | None = None,
    now=None,
    kind: str = PhaseOffer.Kind.OFFER,
    capacity: str = "",
    purchase_max_cost=None,
) -> PhaseOffer:
    """Write the supplier's offer to the call as a draft, sealed: its R&D plan, its team and
    its price for each phase (and, for a partnership's final offer, the most the later purchase
    of its results may cost, LCSP arts. 177.1 and 181). With ``kind="request"`` it writes a
    partnership's request to participate instead: the R&D and innovation capacity and the
    team the selection judges (LCSP art. 178)."""
    now = now or timezone.now()
    supplier = supplier_of(actor)
    locked = Tender.objects.select_for_update().select_related("city").get(pk=tender.pk)
    if not locked.is_public:
        raise NotFound(_("Process not found."))
    if kind not in PhaseOffer.Kind.values:
        raise ApplicationError(_("An offer or a request to participate."), extra={"field": "kind"})
    offer_window_check(locked, now, kind)
    if kind == PhaseOffer.Kind.REQUEST:
        content = {
            "capacity": _text(capacity, "capacity", required=False),
            "team": _text(team, "team", required=False),
        }
    else:
        _invited_check(locked, supplier.pk)
        content = {
            "rd_plan": _text(rd_plan, "rd_plan", required=False),
            "team": _text(team, "team", required=False),
            "prices": _clean_prices(locked, prices if prices is not None else {}),
        }
        if locked.procedure == PARTNERSHIP and purchase_max_cost not in (None, ""):
            content["purchase_max_cost"] = str(clean_money(purchase_max_cost, "purchase_max_cost"))
    offer, _created = PhaseOffer.objects.select_for_update().get_or_create(
        tender=locked, supplier=supplier, kind=kind, defaults={"created_by": actor}
    )
    status_check(offer, "phase_offer_save")
    offer.sealed, offer.digest = seal(content)
    return status_change(offer, move="phase_offer_save", actor=actor, now=now, lock=False)


@transaction.atomic
def phase_offer_file_add(*, actor: User, offer: PhaseOffer, upload, now=None) -> PhaseOfferFile:
    """Add a document to the supplier's draft offer, sealed like the bids' files."""
    now = now or timezone.now()
    locked = offer_lock_own(actor=actor, offer=offer)
    offer_window_check(locked.tender, now, locked.kind)
    status_check(locked, "phase_offer_save")
    if upload is None:
        raise ApplicationError(_("Choose a file."), extra={"field": "file"})
    checked = upload_check(upload, field="file")
    data = b"".join(upload.chunks())
    item = PhaseOfferFile(
        offer=locked,
        name_sealed=seal_bytes(checked.name.encode()),
        content_type=checked.content_type,
        size=len(data),
        sha256=checked.sha256,
        uploaded_at=now,
    )
    item.file.save(f"{uuid.uuid4().hex}.sealed", ContentFile(seal_bytes(data)), save=False)
    item.save()
    locked.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def phase_offer_submit(*, actor: User, offer: PhaseOffer, now=None) -> PhaseOffer:
    """Submit the offer as sealed: it must give the R&D plan, the team and a price for every
    phase of the call. The audit row keeps its digest and its files' hashes (the receipt)."""
    now = now or timezone.now()
    locked = offer_lock_own(actor=actor, offer=offer)
    offer_window_check(locked.tender, now, locked.kind)
    content = unseal(locked.sealed)
    missing = []
    if locked.kind == PhaseOffer.Kind.REQUEST:
        if not content.get("capacity"):
            missing.append(_("the R&D and innovation capacity (LCSP art. 178.3)"))
        if not content.get("team"):
            missing.append(_("the team"))
    else:
        _invited_check(locked.tender, locked.supplier_id)
        if not content.get("rd_plan"):
            missing.append(_("the R&D plan"))
        if not content.get("team"):
            missing.append(_("the team"))
        prices = content.get("prices", {})
        for phase in locked.tender.phases.all():
            if str(phase.number) not in prices:
                missing.append(_("the price for phase %(number)s") % {"number": phase.number})
        if locked.tender.procedure == PARTNERSHIP and not content.get("purchase_max_cost"):
            missing.append(
                _("the maximum cost of the purchase of the results (LCSP arts. 177.1 and 181)")
            )
    if missing:
        raise Conflict(
            _("The offer is incomplete."),
            reasons=[_("Missing: %(what)s.") % {"what": "; ".join(map(str, missing))}],
        )
    return status_change(
        locked,
        move="phase_offer_submit",
        actor=actor,
        now=now,
        lock=False,
        update_fields=["updated_at"],
        data={"digest": locked.digest, "files": {str(f.pk): f.sha256 for f in locked.files.all()}},
    )


@transaction.atomic
def phase_offer_withdraw(*, actor: User, offer: PhaseOffer, now=None) -> PhaseOffer:
    now = now or timezone.now()
    locked = offer_lock_own(actor=actor, offer=offer)
    offer_window_check(locked.tender, now, locked.kind)
    return status_change(
        locked,
        move="phase_offer_withdraw",
        actor=actor,
        now=now,
        lock=False,
        update_fields=["updated_at"],
    )


def offer_prices(offer: PhaseOffer | None) -> dict[str, str]:
    """The prices per phase of a submitted offer (sealed until the call closes)."""
    if offer is None or not offer.sealed:
        return {}
    return unseal(offer.sealed).get("prices", {})


def submitted_offer(tender_id: int, supplier_id: int) -> PhaseOffer | None:
    """The supplier's submitted offer (a PCP's offer, a partnership's final offer)."""
    return PhaseOffer.objects.filter(
        tender_id=tender_id,
        supplier_id=supplier_id,
        kind=PhaseOffer.Kind.OFFER,
        status=PhaseOffer.Status.SUBMITTED,
    ).first()


def purchase_max_cost(tender_id: int, supplier_id: int) -> Decimal | None:
    """The most the purchase of a partner's results may cost, as its final offer set it and
    the award fixed it (LCSP arts. 150.3, 177.1 and 181); ``None`` when it gave none."""
    offer = submitted_offer(tender_id, supplier_id)
    raw = unseal(offer.sealed).get("purchase_max_cost") if offer and offer.sealed else None
    return Decimal(raw) if raw else None


# --- phase contracts: price, milestones, IPR terms ---------------------------------------------


def default_ipr_terms() -> dict[str, str]:
    """The IPR terms of COM(2007) 799 §4.2 and the EAFIP toolkit, as contracts print them."""
    return {
        "ipr_owner": PhaseContract.Owner.SUPPLIER,
        "buyer_licence": _(
            "The contracting authority has a free, non-exclusive, non-transferable licence to "
            "use the results of the phase for its own needs, and to have third parties use "
            "them on its behalf."
        ),
        "call_back": _(
            "If the supplier does not exploit the results commercially within a reasonable "
            "period, or exploits them against the public interest, the contracting authority "
            "may require it to license them to third parties on fair market terms or to "
            "transfer their ownership to it."
        ),
        "publication": _(
            "The contracting authority may publish summaries of the results, without the "
            "supplier's confidential information, after consulting the supplier."
        ),
    }


def default_milestones(*, price: Decimal, start: dt.date, days: int) -> list[dict]:
    """Half the price at mid-phase against the interim report, the rest at the end against
    the phase's deliverables."""
    first = (price / 2).quantize(Decimal("0.01"))
    return [
        {
            "title": _("Interim payment"),
            "amount": first,
            "due_date": start + dt.timedelta(days=max(days // 2, 1)),
            "deliverable": _("Interim progress report"),
        },
        {
            "title": _("Final payment"),
            "amount": price - first,
            "due_date": start + dt.timedelta(days=days),
            "deliverable": _("Final deliverables of the phase"),
        },
    ]


def contract_draft(*, phase: Phase, supplier_id: int, at: dt.datetime) -> PhaseContract:
    """The supplier's contract for ``phase``, drafted at the price it offered for it (the
    phase's budget per supplier when its offer was recorded outside the platform), with the
    default IPR terms and milestones."""
    existing = PhaseContract.objects.filter(phase=phase, supplier_id=supplier_id).first()
    if existing is not None:
        return existing
    offer = submitted_offer(phase.tender_id, supplier_id)
    raw = offer_prices(offer).get(str(phase.number))
    price = Decimal(raw) if raw is not None else phase.max_budget_per_supplier
    # PCP, or AI: an innovation partnership (asociación para la innovación).
    prefix = "AI" if phase.tender.procedure == PARTNERSHIP else "PCP"
    contract = PhaseContract.objects.create(
        phase=phase,
        supplier_id=supplier_id,
        price=price,
        reference=f"{prefix}-{phase.tender_id}-F{phase.number}-{supplier_id}",
        **default_ipr_terms(),
    )
    if price > 0:
        start = timezone.localtime(at, phase.tender.city.zone).date()
        for order, item in enumerate(
            default_milestones(price=price, start=start, days=phase.duration_days), start=1
        ):
            PaymentMilestone.objects.create(contract=contract, order=order, **item)
    return contract


def milestone_gaps(contract: PhaseContract) -> list[str]:
    """Why the contract's milestones cannot stand: they must add up to its price."""
    total = sum((m.amount for m in contract.milestones.all()), Decimal(0))
    if total != contract.price:
        currency = contract.phase.tender.currency or "EUR"
        return [
            _(
                "The payment milestones of %(supplier)s for phase %(number)s add up to "
                "%(total)s, not to its price of %(price)s (COM(2007) 799)."
            )
            % {
                "supplier": contract.supplier,
                "number": contract.phase.number,
                "total": money(total, currency),
                "price": money(contract.price, currency),
            }
        ]
    return []


def _clean_milestones(contract: PhaseContract, milestones) -> list[dict]:
    if not isinstance(milestones, list | tuple) or not milestones:
        raise ApplicationError(
            _("Give at least one payment milestone."), extra={"field": "milestones"}
        )
    if len(milestones) > 50:
        raise ApplicationError(_("At most 50 milestones."), extra={"field": "milestones"})
    clean = []
    for number, item in enumerate(milestones, start=1):
        if not isinstance(item, dict):
            raise ApplicationError(
                _("Each milestone has a title, an amount, a due date and a deliverable."),
                extra={"field": "milestones"},
            )
        amount = clean_money(item.get("amount"), "milestones")
        if amount <= 0:
            raise ApplicationError(
                _("Milestone %(number)s: the amount must be more than 0.") % {"number": number},
                extra={"field": "milestones"},
            )
        due = item.get("due_date")
        if isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, dt.date):
            raise ApplicationError(
                _("Milestone %(number)s: give its due date (YYYY-MM-DD).") % {"number": number},
                extra={"field": "milestones"},
            )
        clean.append(
            {
                "title": _text(item.get("title"), "milestones", limit=300),
                "amount": amount,
                "due_date": due,
                "deliverable": _text(item.get("deliverable"), "milestones", limit=300),
            }
        )
    total = sum((m["amount"] for m in clean), Decimal(0))
    if total != contract.price:
        currency = contract.phase.tender.currency or "EUR"
        raise ApplicationError(
            _(
                "The milestones add up to %(total)s; they must add up to the phase price, "
                "%(price)s (COM(2007) 799)."
            )
            % {"total": money(total, currency), "price": money(contract.price, currency)},
            extra={"field": "milestones"},
        )
    return clean


def _contract_lock_for_officer(actor: User, contract: PhaseContract) -> PhaseContract:
    tender_lock_for_officer(actor, contract.phase.tender)
    return (
        PhaseContract.objects.select_for_update()
        .select_related("phase__tender__city", "supplier")
        .get(pk=contract.pk)
    )


@transaction.atomic
def phase_contract_terms_save(
    *,
    actor: User,
    contract: PhaseContract,
    milestones: list[dict],
    ipr_owner: str | None = None,
    buyer_licence: str | None = None,
    call_back: str | None = None,
    publication: str | None = None,
    now=None,
) -> PhaseContract:
    """Set the payment milestones (replacing them: they must add up to the phase price) and the
    IPR terms of a phase contract, as long as no milestone has been accepted or paid."""
    locked = _contract_lock_for_officer(actor, contract)
    if locked.outcome:
        raise Conflict(_("This phase is evaluated: its contract no longer changes."))
    if locked.milestones.exclude(status=PaymentMilestone.Status.PENDING).exists():
        raise Conflict(
            _("A milestone of this contract was accepted or paid: its terms no longer change.")
        )
    clean = _clean_milestones(locked, milestones)
    if ipr_owner is not None:
        if ipr_owner not in PhaseContract.Owner.values:
            raise ApplicationError(
                _("The results are owned by the supplier, the buyer or both (shared)."),
                extra={"field": "ipr_owner"},
            )
        locked.ipr_owner = ipr_owner
    for field, value in (
        ("buyer_licence", buyer_licence),
        ("call_back", call_back),
        ("publication", publication),
    ):
        if value is not None:
            setattr(locked, field, _text(value, field, limit=5000))
    locked.save()
    locked.milestones.all().delete()
    for order, item in enumerate(clean, start=1):
        PaymentMilestone.objects.create(contract=locked, order=order, **item)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked.phase.tender,
        name="phase_contract_terms",
        data={
            "contract": locked.reference,
            "milestones": [
                {**m, "amount": str(m["amount"]), "due_date": m["due_date"].isoformat()}
                for m in clean
            ],
            "ipr_owner": locked.ipr_owner,
        },
        at=now,
    )
    return locked


@transaction.atomic
def milestone_move(*, actor: User, milestone: PaymentMilestone, move: str, now=None):
    """Accept a signed contract's milestone (its deliverable is fine), or pay an accepted one."""
    if move not in ("milestone_accept", "milestone_pay"):
        raise ApplicationError(_("A milestone is accepted or paid."))
    contract = _contract_lock_for_officer(actor, milestone.contract)
    if contract.signed_at is None:
        raise Conflict(_("The phase contract is not signed yet."))
    return status_change(
        PaymentMilestone.objects.get(pk=milestone.pk),
        move=move,
        actor=actor,
        now=now or timezone.now(),
        data={"contract": contract.reference, "amount": str(milestone.amount)},
    )


# --- deliverables ------------------------------------------------------------------------------


@transaction.atomic
def deliverable_add(
    *, actor: User, contract: PhaseContract, title: str, summary: str, upload, now=None
) -> Deliverable:
    """A supplier delivers a file for its running phase, with a summary; after the phase's
    end it is recorded as late, until the phase is evaluated."""
    now = now or timezone.now()
    supplier = supplier_of(actor)
    locked = (
        PhaseContract.objects.select_for_update()
        .select_related("phase__tender__city")
        .filter(pk=contract.pk, supplier=supplier)
        .first()
    )
    if locked is None:
        raise NotFound(_("Contract not found."))
    if locked.signed_at is None:
        raise Conflict(_("The phase has not started: its contract is not signed yet."))
    if locked.evaluated_at is not None or locked.outcome:
        raise Conflict(_("The phase is evaluated: it takes no more deliverables."))
    title = _text(title, "title", limit=300)
    summary = _text(summary, "summary")
    if upload is None:
        raise ApplicationError(_("Choose a file."), extra={"field": "file"})
    checked = upload_check(upload, field="file")
    item = Deliverable(
        contract=locked,
        title=title,
        summary=summary,
        name=checked.name,
        content_type=checked.content_type,
        size=upload.size,
        sha256=checked.sha256,
        uploaded_at=now,
        uploaded_by=actor,
    )
    item.file.save(f"{uuid.uuid4().hex}-{checked.name}", upload, save=False)
    item.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked.phase.tender,
        name="deliverable_add",
        data={
            "contract": locked.reference,
            "title": title,
            "sha256": checked.sha256,
            "late": item.late,
        },
        at=now,
    )
    return item


# --- the committee's scores --------------------------------------------------------------------


def _clean_score(points, justification, weight: Decimal) -> tuple[Decimal, str]:
    """A committee member's points on a criterion (at most its weight) and their reasons."""
    points = _points(points, "points")
    if points > weight:
        raise ApplicationError(
            _("At most %(weight)s points on this criterion.") % {"weight": weight},
            extra={"field": "points"},
        )
    justification = _text(justification, "justification")
    if len(justification) < 10:
        raise ApplicationError(
            _("Justify the score (at least 10 characters)."), extra={"field": "justification"}
        )
    return points, justification


@transaction.atomic
def phase_score_save(
    *,
    actor: User,
    contract: PhaseContract,
    criterion: PhaseCriterion,
    points,
    justification: str,
    now=None,
) -> PhaseScore:
    """A committee member scores a supplier's deliverables of the phase on one criterion, with
    reasons, once the phase ended and until its evaluation is closed."""
    tender = (
        Tender.objects.select_for_update().select_related("city").get(pk=contract.phase.tender_id)
    )
    if not actor.has_perm("tenders.view_tender", tender):
        raise NotFound(_("Process not found."))
    if not tender.committee.filter(user=actor).exists():
        raise PermissionDenied(_("Only members of this process's committee may do this."))
    if criterion.phase_id != contract.phase_id:
        raise ApplicationError(
            _("This criterion belongs to another phase."), extra={"field": "criterion"}
        )
    if (
        tender.phase_number() != contract.phase.number
        or tender.phase_ends_at is not None
        or contract.signed_at is None
    ):
        raise Conflict(_("Deliverables are scored at the gate that follows their phase."))
    if contract.evaluated_at is not None:
        raise Conflict(_("The evaluation of this phase is closed."))
    points, justification = _clean_score(points, justification, criterion.weight)
    score, _created = PhaseScore.objects.update_or_create(
        contract=contract,
        criterion=criterion,
        member=actor,
        defaults={"points": points, "justification": justification},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=tender,
        name="phase_score",
        data={
            "contract": contract.reference,
            "criterion": criterion.name,
            "points": str(points),
        },
        at=now,
    )
    return score


# --- the committee's points for a partnership's final offers ------------------------------------


@transaction.atomic
def phase_offer_score_save(
    *,
    actor: User,
    offer: PhaseOffer,
    criterion: Criterion,
    points,
    justification: str,
    now=None,
) -> PhaseOfferScore:
    """A committee member scores a partnership's final offer on one award criterion of the
    descriptive document, with reasons, once the final offers closed and until they are
    evaluated (LCSP arts. 145.2 and 179.2)."""
    tender = Tender.objects.select_for_update().select_related("city").get(pk=offer.tender_id)
    if not actor.has_perm("tenders.view_tender", tender):
        raise NotFound(_("Process not found."))
    if not tender.committee.filter(user=actor).exists():
        raise PermissionDenied(_("Only members of this process's committee may do this."))
    if offer.kind != PhaseOffer.Kind.OFFER or offer.status != PhaseOffer.Status.SUBMITTED:
        raise NotFound(_("Offer not found."))
    if criterion.tender_id != tender.pk:
        raise ApplicationError(
            _("This criterion belongs to another process."), extra={"field": "criterion"}
        )
    if tender.procedure != PARTNERSHIP or not is_editable(tender, Edit.FINAL_OFFER_SCORES):
        raise Conflict(_("Final offers are scored once they close and until they are evaluated."))
    points, justification = _clean_score(points, justification, criterion.weight)
    score, _created = PhaseOfferScore.objects.update_or_create(
        offer=offer,
        criterion=criterion,
        member=actor,
        defaults={"points": points, "justification": justification},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=tender,
        name="final_offer_score",
        data={
            "offer": offer.pk,
            "supplier": offer.supplier_id,
            "criterion": criterion.name,
            "points": str(points),
        },
        at=now,
    )
    return score


# --- for the web pages ---------------------------------------------------------------------------


@transaction.atomic
def phase_criterion_update(
    *, actor: User, criterion: PhaseCriterion, name: str, weight, threshold=0
) -> PhaseCriterion:
    """Change a criterion of the call while the call is drafted; it keeps its place."""
    locked = tender_lock_for_officer(actor, criterion.phase.tender)
    _phases_editable(locked)
    weight = _points(weight, "weight")
    threshold = _points(threshold, "threshold")
    if weight <= 0:
        raise ApplicationError(
            _("A criterion weighs more than 0 points."), extra={"field": "weight"}
        )
    if threshold > weight:
        raise ApplicationError(
            _("The threshold cannot exceed the criterion's weight (%(weight)s).")
            % {"weight": weight},
            extra={"field": "threshold"},
        )
    criterion.name = _text(name, "name", limit=300)
    criterion.weight = weight
    criterion.threshold = threshold
    criterion.save(update_fields=["name", "weight", "threshold"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="phase_criterion_save",
        data={
            "phase": criterion.phase.number,
            "criterion": criterion.name,
            "weight": str(weight),
        },
    )
    return criterion

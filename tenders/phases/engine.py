"""The phases area as the process's transitions see it (``tenders.process.ports.PhaseArea``).

Registered in ``TendersConfig.ready()``. A process whose call defines no phases (one that
began before phases were defined in the call) finds nothing missing here and nothing is
written for it: its gates keep the lists of suppliers they always had.
"""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from procurement.core.exceptions import ApplicationError
from procurement.core.formatting import money
from tenders.phases.evaluation import contract_results
from tenders.phases.models import Phase, PhaseContract, PhaseOffer, PhaseOfferScore
from tenders.phases.services import contract_draft, milestone_gaps, purchase_max_cost
from tenders.procedures import PARTNERSHIP
from tenders.process.common import clean_money
from tenders.process.models import Notification, Participant
from tenders.process.services import notification_send

PCP_ARTICLE = "COM(2007) 799"
PARTNERSHIP_ARTICLE = "LCSP art. 180.1"


def _article(tender) -> str:
    return PARTNERSHIP_ARTICLE if tender.procedure == PARTNERSHIP else PCP_ARTICLE


def _phase(tender, number: int) -> Phase | None:
    return tender.phases.filter(number=number).first()


def offers_open(*, tender, at: dt.datetime) -> None:
    """Every supplier whose offer (a PCP) or request to participate (a partnership, LCSP art.
    178.1) was submitted when the deadline passed becomes an applicant."""
    kind = PhaseOffer.Kind.REQUEST if tender.procedure == PARTNERSHIP else PhaseOffer.Kind.OFFER
    submitted = PhaseOffer.objects.filter(
        tender=tender, kind=kind, status=PhaseOffer.Status.SUBMITTED
    )
    for supplier_id in submitted.values_list("supplier_id", flat=True):
        Participant.objects.get_or_create(tender=tender, supplier_id=supplier_id)


def phase_count(tender) -> int:
    return tender.phases.count()


def final_offer_gaps(tender) -> list[str] | None:
    """The points the committee still owes a partnership's final offers submitted on the
    platform, on every award criterion (LCSP arts. 145.2 and 179.2); ``None`` when no final
    offer was submitted here (the award area's bids answer then)."""
    offers = list(
        PhaseOffer.objects.filter(
            tender=tender, kind=PhaseOffer.Kind.OFFER, status=PhaseOffer.Status.SUBMITTED
        ).select_related("supplier")
    )
    if not offers:
        return None
    criteria = list(tender.criteria.values_list("pk", flat=True))
    if not criteria:
        return [
            _(
                "The descriptive document defines no award criteria to score the final "
                "offers on (LCSP arts. 145.2 and 179.2)."
            )
        ]
    members = list(tender.committee.values_list("user_id", flat=True))
    if not members:
        return [_("The process has no committee to score the final offers (LCSP art. 326).")]
    have = set(
        PhaseOfferScore.objects.filter(offer__in=offers).values_list(
            "offer_id", "criterion_id", "member_id"
        )
    )
    reasons = []
    for offer in offers:
        owed = sum(1 for c in criteria for m in members if (offer.pk, c, m) not in have)
        if owed:
            reasons.append(
                _("%(count)s scores of the final offer of %(supplier)s are missing (%(a)s).")
                % {"count": owed, "supplier": offer.supplier, "a": "LCSP art. 179.2"}
            )
    return reasons


def final_offer_totals(tender) -> dict[int, Decimal]:
    """Each supplier's final-offer points: per criterion the members' mean, summed."""
    totals: dict[int, Decimal] = {}
    rows: dict[tuple[int, int], list[Decimal]] = {}
    for supplier_id, criterion_id, points in PhaseOfferScore.objects.filter(
        offer__tender=tender, offer__status=PhaseOffer.Status.SUBMITTED
    ).values_list("offer__supplier_id", "criterion_id", "points"):
        rows.setdefault((supplier_id, criterion_id), []).append(points)
    for (supplier_id, _criterion), given in rows.items():
        mean = (sum(given, Decimal(0)) / len(given)).quantize(Decimal("0.01"))
        totals[supplier_id] = totals.get(supplier_id, Decimal(0)) + mean
    return totals


def partners_gaps(tender, *, partners: list[int]) -> list[str]:
    """Partners chosen among the final offers scored on the platform must have one (LCSP arts.
    179.2 and 177.2)."""
    if final_offer_gaps(tender) is None:
        return []
    offered = set(
        PhaseOffer.objects.filter(
            tender=tender, kind=PhaseOffer.Kind.OFFER, status=PhaseOffer.Status.SUBMITTED
        ).values_list("supplier_id", flat=True)
    )
    strangers = [pk for pk in partners if pk not in offered]
    if strangers:
        return [
            _("Only candidates who submitted a final offer can be partners; not: %(ids)s.")
            % {"ids": strangers}
        ]
    return []


def purchase_gaps(tender, *, supplier: int | None, amount: str | None) -> list[str]:
    """What keeps the purchase of the results from ``supplier`` at ``amount`` (LCSP art. 181):
    a partner that completed the last R&D phase reaching its thresholds, at no more than the
    maximum cost it agreed (art. 181.2; arts. 177.1 and 150.3)."""
    if supplier is None:
        return [_("Name the partner whose results are bought (LCSP art. 181.2).")]
    try:
        price = clean_money(amount, "amount")
    except ApplicationError:
        price = None
    if price is None or price <= 0:
        return [_("Give the price of the purchase, without VAT (LCSP art. 181).")]
    last = tender.phases.order_by("-number").first()
    if last is not None:
        contract = last.contracts.filter(supplier_id=supplier, signed_at__isnull=False).first()
        if contract is None or contract.outcome != PhaseContract.Outcome.COMPLETED:
            return [
                _(
                    "Only a partner that completed the last R&D phase can sell its results "
                    "(LCSP art. 181.1)."
                )
            ]
        if not contract_results(contract).passed:
            return [
                _(
                    "%(supplier)s did not reach the performance levels agreed in the last "
                    "phase (LCSP art. 181.1)."
                )
                % {"supplier": contract.supplier}
            ]
    cap = purchase_max_cost(tender.pk, supplier)
    if cap is not None and price > cap:
        currency = tender.currency or "EUR"
        return [
            _(
                "The purchase, %(price)s, exceeds the maximum cost agreed with the partner, "
                "%(cap)s (LCSP arts. 177.1 and 181.1)."
            )
            % {"price": money(price, currency), "cap": money(cap, currency)}
        ]
    return []


def contract_gaps(tender, *, phase: int, suppliers: list[int]) -> list[str]:
    defined = _phase(tender, phase)
    if defined is None:
        return []
    if len(suppliers) > defined.max_suppliers:
        return [
            _("The call lets at most %(count)s suppliers take part in phase %(number)s (%(a)s).")
            % {"count": defined.max_suppliers, "number": phase, "a": _article(tender)}
        ]
    reasons = []
    contracts = defined.contracts.filter(supplier_id__in=suppliers).select_related(
        "supplier", "phase__tender"
    )
    for contract in contracts:
        reasons.extend(milestone_gaps(contract))
    return reasons


def contracts_sign(*, tender, phase: int, suppliers: list[int], at: dt.datetime, ends_at) -> None:
    defined = _phase(tender, phase)
    if defined is None:
        return
    for supplier_id in suppliers:
        contract = contract_draft(phase=defined, supplier_id=supplier_id, at=at)
        contract.signed_at = at
        contract.ends_at = ends_at
        contract.save(update_fields=["signed_at", "ends_at", "updated_at"])


def contracts_draft(*, tender, phase: int, suppliers: list[int], at: dt.datetime) -> None:
    defined = _phase(tender, phase)
    if defined is None:
        return
    for supplier_id in suppliers:
        contract_draft(phase=defined, supplier_id=supplier_id, at=at)


def _signed(defined: Phase):
    return defined.contracts.filter(signed_at__isnull=False).select_related("supplier")


def score_gaps(tender, *, phase: int) -> list[str]:
    defined = _phase(tender, phase)
    if defined is None:
        return []
    members = list(tender.committee.values_list("user_id", flat=True))
    if not members:
        return [
            _("The process has no committee to score the phase (%(a)s).") % {"a": _article(tender)}
        ]
    criteria = list(defined.criteria.all())
    if not criteria:
        return [
            _("The call defines no criteria for phase %(number)s (%(a)s).")
            % {"number": phase, "a": _article(tender)}
        ]
    reasons = []
    for contract in _signed(defined):
        have = set(contract.scores.values_list("criterion_id", "member_id"))
        owed = sum(1 for c in criteria for m in members if (c.pk, m) not in have)
        if owed:
            reasons.append(
                _("%(count)s scores of %(supplier)s are missing (%(a)s).")
                % {"count": owed, "supplier": contract.supplier, "a": _article(tender)}
            )
    return reasons


def evaluation_record(*, tender, phase: int, at: dt.datetime) -> None:
    defined = _phase(tender, phase)
    if defined is None:
        return
    last = not tender.phases.filter(number__gt=phase).exists()
    for contract in _signed(defined):
        result = contract_results(contract)
        contract.total_points = result.total
        contract.evaluated_at = at
        if last:
            contract.outcome = PhaseContract.Outcome.COMPLETED
        contract.save(update_fields=["total_points", "evaluated_at", "outcome", "updated_at"])


def gate_gaps(tender, *, phase: int, keep: list[int]) -> list[str]:
    defined = _phase(tender, phase)
    if defined is None:
        return []
    signed = list(_signed(defined))
    if any(c.evaluated_at is None for c in signed):
        return [
            _(
                "Close the scored evaluation of phase %(number)s first: the gate needs its "
                "report (%(a)s)."
            )
            % {"number": phase, "a": _article(tender)}
        ]
    reasons = []
    following = _phase(tender, phase + 1)
    if following is not None and len(keep) > following.max_suppliers:
        reasons.append(
            _("The call lets at most %(count)s suppliers continue into phase %(number)s (%(a)s).")
            % {"count": following.max_suppliers, "number": following.number, "a": _article(tender)}
        )
    by_supplier = {c.supplier_id: c for c in signed}
    for supplier_id in keep:
        contract = by_supplier.get(supplier_id)
        if contract is not None and not contract_results(contract).passed:
            reasons.append(
                _("%(supplier)s did not reach a threshold of phase %(number)s (%(a)s).")
                % {"supplier": contract.supplier, "number": phase, "a": _article(tender)}
            )
    return reasons


def gate_apply(*, tender, phase: int, keep: list[int], at: dt.datetime) -> None:
    defined = _phase(tender, phase)
    if defined is None:
        return
    currency = tender.currency or "EUR"
    for contract in _signed(defined):
        kept = contract.supplier_id in keep
        contract.outcome = PhaseContract.Outcome.KEPT if kept else PhaseContract.Outcome.NOT_KEPT
        contract.save(update_fields=["outcome", "updated_at"])
        result = contract_results(contract)
        lines = [
            f"- {row.criterion.name}: {row.points} / {row.criterion.weight}"
            f" ({_('threshold')} {row.criterion.threshold})"
            for row in result.rows
        ]
        verdict = (
            _("You are kept for the next phase.")
            if kept
            else _("You are not kept for the next phase.")
        )
        body = "\n".join(
            [
                _("Evaluation of phase %(number)s (%(name)s) of “%(title)s”.")
                % {"number": defined.number, "name": defined.name, "title": tender.title},
                verdict,
                _("Your points: %(total)s.") % {"total": result.total},
                *lines,
                _("Phase price: %(price)s.") % {"price": money(contract.price, currency)},
            ]
        )
        notification_send(
            tender=tender,
            supplier_id=contract.supplier_id,
            kind=Notification.Kind.PHASE_RESULT,
            key=f"phase-result:{tender.pk}:{defined.number}:{contract.supplier_id}",
            subject=_("Phase %(number)s evaluated: %(verdict)s")
            % {"number": defined.number, "verdict": verdict},
            body=body,
            sent_at=at,
        )

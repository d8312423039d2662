"""The phases area as the process's transitions see it (``tenders.process.ports.PhaseArea``).

Registered in ``TendersConfig.ready()``. A process whose call defines no phases (one that
began before phases were defined in the call) finds nothing missing here and nothing is
written for it: its gates keep the lists of suppliers they always had.
"""

import datetime as dt

from django.utils.translation import gettext as _

from procurement.core.formatting import money
from tenders.phases.evaluation import contract_results
from tenders.phases.models import Phase, PhaseContract, PhaseOffer
from tenders.phases.services import contract_draft, milestone_gaps
from tenders.process.models import Notification, Participant
from tenders.process.services import notification_send

ARTICLE = "COM(2007) 799"


def _phase(tender, number: int) -> Phase | None:
    return tender.phases.filter(number=number).first()


def offers_open(*, tender, at: dt.datetime) -> None:
    """Every supplier whose offer was submitted when the call closed becomes an applicant."""
    submitted = PhaseOffer.objects.filter(tender=tender, status=PhaseOffer.Status.SUBMITTED)
    for supplier_id in submitted.values_list("supplier_id", flat=True):
        Participant.objects.get_or_create(tender=tender, supplier_id=supplier_id)


def contract_gaps(tender, *, phase: int, suppliers: list[int]) -> list[str]:
    defined = _phase(tender, phase)
    if defined is None:
        return []
    if len(suppliers) > defined.max_suppliers:
        return [
            _("The call lets at most %(count)s suppliers take part in phase %(number)s (%(a)s).")
            % {"count": defined.max_suppliers, "number": phase, "a": ARTICLE}
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
        return [_("The process has no committee to score the phase (%(a)s).") % {"a": ARTICLE}]
    criteria = list(defined.criteria.all())
    if not criteria:
        return [
            _("The call defines no criteria for phase %(number)s (%(a)s).")
            % {"number": phase, "a": ARTICLE}
        ]
    reasons = []
    for contract in _signed(defined):
        have = set(contract.scores.values_list("criterion_id", "member_id"))
        owed = sum(1 for c in criteria for m in members if (c.pk, m) not in have)
        if owed:
            reasons.append(
                _("%(count)s scores of %(supplier)s are missing (%(a)s).")
                % {"count": owed, "supplier": contract.supplier, "a": ARTICLE}
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
            % {"number": phase, "a": ARTICLE}
        ]
    reasons = []
    following = _phase(tender, phase + 1)
    if following is not None and len(keep) > following.max_suppliers:
        reasons.append(
            _("The call lets at most %(count)s suppliers continue into phase %(number)s (%(a)s).")
            % {"count": following.max_suppliers, "number": following.number, "a": ARTICLE}
        )
    by_supplier = {c.supplier_id: c for c in signed}
    for supplier_id in keep:
        contract = by_supplier.get(supplier_id)
        if contract is not None and not contract_results(contract).passed:
            reasons.append(
                _("%(supplier)s did not reach a threshold of phase %(number)s (%(a)s).")
                % {"supplier": contract.supplier, "number": phase, "a": ARTICLE}
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

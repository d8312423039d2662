"""The evaluation of a process's bids, read from the database and the opened envelopes.

Envelope contents are read here only for envelopes already opened (B after ``open_envelope_b``,
C after ``open_envelope_c``); callers never get a sealed envelope's content.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from tenders.award import scoring
from tenders.award.models import Bid, Criterion, Score
from tenders.award.sealing import unseal


def _decimal(raw) -> Decimal | None:
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return value if value.is_finite() else None


def live_bids(tender) -> list[Bid]:
    """Submitted bids not excluded nor rejected as abnormally low, oldest first."""
    return list(
        tender.bids.filter(status=Bid.Status.SUBMITTED)
        .exclude(admission=Bid.Admission.EXCLUDED)
        .exclude(abnormal=Bid.Abnormal.REJECTED)
        .select_related("supplier", "lot")
        .order_by("submitted_at", "pk")
    )


def formula_offers(tender, bids: list[Bid]) -> dict[int, dict[int, Decimal]]:
    """criterion id → {bid id → figure offered in envelope C}. Needs C opened."""
    if tender.c_opened_at is None:
        raise PermissionError("the formula envelopes are still sealed")
    offers: dict[int, dict[int, Decimal]] = {}
    for bid in bids:
        values = unseal(bid.envelope_c)
        for criterion_id, raw in values.items():
            value = _decimal(raw)
            if value is not None:
                offers.setdefault(int(criterion_id), {})[bid.pk] = value
    return offers


@dataclass
class Line:
    bid: Bid
    value_judgement: Decimal
    formula: Decimal
    by_criterion: dict[int, Decimal]
    # The figures the bid offered in envelope C, by formula criterion (empty while it is sealed).
    offered: dict[int, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.value_judgement + self.formula


def scoreboard(tender, lot=None) -> list[Line]:
    """Points of every live bid (per lot when given), ranked best first by the city's rule.

    Formula points count only once envelope C is open; before, the board holds the
    value-judgement points alone.
    """
    bids = [b for b in live_bids(tender) if lot is None or b.lot_id == lot.pk]
    criteria = list(tender.criteria.all())
    vj = scoring.value_judgement_points(
        Score.objects.filter(bid__in=bids).values_list("bid_id", "criterion_id", "points")
    )
    formula: dict[int, dict[int, Decimal]] = {}
    offers: dict[int, dict[int, Decimal]] = {}
    if tender.c_opened_at is not None:
        offers = formula_offers(tender, bids)
        for criterion in criteria:
            if criterion.kind != Criterion.Kind.FORMULA:
                continue
            pool_by_lot: dict[int, dict[int, Decimal]] = {}
            for bid in bids:
                if bid.pk in offers.get(criterion.pk, {}):
                    pool_by_lot.setdefault(bid.lot_id, {})[bid.pk] = offers[criterion.pk][bid.pk]
            points: dict[int, Decimal] = {}
            for pool in pool_by_lot.values():
                points.update(
                    scoring.formula_points(
                        scoring.FormulaCriterion(
                            criterion.pk, criterion.weight, criterion.formula, criterion.params
                        ),
                        pool,
                    )
                )
            formula[criterion.pk] = points
    lines = []
    for bid in bids:
        by_criterion: dict[int, Decimal] = {}
        vj_total = Decimal(0)
        formula_total = Decimal(0)
        for criterion in criteria:
            if criterion.kind == Criterion.Kind.VALUE_JUDGEMENT:
                earned = vj.get((bid.pk, criterion.pk), Decimal(0))
                vj_total += earned
            else:
                earned = formula.get(criterion.pk, {}).get(bid.pk, Decimal(0))
                formula_total += earned
            by_criterion[criterion.pk] = earned
        offered = {
            criterion.pk: offers[criterion.pk][bid.pk]
            for criterion in criteria
            if bid.pk in offers.get(criterion.pk, {})
        }
        lines.append(Line(bid, vj_total, formula_total, by_criterion, offered))
    ranked = scoring.rank(
        [
            scoring.Ranked(line.bid.pk, line.total, line.value_judgement, i)
            for i, line in enumerate(lines)
        ],
        tie_break=tender.city.tie_break,
    )
    by_bid = {line.bid.pk: line for line in lines}
    return [by_bid[r.bid] for r in ranked]


def gaps(tender) -> dict[str, str]:
    """What each evaluation step still misses, in words ("" when complete)."""
    bids = [b for b in live_bids(tender) if b.admission == Bid.Admission.ADMITTED]
    if not bids:
        none = _("no admitted bids")
        return {"value_judgement": none, "formula": none, "final_offers": none}
    criteria = list(tender.criteria.all())
    vj_criteria = [c for c in criteria if c.kind == Criterion.Kind.VALUE_JUDGEMENT]
    members = list(tender.committee.values_list("user_id", flat=True))
    scored = set(
        Score.objects.filter(bid__in=bids).values_list("bid_id", "criterion_id", "member_id")
    )
    missing_vj = sum(
        1 for b in bids for c in vj_criteria for m in members if (b.pk, c.pk, m) not in scored
    )
    value_judgement = ""
    if not members:
        value_judgement = _("no committee members assigned")
    elif missing_vj:
        value_judgement = _("%(count)d scores of committee members") % {"count": missing_vj}
    formula = ""
    if tender.c_opened_at is None:
        formula = _("the formula envelopes are not open")
    else:
        offers = formula_offers(tender, bids)
        missing = sum(
            1
            for b in bids
            for c in criteria
            if c.kind == Criterion.Kind.FORMULA and b.pk not in offers.get(c.pk, {})
        )
        if missing:
            formula = _("%(count)d figures missing from envelopes C") % {"count": missing}
    return {
        "value_judgement": value_judgement,
        "formula": formula,
        "final_offers": value_judgement or formula,
    }


def abnormal_candidates(tender) -> set[int]:
    """Bids presumed abnormally low by the PCAP's parameter on the price criterion, per lot."""
    price = tender.criteria.filter(is_price=True).first()
    if price is None:
        return set()
    bids = [b for b in live_bids(tender) if b.admission == Bid.Admission.ADMITTED]
    offers = formula_offers(tender, bids).get(price.pk, {})
    flagged: set[int] = set()
    by_lot: dict[int, dict[int, Decimal]] = {}
    for bid in bids:
        if bid.pk in offers:
            by_lot.setdefault(bid.lot_id, {})[bid.pk] = offers[bid.pk]
    for prices in by_lot.values():
        flagged |= scoring.abnormally_low(prices, tender.abnormal_percent)
    return flagged

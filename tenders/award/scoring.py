"""Scores, abnormally low offers and ranking (LCSP arts. 145–150): pure functions of plain data.

Points are rounded to two decimals at the end of each criterion, as a committee's minutes do.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FormulaCriterion:
    id: int
    weight: Decimal
    formula: str
    params: dict = field(default_factory=dict)


def formula_points(criterion: FormulaCriterion, offers: dict[int, Decimal]) -> dict[int, Decimal]:
    """Points of each bid (``offers``: bid id → the figure it gave) on one formula criterion.

    - ``proportional_lowest``: weight × lowest / offer (prices);
    - ``proportional_highest``: weight × offer / highest (warranty years, say);
    - ``linear``: full points at the better bound, none at the worse one, a straight line between;
    - ``threshold``: full points when the offer reaches the threshold, none otherwise.
    """
    weight = criterion.weight
    if not offers:
        return {}
    if criterion.formula == "proportional_lowest":
        lowest = min(offers.values())
        return {b: _round(weight * lowest / v) if v > 0 else weight for b, v in offers.items()}
    if criterion.formula == "proportional_highest":
        highest = max(offers.values())
        return {
            b: _round(weight * v / highest) if highest > 0 else Decimal(0)
            for b, v in offers.items()
        }
    better_lower = criterion.params.get("better", "lower") == "lower"
    if criterion.formula == "linear":
        lower, upper = (
            Decimal(str(criterion.params["lower"])),
            Decimal(str(criterion.params["upper"])),
        )
        points = {}
        for bid, value in offers.items():
            clipped = min(max(value, lower), upper)
            share = (
                (upper - clipped) / (upper - lower)
                if better_lower
                else (clipped - lower) / (upper - lower)
            )
            points[bid] = _round(weight * share)
        return points
    if criterion.formula == "threshold":
        threshold = Decimal(str(criterion.params["threshold"]))
        return {
            b: weight if (v <= threshold if better_lower else v >= threshold) else Decimal(0)
            for b, v in offers.items()
        }
    raise ValueError(f"unknown formula {criterion.formula!r}")


def value_judgement_points(
    scores: Iterable[tuple[int, int, Decimal]],
) -> dict[tuple[int, int], Decimal]:
    """Average of the members' scores per (bid, criterion), from (bid, criterion, points) rows."""
    totals: dict[tuple[int, int], list[Decimal]] = {}
    for bid, criterion, points in scores:
        totals.setdefault((bid, criterion), []).append(Decimal(points))
    return {key: _round(sum(values, Decimal(0)) / len(values)) for key, values in totals.items()}


def abnormally_low(prices: dict[int, Decimal], percent: Decimal) -> set[int]:
    """Bids whose price is more than ``percent`` % below the mean of the prices offered.

    The PCAP sets the parameter (LCSP art. 149.2); with a single offer nothing is presumed.
    """
    if len(prices) < 2:
        return set()
    mean = sum(prices.values(), Decimal(0)) / len(prices)
    limit = mean * (Decimal(100) - percent) / Decimal(100)
    return {bid for bid, price in prices.items() if price < limit}


@dataclass(frozen=True)
class Ranked:
    bid: int
    total: Decimal
    value_judgement: Decimal
    submitted_order: int


def rank(rows: Sequence[Ranked], tie_break: str = "value_judgement") -> list[Ranked]:
    """Best first by total points; ties broken by the city's rule: the higher value-judgement
    score, or the earlier submission (``earliest``)."""
    if tie_break == "earliest":
        return sorted(rows, key=lambda r: (-r.total, r.submitted_order))
    return sorted(rows, key=lambda r: (-r.total, -r.value_judgement, r.submitted_order))

"""A supplier's result in a phase: the committee's mean points on each criterion, their total,
and whether every threshold was reached (COM(2007) 799: down-selection on a scored
evaluation of what each supplier delivered)."""

from dataclasses import dataclass
from decimal import Decimal

from tenders.phases.models import PhaseContract, PhaseCriterion

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CriterionResult:
    criterion: PhaseCriterion
    points: Decimal  # the mean of the members' points
    justifications: list[str]

    @property
    def passed(self) -> bool:
        return self.points >= self.criterion.threshold


@dataclass(frozen=True)
class ContractResult:
    rows: list[CriterionResult]

    @property
    def total(self) -> Decimal:
        return sum((row.points for row in self.rows), Decimal(0)).quantize(CENT)

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows)


def contract_results(contract: PhaseContract) -> ContractResult:
    scores = list(contract.scores.all())
    rows = []
    for criterion in contract.phase.criteria.all():
        given = [s for s in scores if s.criterion_id == criterion.pk]
        mean = (
            (sum((s.points for s in given), Decimal(0)) / len(given)).quantize(CENT)
            if given
            else Decimal(0)
        )
        rows.append(CriterionResult(criterion, mean, [s.justification for s in given]))
    return ContractResult(rows)

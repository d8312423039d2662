"""Versioned rule packs (STYLE rule 7): thresholds and periods a process keeps for its whole life.

A process stores the version it started under; a new pack (the EU thresholds change every two
years) gets a new version and old processes keep theirs. Figures come from
``shared/domain/cpi-process.md`` §3.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class BidPeriodReduction(StrEnum):
    """The reductions of the SARA open procedure's bid period that LCSP art. 156.3 allows: each
    is the contracting body's choice ("podrá"), never applied by itself."""

    NONE = "none"
    PRIOR_INFORMATION_NOTICE = "prior_information_notice"  # art. 156.3.a
    URGENCY = "urgency"  # art. 156.3.b, with art. 119
    ELECTRONIC_SUBMISSION = "electronic_submission"  # art. 156.3.c


BID_PERIOD_REDUCTION_CHOICES = (
    (BidPeriodReduction.NONE.value, _("No reduction (35 days, LCSP art. 156.2)")),
    (
        BidPeriodReduction.ELECTRONIC_SUBMISSION.value,
        _("Electronic submission: 5 days fewer (LCSP art. 156.3.c)"),
    ),
    (
        BidPeriodReduction.PRIOR_INFORMATION_NOTICE.value,
        _("Prior information notice: at least 15 days (LCSP art. 156.3.a)"),
    ),
    (BidPeriodReduction.URGENCY.value, _("Urgency: at least 15 days (LCSP art. 156.3.b)")),
)


@dataclass(frozen=True)
class RulePack:
    version: str
    # LCSP arts. 20–22 (updated 26-12-2025): harmonised (SARA) threshold, supplies and services
    # of entities other than the State, councils included.
    sara_threshold_services: Decimal
    # LCSP art. 44.1: the special appeal applies to services and supplies above this value.
    special_appeal_threshold: Decimal
    # LCSP art. 156.2–3: open procedure, SARA: 35 days from dispatch; the contracting body may
    # take 5 fewer with e-bids (156.3.c), or 15 with a prior information notice (156.3.a) or
    # for urgency (156.3.b).
    open_sara_min_days: int
    electronic_bids_reduction_days: int
    open_sara_prior_notice_min_days: int
    open_sara_urgent_min_days: int
    # LCSP art. 156.6: open procedure below SARA, from the day after publication.
    open_min_days: int
    # PCP is outside the LCSP (art. 8); 30 days by analogy (art. 4), configurable here.
    pcp_call_min_days: int
    # LCSP art. 178.2 / 119.2.b.4º: partnership requests, not reducible for urgency.
    partnership_sara_min_days: int
    partnership_min_days: int
    # LCSP art. 178.3 → 162.2: at least three candidates invited.
    partnership_min_candidates: int
    # EU-funded PCP practice (configurable per process): ≥3 at start, ≥2 in the last phase.
    pcp_min_suppliers_start: int
    pcp_min_suppliers_final: int
    # LCSP art. 150.2: documents of the best-ranked bidder, 10 working days.
    award_documents_working_days: int
    # Ley 39/2015 art. 43.2: a notification left unopened this many calendar days counts as
    # rejected, and so as made: a period that runs from it starts then at the latest (DA 15ª).
    notification_rejected_days: int
    # LCSP art. 153.3: standstill of 15 working days where the special appeal applies.
    standstill_working_days: int
    # LCSP art. 138.3: answers due 6 days before the deadline for questions asked ≥12 days before.
    answer_days_before_deadline: int
    question_days_before_deadline: int

    def open_sara_period(self, reduction: str) -> tuple[int, str]:
        """The SARA open procedure's minimum bid period in days under the reduction the
        contracting body chose, with its article."""
        if reduction == BidPeriodReduction.ELECTRONIC_SUBMISSION:
            return (
                self.open_sara_min_days - self.electronic_bids_reduction_days,
                "LCSP art. 156.3.c",
            )
        if reduction == BidPeriodReduction.PRIOR_INFORMATION_NOTICE:
            return self.open_sara_prior_notice_min_days, "LCSP art. 156.3.a"
        if reduction == BidPeriodReduction.URGENCY:
            return self.open_sara_urgent_min_days, "LCSP art. 156.3.b"
        return self.open_sara_min_days, "LCSP art. 156.2"


RULE_PACKS = {
    "lcsp-2026.1": RulePack(
        version="lcsp-2026.1",
        sara_threshold_services=Decimal("216000"),
        special_appeal_threshold=Decimal("100000"),
        open_sara_min_days=35,
        electronic_bids_reduction_days=5,
        open_sara_prior_notice_min_days=15,
        open_sara_urgent_min_days=15,
        open_min_days=15,
        pcp_call_min_days=30,
        partnership_sara_min_days=30,
        partnership_min_days=20,
        partnership_min_candidates=3,
        pcp_min_suppliers_start=3,
        pcp_min_suppliers_final=2,
        award_documents_working_days=10,
        notification_rejected_days=10,
        standstill_working_days=15,
        answer_days_before_deadline=6,
        question_days_before_deadline=12,
    ),
}

CURRENT_RULES = "lcsp-2026.1"


def rules_for(version: str) -> RulePack:
    return RULE_PACKS[version]

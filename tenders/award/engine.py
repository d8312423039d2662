"""The award area as a process's procedure sees it: the ``tenders.process.ports.AwardArea`` that
``TendersConfig.ready()`` registers, so that the guards and transitions reach bids, evaluation
and awards without the process models importing them."""

from tenders.award.evaluation import abnormal_candidates, gaps, live_bids, scoreboard
from tenders.award.models import Award, Bid, BidFile
from tenders.award.services.awards import awards_step
from tenders.award.services.bids import abnormal_flag
from tenders.award.services.periods import notification_periods_restart


def live_bid_count(tender) -> int:
    """Submitted bids neither excluded nor rejected as abnormally low."""
    return len(live_bids(tender))


def evaluation_gaps(tender) -> dict[str, str]:
    """What each evaluation step still misses, in words ("" when complete)."""
    return gaps(tender)


def abnormal_candidate_count(tender) -> int:
    """Offers presumed abnormally low by the PCAP's parameter (envelope C open)."""
    return len(abnormal_candidates(tender))


def ranking(tender) -> list[int]:
    """Ids of the live admitted bids, best first (all lots)."""
    return [
        line.bid.pk for line in scoreboard(tender) if line.bid.admission == Bid.Admission.ADMITTED
    ]


def award_documents_missing(tender) -> list[str]:
    """Lots whose proposed awardee, asked for its documents, has delivered none."""
    return [
        str(award.lot)
        for award in Award.objects.filter(tender=tender, status=Award.Status.DOCUMENTS_REQUESTED)
        .exclude(bid__files__part=BidFile.Part.AWARD)
        .select_related("lot")
    ]


__all__ = [
    "abnormal_candidate_count",
    "abnormal_flag",
    "award_documents_missing",
    "awards_step",
    "evaluation_gaps",
    "live_bid_count",
    "notification_periods_restart",
    "ranking",
]

"""Awards per lot, moved one step at a time by the engine's transitions (LCSP arts. 150–153)."""

from django.utils.translation import gettext as _

from tenders.award.evaluation import formula_offers, scoreboard
from tenders.award.models import Award, Bid, Lot
from tenders.award.notifications import bidder_notify
from tenders.process.models import Notification, Tender
from workflows.status import status_change

# The move of ``Award.moves`` each step of the process makes.
NEXT = {
    "request": "award_documents_request",
    "receive": "award_documents_receive",
    "missed": "award_documents_miss",
    "award": "award_resolve",
    "annul": "award_annul",
}


def _propose(tender: Tender, lot: Lot) -> Award | None:
    """The best-ranked admitted bid of ``lot`` whose bidder has not failed to deliver."""
    failed = set(
        Award.objects.filter(lot=lot, status=Award.Status.FAILED).values_list("bid_id", flat=True)
    )
    for line in scoreboard(tender, lot=lot):
        if line.bid.admission == Bid.Admission.ADMITTED and line.bid.pk not in failed:
            price = tender.criteria.filter(is_price=True).first()
            value = None
            if price is not None and tender.c_opened_at is not None:
                value = formula_offers(tender, [line.bid]).get(price.pk, {}).get(line.bid.pk)
            return Award.objects.create(
                tender=tender, lot=lot, bid=line.bid, total_points=line.total, value=value
            )
    return None


def awards_step(*, tender: Tender, step: str, at) -> None:
    live = Award.objects.filter(tender=tender).exclude(
        status__in=[Award.Status.FAILED, Award.Status.ANNULLED]
    )
    if step == "propose":
        for lot in tender.lots.all():
            if not live.filter(lot=lot).exists():
                _propose(tender, lot)
        return
    if step == "sign":
        live.filter(status=Award.Status.AWARDED).update(contract_signed_at=at)
        return
    move = Award.moves[NEXT[step]]
    for award in live.filter(status__in=move.sources).select_related("bid__supplier", "lot"):
        # The process's row is locked by its transition, which records the step.
        status_change(award, move=move.name, now=at, lock=False)
        if step == "request":
            bidder_notify(
                award.bid,
                f"award-documents:{award.pk}",
                _("Documents requested: %(t)s") % {"t": tender.title},
                _(
                    "Your offer ranks first. Deliver the documents within 10 working days from "
                    "the day after you open this notification (LCSP art. 150.2 and DA 15ª)."
                ),
                kind=Notification.Kind.DOCUMENTS,
                at=at,
            )
        if step == "missed":
            _propose(tender, award.lot)
    if step == "award":
        winners = {
            a.bid_id for a in Award.objects.filter(tender=tender, status=Award.Status.AWARDED)
        }
        for bid in tender.bids.filter(status=Bid.Status.SUBMITTED).select_related("supplier"):
            outcome = _("awarded to you") if bid.pk in winners else _("not awarded to you")
            bidder_notify(
                bid,
                f"award:{tender.pk}:{bid.pk}:{at.isoformat()}",
                _("Award resolution: %(t)s") % {"t": tender.title},
                _(
                    "Lot %(lot)s was %(outcome)s. The resolution is published with its reasons (LCSP art. 151)."
                )
                % {"lot": bid.lot.number, "outcome": outcome},
                kind=Notification.Kind.AWARD,
                at=at,
                # The award resolution is published on the profile by its own step (LCSP arts.
                # 63.3 and 151.1), at the step's time: periods run from dispatch (DA 15ª.1).
                published_at=at,
            )


__all__ = ["awards_step"]

"""The periods a notification gives a bidder run from when the bidder receives it (LCSP DA
15ª.1; Ley 39/2015 arts. 30 and 43): to remedy its administrative documents (art. 141.2), to
justify an abnormally low offer (art. 149.4) and, ranked first, to deliver its documents (art.
150.2). Until the bidder opens the notification, each is counted from the latest start it can
have, the notification's deemed rejection ten days on; opening it counts the period from then.
"""

import datetime as dt

from django.db import transaction

from tenders.award.models import Bid
from tenders.procedures import S
from tenders.procedures.guards import rules
from tenders.process.models import Notification, Tender
from workflows.calendars import WorkingCalendar
from workflows.services import next_due

# RGLCAP art. 81.2 (three working days to remedy); LCSP art. 159.4.f by analogy (five to justify
# an abnormally low offer), as the procedure has always given them.
REMEDY_WORKING_DAYS = 3
ABNORMAL_WORKING_DAYS = 5


def period_end_unopened(*, tender: Tender, sent_at: dt.datetime, working_days: int) -> dt.datetime:
    """The end of a period given by a notification sent at ``sent_at`` and not opened yet:
    counted from its deemed rejection (Ley 39/2015 art. 43.2)."""
    rejected = sent_at + dt.timedelta(days=rules(tender).notification_rejected_days)
    return WorkingCalendar(tender.city).add_working_days(rejected, working_days)


@transaction.atomic
def notification_periods_restart(*, notification: Notification) -> dt.datetime | None:
    """``notification`` was just opened: the period it gave now runs from its real start.
    Returns the period's new end, or ``None`` when the notification gives no period still
    running (another kind, or an act already overtaken)."""
    now = notification.accessed_at
    if now is None:
        return None
    tender = (
        Tender.objects.select_for_update().select_related("city").get(pk=notification.tender_id)
    )
    kind = notification.kind
    if kind == Notification.Kind.DOCUMENTS:
        if (
            tender.status != S.DOCUMENTS_REQUESTED
            or tender.documents_requested_at is None
            or notification.sent_at < tender.documents_requested_at
        ):
            return None
        tender.documents_due_at = notification.period_end(
            working_days=rules(tender).award_documents_working_days, now=now
        )
        tender.next_check = next_due(tender)
        tender.save(update_fields=["documents_due_at", "next_check", "updated_at"])
        return tender.documents_due_at
    bids = tender.bids.filter(supplier_id=notification.supplier_id, status=Bid.Status.SUBMITTED)
    if kind == Notification.Kind.REMEDY:
        end = notification.period_end(working_days=REMEDY_WORKING_DAYS, now=now)
        changed = bids.filter(admission=Bid.Admission.REMEDY).update(remedy_due_at=end)
        return end if changed else None
    if kind == Notification.Kind.ABNORMAL:
        end = notification.period_end(working_days=ABNORMAL_WORKING_DAYS, now=now)
        changed = bids.filter(abnormal=Bid.Abnormal.FLAGGED).update(abnormal_due_at=end)
        return end if changed else None
    return None

"""Effect handlers of the procedure engine that belong to processes."""

from tenders.tasks import transition_notify_task
from workflows.effects import on_effect


@on_effect("automatic")
def notify_officers_of_automatic_transition(*, effect, model, pk, audit_entry_id) -> None:
    """A deadline fired: tell the city's officers, since nobody pressed a button."""
    transition_notify_task.delay(audit_entry_id)


@on_effect("consultation_opened")
def notify_suppliers_of_open_consultation(*, effect, model, pk, audit_entry_id) -> None:
    from tenders.tasks import consultation_opened_notify_task

    consultation_opened_notify_task.delay(pk)


@on_effect("tender_notice")
def notify_suppliers_of_published_tender(*, effect, model, pk, audit_entry_id) -> None:
    """A tender notice (the CPTI tender, the PCP call, the partnership notice) is out: the
    suppliers whose alerts match it hear of it, as they do of a consultation."""
    if model != "tenders.Tender":
        return
    from tenders.tasks import tender_published_notify_task

    tender_published_notify_task.delay(pk)


@on_effect("bid_signatures")
def check_bid_signatures_at_the_opening(*, effect, model, pk, audit_entry_id) -> None:
    """An envelope was opened: its files' signatures are validated now, and only now."""
    from tenders.tasks import bid_signatures_check_task

    bid_signatures_check_task.delay(pk)

"""Notifications to bidders about their bids and the award: each is a recorded notification in
the bidder's inbox, with its evidence (LCSP DA 15ª), and an e-mail *aviso* after commit."""

import datetime as dt

from procurement.accounts.models import User
from tenders.award.models import Bid
from tenders.process.models import Notification
from tenders.process.services import notification_send


def bidder_notify(
    bid: Bid,
    key: str,
    subject: str,
    body: str,
    *,
    kind: str,
    at: dt.datetime,
    sender: User | None = None,
    published_at: dt.datetime | None = None,
) -> Notification:
    """Notify ``bid``'s supplier of an act about its bid (once per ``key``).

    ``published_at``: the time the act was published on the contractor profile (its public
    step), ``None`` when the act is not public; periods start from it as DA 15ª.1 says."""
    return notification_send(
        tender=bid.tender,
        supplier_id=bid.supplier_id,
        kind=kind,
        key=key,
        subject=str(subject),
        body=str(body),
        sent_at=at,
        sender=sender,
        published_at=published_at,
    )

"""E-mail to bidders about their bids and the award, through the outbox (after commit)."""

from procurement.accounts.models import Membership, User
from procurement.core.mail import email_queue
from tenders.award.models import Bid


def bidder_notify(bid: Bid, key: str, subject: str, body: str) -> None:
    """Queue one e-mail to every representative of ``bid``'s supplier who has an address.

    ``key`` makes the message idempotent: a second call with the same key sends nothing new.
    """
    addresses = list(
        User.objects.filter(
            memberships__supplier_id=bid.supplier_id,
            memberships__role=Membership.Role.REPRESENTATIVE,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    email_queue(key=key, to=addresses, subject=str(subject), body=str(body))

"""Processes for tests: created by the real service (so permissions are granted as in life),
then, where a test needs a process deep in a procedure, placed in that state directly.

Placing a state bypasses the engine on purpose: some states cannot be reached yet through guards
that wait for later capabilities (bids, scores), and a table of every transition needs every
source state. Nothing outside tests ever writes the status this way.
"""

from decimal import Decimal

from procurement.accounts.models import City, User
from tenders.models import Tender
from tenders.process.services import tender_create

PROCEDURE_CPV = {
    "cpti_open": ["72000000-5"],
    "pcp": ["73100000-3"],
    "innovation_partnership": ["73100000-3"],
}


def make_tender(
    *,
    city: City,
    procedure: str = "cpti_open",
    state: str = "need_draft",
    officer: User | None = None,
    value: Decimal = Decimal("250000"),
    **fields,
) -> Tender:
    officer = (
        officer or User.objects.filter(memberships__city=city, memberships__role="officer").first()
    )
    tender = tender_create(
        actor=officer,
        city=city,
        title=fields.pop("title", f"Test process {procedure} {state}"),
        description=fields.pop(
            "description", "The city needs something the market does not offer yet."
        ),
        procedure=procedure,
        estimated_value=value,
        cpv_codes=fields.pop("cpv_codes", PROCEDURE_CPV[procedure]),
    )
    from procurement.accounts.models import Membership
    from tenders.award.services.bids import committee_assign

    for member in User.objects.filter(
        memberships__city=city, memberships__role=Membership.Role.COMMITTEE
    ):
        committee_assign(actor=officer, tender=tender, user=member)
    updates = {"status": state, **fields}
    Tender.objects.filter(pk=tender.pk).update(**updates)
    return Tender.objects.get(pk=tender.pk)

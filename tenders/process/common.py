"""What the services of the process, its consultation and its award share: the officer's lock
on a process, the supplier an actor speaks for, and the cleaning of amounts and CPV codes.

It lives in the process area, which the consultation and award areas are built on, and reads
only ``tenders.process.models`` and ``procurement``: any area may import it without depending
on a sibling (see the import contracts in ``pyproject.toml``).
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from procurement.accounts.models import Membership, Supplier, User
from procurement.core.exceptions import ApplicationError, NotFound, PermissionDenied
from procurement.core.reference import cpv_unknown_codes
from tenders.process.models import Tender

CPV_FORMAT = re.compile(r"^\d{8}-\d$")
MAX_VALUE = Decimal("999999999999.99")


def tender_lock_for_officer(actor: User, tender: Tender) -> Tender:
    """Lock ``tender``'s row (with its city) for a write by one of its procurement officers.

    Raises ``NotFound`` when ``actor`` may not see the process and ``PermissionDenied`` when
    ``actor`` sees it but is not one of its officers. Call inside a transaction.
    """
    locked = Tender.objects.select_for_update().select_related("city").get(pk=tender.pk)
    if not actor.has_perm("tenders.view_tender", locked):
        raise NotFound(_("Process not found."))
    if not actor.has_perm("tenders.act_officer", locked):
        raise PermissionDenied(
            _("Only procurement officers of %(city)s may do this.") % {"city": locked.city}
        )
    return locked


def supplier_of(actor: User) -> Supplier:
    """The supplier ``actor`` represents; refuse anyone else."""
    membership = (
        Membership.objects.filter(user=actor, role=Membership.Role.REPRESENTATIVE)
        .select_related("supplier")
        .order_by("pk")
        .first()
    )
    if membership is None or membership.supplier is None:
        raise PermissionDenied(_("Only suppliers' representatives may answer consultations."))
    return membership.supplier


def clean_cpv_codes(codes) -> list[str]:
    """``codes`` without duplicates or surrounding blanks; refuses malformed or unknown codes."""
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        raise ApplicationError(
            _("CPV codes must be a list of codes like 72000000-5."), extra={"field": "cpv_codes"}
        )
    cleaned = list(dict.fromkeys(c.strip() for c in codes))
    badly_formed = [c for c in cleaned if not CPV_FORMAT.match(c)]
    if badly_formed:
        raise ApplicationError(
            _("Not CPV codes (they look like 72000000-5): %(codes)s")
            % {"codes": ", ".join(badly_formed)},
            extra={"field": "cpv_codes"},
        )
    unknown = cpv_unknown_codes(cleaned)
    if unknown:
        raise ApplicationError(
            _("Unknown CPV codes: %(codes)s") % {"codes": ", ".join(unknown)},
            extra={"field": "cpv_codes"},
        )
    return cleaned


def clean_money(value) -> Decimal:
    """``value`` as an amount in cents between 0 and ``MAX_VALUE``; refuses anything else."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ApplicationError(
            _("The estimated value must be a number."), extra={"field": "estimated_value"}
        ) from error
    if not amount.is_finite() or amount < 0 or amount > MAX_VALUE:
        raise ApplicationError(
            _("The estimated value must be between 0 and 999,999,999,999.99."),
            extra={"field": "estimated_value"},
        )
    return amount.quantize(Decimal("0.01"))

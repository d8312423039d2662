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
    cleaned = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    badly_formed = [c for c in cleaned if not CPV_FORMAT.match(c)]
    # Every bad code in one answer: the malformed ones and the well-formed ones the vocabulary
    # does not hold, so a person corrects them all at once instead of in two rounds.
    unknown = cpv_unknown_codes([c for c in cleaned if c not in badly_formed])
    problems = []
    if badly_formed:
        problems.append(
            _("Not CPV codes (they look like 72000000-5): %(codes)s")
            % {"codes": ", ".join(badly_formed)}
        )
    if unknown:
        problems.append(_("Unknown CPV codes: %(codes)s") % {"codes": ", ".join(unknown)})
    if problems:
        raise ApplicationError(" ".join(problems), extra={"field": "cpv_codes"})
    return cleaned


# What a person types as an amount: Spanish (1.000,50 · 210.000 €), plain (1000.50) or with
# English grouping (1,000.50). Groups of three after a separator are thousands; a single comma
# followed by exactly three digits (1,000) could be either, so it is refused rather than guessed.
_CURRENCY = re.compile(r"\s*(€|eur|euros?)\s*$|^\s*(€|eur)\s*", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_GROUPED = r"\d{1,3}(?:%s\d{3})+"


def parse_amount(value) -> Decimal:
    """``value`` read as a number the way people write amounts in Spain and elsewhere.

    Accepts ``1.000,50``, ``1000,50``, ``210.000 €``, ``1000.50``, ``1,000.50`` and numbers;
    raises ``ValueError`` for text that is not an amount or could be read two ways (``1,000``).
    """
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if not isinstance(value, str):
        raise ValueError("not an amount")
    text = _SPACES.sub("", _CURRENCY.sub("", value.strip()))
    sign = ""
    if text[:1] in "+-" and text:
        sign, text = ("-" if text[0] == "-" else ""), text[1:]
    if not text or not re.fullmatch(r"[\d.,]+", text):
        raise ValueError("not an amount")
    dots, commas = text.count("."), text.count(",")
    if re.fullmatch(r"0[.,]\d+", text):
        # 0.125 or 0,125: nobody groups thousands after a zero.
        return Decimal(sign + "0." + text[2:])
    if dots and commas:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _mark, cents = text.rpartition(decimal_mark)
        if text.count(decimal_mark) != 1 or not re.fullmatch(
            _GROUPED % re.escape(group_mark), whole
        ):
            raise ValueError("ambiguous amount")
        text = whole.replace(group_mark, "") + "." + cents
    elif commas:
        whole, _mark, cents = text.rpartition(",")
        if commas != 1 or len(cents) == 3 or not whole or not cents:
            # 1,000 or 1,000,000: English thousands or a Spanish decimal? Not guessed.
            raise ValueError("ambiguous amount")
        text = whole + "." + cents
    elif dots > 1 or (dots == 1 and len(text.rpartition(".")[2]) == 3):
        # 210.000 or 1.000.000: Spanish thousands.
        if not re.fullmatch(_GROUPED % r"\.", text):
            raise ValueError("ambiguous amount")
        text = text.replace(".", "")
    elif dots == 1 and (text.startswith(".") or text.endswith(".")):
        raise ValueError("not an amount")
    try:
        return Decimal(sign + text)
    except InvalidOperation as error:
        raise ValueError("not an amount") from error


def amount_refusal(value, field: str) -> ApplicationError:
    """The refusal for text that is not an amount, with how to write one."""
    return ApplicationError(
        _(
            "“%(value)s” is not an amount that can be read one way only: write it like "
            "1.000,50 or 1000.50 (a comma with three digits after it, as in 1,000, could be "
            "a thousand or one)."
        )
        % {"value": str(value)[:30]},
        extra={"field": field},
    )


def clean_money(value, field: str = "estimated_value") -> Decimal:
    """``value`` as an amount in cents between 0 and ``MAX_VALUE``; refuses anything else.

    Spanish formats are read (``1.000,50``, ``210.000 €``) as well as ``1000.50``."""
    try:
        amount = parse_amount(value)
    except ValueError as error:
        raise amount_refusal(value, field) from error
    if not amount.is_finite() or amount < 0 or amount > MAX_VALUE:
        raise ApplicationError(
            _("The amount must be between 0 and 999.999.999.999,99 €."),
            extra={"field": field},
        )
    return amount.quantize(Decimal("0.01"))

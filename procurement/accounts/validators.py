"""Validation of the parties' identifiers."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.es import nif
from stdnum.util import get_cc_module


def normalise_tax_id(*, country: str, tax_id: str) -> str:
    """Return the tax id in its compact form, or raise ``ValidationError``.

    Spanish suppliers must give a valid NIF, CIF or NIE (format and check character). For other
    countries python-stdnum's tax-number module checks it where one exists (Colombia's NIT,
    France's TVA…); ids of countries it does not know are kept as typed, only trimmed.
    """
    value = (tax_id or "").strip()
    if not value:
        raise ValidationError(_("The tax id is required."), code="required")
    if len(value) > 40:
        raise ValidationError(_("The tax id is too long."), code="invalid_tax_id")
    module = nif if country.upper() == "ES" else get_cc_module(country.lower(), "vat")
    if module is None:
        return value
    try:
        return module.validate(value)
    except stdnum_exceptions.ValidationError as error:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid tax id (NIF/CIF or national equivalent) for %(country)s: %(why)s"
            )
            % {"value": value, "country": country.upper(), "why": str(error)},
            code="invalid_tax_id",
        ) from error


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone.") % {"value": value})

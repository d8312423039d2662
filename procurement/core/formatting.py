"""Money and dates as a person of a given city reads them."""

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency
from django.utils import timezone, translation


def _locale(language: str | None = None) -> str:
    code = language or translation.get_language() or "es"
    return {"es": "es_ES", "en": "en_GB"}.get(code.split("-")[0], code)


def money(amount: Decimal | int | float | None, currency: str, language: str | None = None) -> str:
    if amount is None:
        return "—"
    return format_currency(amount, currency, locale=_locale(language))


def city_datetime(value: dt.datetime | None, zone, language: str | None = None) -> str:
    """A moment shown in the city's time zone, with the zone's abbreviation."""
    if value is None:
        return "—"
    local = timezone.localtime(value, zone)
    return format_datetime(local, "medium", tzinfo=local.tzinfo, locale=_locale(language)) + (
        f" {local.tzname()}"
    )


def city_minute(value: dt.datetime | None, zone, language: str | None = None) -> str:
    """A moment in the city's time zone to the minute (a history reads better without seconds):
    “1 dic 2026, 9:05 CET”."""
    if value is None:
        return "—"
    local = timezone.localtime(value, zone)
    locale = _locale(language)
    return (
        f"{format_date(local, 'medium', locale=locale)}, "
        f"{format_time(local, 'short', tzinfo=local.tzinfo, locale=locale)} {local.tzname()}"
    )

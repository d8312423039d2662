"""Money, numbers, dates and legal citations as a person of a given city reads them (babel's CLDR data).

Spanish: ``1.000,50 €``, ``110,00``, ``01/12/2026 00:19 CET``; English (British, as the
network's English users are in Europe): ``€1,000.50``, ``110.00``, ``01/12/2026 00:19 CET``.
Times are always shown in the city's time zone, to the minute: deadlines are set to the minute.
"""

import datetime as dt
import re
from decimal import Decimal

from babel.dates import format_date, format_datetime, format_time
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from django.utils import timezone, translation
from django.utils.translation import pgettext

# Day/month/year and 24-hour time, without seconds (the same order in both languages).
DATETIME_PATTERN = "dd/MM/yyyy HH:mm"
DATE_PATTERN = "dd/MM/yyyy"


def _locale(language: str | None = None) -> str:
    code = language or translation.get_language() or "es"
    return {"es": "es_ES", "en": "en_GB"}.get(code.split("-")[0], code)


def money(amount: Decimal | int | float | None, currency: str, language: str | None = None) -> str:
    if amount is None:
        return "—"
    return format_currency(amount, currency, locale=_locale(language))


def number(value: Decimal | int | float | None, language: str | None = None) -> str:
    """``value`` with the locale's decimal mark and grouping, keeping its decimal places:
    ``Decimal("110.00")`` → ``110,00`` in Spanish, ``110.00`` in English; ``12.5`` → ``12,5``."""
    if value is None:
        return "—"
    value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=_locale(language))


def city_datetime(value: dt.datetime | None, zone, language: str | None = None) -> str:
    """A moment shown in the city's time zone, to the minute, with the zone's abbreviation:
    ``01/12/2026 00:19 CET``."""
    if value is None:
        return "—"
    local = timezone.localtime(value, zone)
    return format_datetime(
        local, DATETIME_PATTERN, tzinfo=local.tzinfo, locale=_locale(language)
    ) + (f" {local.tzname()}")


def city_date(value: dt.date | dt.datetime | None, zone=None, language: str | None = None) -> str:
    """A day as ``dd/mm/yyyy`` (a moment is first moved to ``zone``, the city's)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, zone).date() if zone else value.date()
    return format_date(value, DATE_PATTERN, locale=_locale(language))


def spreadsheet_csv_options(language: str | None = None) -> dict:
    """How a CSV must be written for the spreadsheets of ``language``: Spanish Excel and
    LibreOffice read ``;`` between cells (the comma is the decimal mark there)."""
    return {"delimiter": ";" if _locale(language).startswith("es") else ","}


def city_datetime_plain(local: dt.datetime, language: str | None = None) -> str:
    """A moment already in the city's time (naive or aware) as ``dd/mm/yyyy hh:mm``, without
    the zone's name: the form spreadsheets read as a date."""
    del language  # digits only: the same in every language
    return local.strftime("%d/%m/%Y %H:%M")


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


# "arts. 28.4 and 134", "arts. 116, 117, 122.1 and 124": a list of articles closed by "and".
_ARTICLE_LIST = re.compile(r"\b(?P<head>arts\. )(?P<items>[^;()]*?\S) and (?P<last>[^\s;(),]+)")


def legal_basis(text: str, language: str | None = None) -> str:
    """A legal citation as written in the code ("LCSP arts. 28.4 and 134; Annex III") in the
    page's language: the list of articles joined by the language's own conjunction (“y” in
    Spanish) and the few words a citation uses (annex, by analogy) translated."""
    if not text:
        return text
    locale = _locale(language)

    def rejoin(match: re.Match) -> str:
        items = [item.strip() for item in match["items"].split(",")] + [match["last"]]
        return match["head"] + format_list(items, locale=locale)

    text = _ARTICLE_LIST.sub(rejoin, text)
    with translation.override(language or translation.get_language()):
        words = {
            "Annex": pgettext("legal citation", "Annex"),
            "by analogy": pgettext("legal citation", "by analogy"),
        }
    for english, translated in words.items():
        text = re.sub(rf"\b{english}\b", translated, text)
    return text

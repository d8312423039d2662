"""Money, numbers, dates and legal citations as a person reads them in their language."""

import datetime as dt
import re
from decimal import Decimal

from babel.dates import format_date, format_datetime, format_time
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from django.utils import timezone, translation
from django.utils.translation import pgettext


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


def number(value: Decimal | int | float, language: str | None = None) -> str:
    """A number with the language's decimal sign: 16.5 → “16,5” in Spanish."""
    return format_decimal(value, locale=_locale(language))


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

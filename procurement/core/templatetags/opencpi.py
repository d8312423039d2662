from decimal import Decimal

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from procurement.core import formatting
from procurement.core.audit import data_version
from procurement.core.public_cache import PUBLIC_VERSION_SECONDS

register = template.Library()

# The menu's items as written for each (language, logged in, of a city, of a supplier, unread
# messages): the same for every page and user alike, so written once per process (a dozen
# links, each reversed and translated, cost a millisecond of every page).
_NAV_ITEMS: dict[tuple, SafeString] = {}
_NAV_ITEMS_KEPT = 512


@register.simple_tag(takes_context=True)
def nav_items(context) -> SafeString:
    """``partials/nav_items.html`` for the page's user, written once per process for each of
    the few things it depends on."""
    user = context.get("user")
    membership = context.get("nav_membership")
    logged_in = bool(user is not None and user.is_authenticated)
    unread = context.get("nav_unread") if logged_in else 0  # a lazy count: no int() of its own
    key = (
        get_language(),
        logged_in,
        bool(membership and membership.city_id),
        bool(membership and membership.supplier_id),
        int(str(unread)) if unread else 0,
    )
    html = _NAV_ITEMS.get(key)
    if html is None:
        if len(_NAV_ITEMS) >= _NAV_ITEMS_KEPT:
            _NAV_ITEMS.clear()
        _, logged_in, city, supplier, unread = key
        html = _NAV_ITEMS[key] = render_to_string(
            "partials/nav_items.html",
            {
                "logged_in": logged_in,
                "of_city": city,
                "of_supplier": supplier,
                "unread": unread,
            },
        )
    return html


@register.simple_tag
def kept_version() -> int | None:
    """The data version a fragment kept with ``{% cache %}`` is keyed on, read as the portal
    reads it (at most ``PUBLIC_VERSION_SECONDS`` old, most often without a query): the fragment
    shows a write within that time. ``None`` when pages are not kept (``settings.PAGE_CACHE``
    off, as the query-count tests have it)."""
    if not settings.PAGE_CACHE:
        return None
    return data_version(within=PUBLIC_VERSION_SECONDS)


@register.filter
def city_money(amount, city):
    """``{{ tender.estimated_value|city_money:tender.city }}`` → “120.000,00 €” in Spanish."""
    return formatting.money(amount, getattr(city, "currency", "EUR"))


@register.filter
def local_number(value):
    """``{{ criterion.weight|local_number }}`` → “40,00” in Spanish, “40.00” in English;
    text that is not a number is shown as it is."""
    try:
        return formatting.number(Decimal(str(value)) if isinstance(value, str) else value)
    except (ArithmeticError, TypeError, ValueError):
        return value


@register.filter
def city_datetime(value, city):
    """A date-time in the city's time zone: ``{{ deadline|city_datetime:tender.city }}``."""
    return formatting.city_datetime(value, city.zone)


@register.filter
def city_minute(value, city):
    """A date-time in the city's time zone to the minute: ``{{ e.at|city_minute:tender.city }}``."""
    return formatting.city_minute(value, city.zone)


@register.simple_tag
def select_options(rows, value: str, label: str, selected=""):
    """``<option>`` elements for ``rows`` (objects or dicts), the one whose ``value`` equals
    ``selected`` marked: ``{% select_options cities "slug" "name" city %}``. Built in Python:
    as a template loop, a select of 150 cities cost more than the rest of its page."""

    def read(row, name: str):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    chosen = str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (
                read(row, value),
                " selected" if str(read(row, value)) == chosen else "",
                read(row, label),
            )
            for row in rows
        ),
    )


@register.filter
def legal_basis(text):
    """``{{ definition.legal_basis|legal_basis }}`` → “LCSP arts. 28.4 y 134” in Spanish."""
    return formatting.legal_basis(text)

from decimal import Decimal

from django import template
from django.utils.html import format_html_join

from procurement.core import formatting

register = template.Library()


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

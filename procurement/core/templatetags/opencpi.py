from django import template

from procurement.core import formatting

register = template.Library()


@register.filter
def city_money(amount, city):
    """``{{ tender.estimated_value|city_money:tender.city }}`` → “120.000,00 €” in Spanish."""
    return formatting.money(amount, getattr(city, "currency", "EUR"))


@register.filter
def city_datetime(value, city):
    """A date-time in the city's time zone: ``{{ deadline|city_datetime:tender.city }}``."""
    return formatting.city_datetime(value, city.zone)

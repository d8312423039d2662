"""Money, numbers and dates as people in Spain read them, and as English readers do (#19)."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from procurement.core.formatting import city_date, city_datetime, money, number

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
MOMENT = dt.datetime(2026, 11, 30, 23, 19, 42, tzinfo=dt.UTC)  # 00:19 on 1 Dec in Madrid


def test_spanish_numbers_use_the_decimal_comma_and_keep_their_places():
    assert number(Decimal("110.00"), "es") == "110,00"
    assert number(Decimal("1000.50"), "es") == "1.000,50"
    assert number(Decimal("12.5"), "es") == "12,5"
    assert number(40, "es") == "40"


def test_english_numbers_use_the_decimal_point():
    assert number(Decimal("110.00"), "en") == "110.00"
    assert number(Decimal("1000.50"), "en") == "1,000.50"


def test_spanish_money_reads_one_thousand_euros_and_fifty_cents():
    assert money(Decimal("1000.50"), "EUR", "es") == "1.000,50\xa0€"


def test_a_moment_is_shown_to_the_minute_in_the_citys_zone_without_seconds():
    shown = city_datetime(MOMENT, MADRID, "es")
    assert shown == "01/12/2026 00:19 CET"
    assert ":42" not in shown


def test_an_english_moment_is_the_same_day_month_year_order():
    assert city_datetime(MOMENT, MADRID, "en") == "01/12/2026 00:19 CET"


def test_a_day_is_dd_mm_yyyy_in_the_citys_zone():
    assert city_date(MOMENT, MADRID, "es") == "01/12/2026"


def test_templates_show_datetimes_to_the_minute_in_spanish():
    template = Template("{{ moment }}|{{ moment|date:'SHORT_DATETIME_FORMAT' }}|{{ amount }}")
    with translation.override("es"):
        from django.utils import timezone

        with timezone.override(MADRID):
            shown = template.render(Context({"moment": MOMENT, "amount": Decimal("110.00")}))
    assert shown == "01/12/2026 00:19|01/12/2026 00:19|110,00"


def test_the_local_number_filter_follows_the_language():
    template = Template("{% load opencpi %}{{ weight|local_number }}")
    with translation.override("es"):
        assert template.render(Context({"weight": Decimal("40.00")})) == "40,00"
    with translation.override("en"):
        assert template.render(Context({"weight": Decimal("40.00")})) == "40.00"


def test_a_number_stored_as_text_is_shown_in_the_locale_and_other_text_as_it_is():
    template = Template("{% load opencpi %}{{ a|local_number }}|{{ b|local_number }}")
    with translation.override("es"):
        assert template.render(Context({"a": "1000.50", "b": "n/d"})) == "1.000,50|n/d"

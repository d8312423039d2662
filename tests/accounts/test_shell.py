"""The app shell: per-role navigation, language switch, per-city formatting."""

import datetime as dt
from decimal import Decimal

from procurement.core.formatting import city_datetime, money


def test_officer_sees_city_name_and_role_in_the_header(demo, login):
    page = login("officer.logrono").get("/").content.decode()
    assert "Logroño" in page
    assert 'href="/org/cities/' in page


def test_supplier_navigation_points_to_its_organisation(demo, login):
    page = login("supplier.acme").get("/").content.decode()
    assert 'href="/org/suppliers/' in page
    assert 'href="/org/cities/' not in page


def test_language_switch_changes_the_interface_language(demo, client):
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    spanish = client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert "Ciudades miembro" in spanish
    assert "Member cities" in english
    assert '<html lang="es">' in spanish and '<html lang="en">' in english


def test_money_is_written_the_way_each_city_reads_it(settings):
    assert money(Decimal("120000.5"), "EUR", "es") == "120.000,50\xa0€"
    assert money(Decimal("120000.5"), "EUR", "en") == "€120,000.50"
    assert money(Decimal("450000000"), "COP", "es").startswith("450.000.000")


def test_dates_are_shown_in_the_city_time_zone():
    import zoneinfo

    moment = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)
    madrid = city_datetime(moment, zoneinfo.ZoneInfo("Europe/Madrid"), "es")
    bogota = city_datetime(moment, zoneinfo.ZoneInfo("America/Bogota"), "es")
    assert "12:00" in madrid and "CET" in madrid
    assert "6:00" in bogota


def test_pages_have_landmarks_and_labelled_controls(demo, client):
    page = client.get("/accounts/login/").content.decode()
    for landmark in ('role="banner"', "<main", "<nav", 'role="contentinfo"'):
        assert landmark in page
    assert '<label for="id_username">' in page
    assert '<label for="language-select"' in page

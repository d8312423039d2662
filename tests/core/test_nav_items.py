"""The menu, written once per process for each role, language and unread count
(``{% nav_items %}``): every user still gets the items of their own role and language."""

import re

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def _menu(client, path: str = "/processes/", **headers) -> list[str]:
    page = client.get(path, **headers).content.decode()
    nav = page.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="[^"]*"[^>]*>([^<]+)', nav)


def test_each_role_gets_its_own_items_from_the_same_kept_menu(demo, client, login):
    anonymous = _menu(client, "/")
    login("officer.logrono")
    officer = _menu(client)
    client.logout()
    login("supplier.acme")
    supplier = _menu(client)
    client.logout()

    assert "Register your organisation" in anonymous and "Inbox" not in anonymous
    assert "Templates" in officer and "My bids" not in officer
    assert "My bids" in supplier and "Templates" not in supplier
    assert _menu(client, "/") == anonymous  # the anonymous menu again, not the last one kept


def test_the_menu_follows_the_language(demo, client, login):
    login("officer.logrono")
    english = _menu(client, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "es"
    spanish = _menu(client)

    assert "Consultations" in english
    assert "Consultations" not in spanish and "Consultas" in spanish

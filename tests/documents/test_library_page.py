"""The template library page: 25 a page, and a number of queries that does not grow with the
number of templates (web and API)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from documents import services

# The queries counted here are those of rendering the pages.
pytestmark = pytest.mark.usefixtures("no_page_cache")


def _make_templates(demo, count: int, prefix: str) -> None:
    legal = demo.user("legal.logrono")
    for number in range(count):
        services.template_create(
            actor=legal, kind="consultation_notice", language="es", name=f"{prefix} {number:02}"
        )


def _names(page: str, prefix: str) -> list[str]:
    table = page[page.index('data-testid="templates"') :]
    return [
        n
        for n in re.findall(r'<a href="/documents/templates/\d+/"[^>]*>([^<]+)</a>', table)
        if n.startswith(prefix)
    ]


def test_library_shows_25_a_page_and_the_second_page_the_rest(library, login):
    _make_templates(library, 30, "Plantilla")
    client = login("legal.logrono")
    first = client.get("/documents/templates/?q=Plantilla").content.decode()
    second = client.get("/documents/templates/?q=Plantilla&page=2").content.decode()
    assert len(_names(first, "Plantilla")) == 25
    assert sorted(_names(first, "Plantilla") + _names(second, "Plantilla")) == [
        f"Plantilla {n:02}" for n in range(30)
    ]
    assert 'rel="next"' in first and "q=Plantilla" in first
    assert 'rel="prev"' in second


def test_library_queries_do_not_grow_with_the_number_of_templates(library, login, api_as):
    _make_templates(library, 5, "Pocas")
    client = login("legal.logrono")
    api = api_as("legal.logrono")

    def count(call) -> int:
        call()
        with CaptureQueriesContext(connection) as captured:
            assert call().status_code == 200
        return len(captured)

    web_few = count(lambda: client.get("/documents/templates/"))
    # Two to a page, so that this page too has a next one and counts the list.
    api_few = count(lambda: api.get("/api/v1/templates/?page_size=2"))
    _make_templates(library, 40, "Muchas")
    assert count(lambda: client.get("/documents/templates/")) == web_few
    assert count(lambda: client.get("/documents/templates/?page=2")) == web_few
    assert count(lambda: api.get("/api/v1/templates/?page_size=25")) == api_few

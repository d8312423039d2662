"""The legal team's pages render and act through the services."""

import pytest

from documents.models import DocumentTemplate

pytestmark = pytest.mark.django_db


def test_legal_pages_render(library, login):
    client = login("legal.logrono")
    template = DocumentTemplate.objects.filter(network__slug="reci").first()
    for url in (
        "/documents/templates/",
        "/documents/templates/?scope=network&kind=pcap&q=pliego",
        "/documents/templates/new/",
        f"/documents/templates/{template.pk}/",
        f"/documents/templates/{template.pk}/versions/1/preview.pdf",
        "/documents/fields/",
        "/documents/fields/award_resolution/",
        "/documents/review/",
        "/documents/verify/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_editor_previews_live_and_shows_errors_with_lines(library, login):
    client = login("legal.logrono")
    created = client.post(
        "/documents/templates/new/", {"kind": "ppt", "language": "es", "name": "Mío"}
    )
    assert created.status_code == 302
    pk = DocumentTemplate.objects.get(name="Mío").pk
    assert client.get(f"/documents/templates/{pk}/edit/").status_code == 200
    preview = client.post(
        f"/documents/templates/{pk}/preview/",
        {"source": "# Uno\n{{ process.title }}"},
        HTTP_HX_REQUEST="true",
    )
    assert b"1. Uno" in preview.content and "Gestión inteligente".encode() in preview.content
    errors = client.post(
        f"/documents/templates/{pk}/preview/", {"source": "# Uno\n\n{{ process.nope }}"}
    )
    assert b"Line 3" in errors.content
    saved = client.post(f"/documents/templates/{pk}/edit/", {"source": "# Uno\n{{ city.name }}\n"})
    assert saved.status_code == 302
    assert DocumentTemplate.objects.get(pk=pk).versions.count() == 2


def test_other_cities_cannot_open_a_private_template(library, login):
    from documents.services import template_create

    own = template_create(actor=library.user("legal.logrono"), kind="ppt", language="es")
    client = login("legal.terrassa")
    assert client.get(f"/documents/templates/{own.pk}/").status_code == 404
    assert client.get(f"/documents/templates/{own.pk}/edit/").status_code == 404

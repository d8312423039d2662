"""PDFs made in Spanish from the default templates speak Spanish (issue #19): the documents the
demo's processes made and each default template's preview, read back with pypdf, show none of
the English words users found (“Annex III” in the tender notice, articles joined by “and”)."""

import pytest
from django.utils import translation

from documents.models import DocumentTemplate, GeneratedDocument
from tests.conftest import module_media_root, module_world
from tests.core.test_spanish_pages import english_on, spanish_client
from tests.documents.conftest import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _spanish_world(django_db_setup, django_db_blocker, module_folder):
    """The demo processes and the default library, seeded as a Spanish deployment does, with
    the documents their steps asked for made (the tasks run at commit): once for the module
    (``module_world``)."""
    from django.test import TestCase

    from documents import demo as documents_demo
    from procurement.accounts import demo as accounts_demo
    from tenders import demo as tenders_demo

    with module_world(django_db_blocker, module_folder):
        with translation.override("es"), TestCase.captureOnCommitCallbacks(execute=True):
            accounts_demo.seed()
            tenders_demo.seed()
            documents_demo.seed()
        yield


@pytest.fixture
def spanish_demo(_spanish_world, demo, settings, module_folder):
    module_media_root(settings, module_folder)
    return demo


def test_documents_the_demo_made_in_spanish_show_no_english(spanish_demo):
    documents = GeneratedDocument.objects.filter(language="es", status="ready").exclude(pdf="")
    kinds = set(documents.values_list("kind", flat=True))
    # The demo's processes made notices, reports and resolutions: the check reads them all.
    assert {"tender_notice", "consultation_notice"} <= kinds, kinds
    english = {}
    for document in documents:
        with document.pdf.open("rb") as handle:
            found = english_on(pdf_text(handle.read()))
        if found:
            english[f"{document.reference} {document.kind}"] = found
    assert not english, english


def test_previews_of_the_default_spanish_templates_show_no_english(spanish_demo, client):
    spanish_client(client, "legal.logrono")
    templates = DocumentTemplate.objects.filter(language="es", network__slug="reci")
    assert templates.count() >= 15
    english = {}
    for template in templates:
        version = template.versions.order_by("-number").first()
        response = client.get(
            f"/documents/templates/{template.pk}/versions/{version.number}/preview.pdf"
        )
        assert response.status_code == 200, (template.kind, response.content[:200])
        text = pdf_text(response.content)
        found = english_on(text)
        if found:
            english[template.kind] = found
    assert not english, english


def test_the_tender_notice_cites_the_annex_in_spanish(spanish_demo, client):
    spanish_client(client, "legal.logrono")
    template = DocumentTemplate.objects.get(
        language="es", network__slug="reci", kind="tender_notice"
    )
    version = template.versions.order_by("-number").first()
    response = client.get(
        f"/documents/templates/{template.pk}/versions/{version.number}/preview.pdf"
    )
    text = pdf_text(response.content)
    assert "Annex" not in text
    assert "LCSP art. 135" in text

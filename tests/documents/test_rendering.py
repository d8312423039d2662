"""Every default template renders for a demo process into a PDF that holds its data."""

import datetime as dt
from io import BytesIO

import pytest
from pypdf import PdfReader

from documents.context import process_context, sample_context
from documents.default_set import default_templates
from documents.kinds import KINDS
from documents.renderer import PdfInput, markup_blocks, render_pdf
from documents.sandbox import template_check, template_render_text
from documents.services import FOOTER_LABELS
from tests.documents.conftest import pdf_text

AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _pdf(*, body: str, context: dict, language: str, title: str = "Documento") -> bytes:
    return render_pdf(
        PdfInput(
            body=body,
            title=title,
            subject=context["process"]["title"],
            author=context["city"]["name"],
            language=language,
            document_id="DOC-000042",
            verification_code="AB12C-D34EF",
            created_at=AT,
            header=(context["city"]["name"], "LCSP"),
            labels=FOOTER_LABELS[language],
        )
    )


def test_the_default_set_has_spanish_and_english_for_every_kind():
    shipped = {(t.kind, t.language) for t in default_templates()}
    assert shipped == {(k.code, lang) for k in KINDS for lang in ("es", "en")}


def test_every_kind_has_legal_names_and_an_ocds_document_type():
    import csv

    from django.conf import settings

    with open(settings.OCDS_SCHEMA_DIR / "codelists" / "documentType.csv", encoding="utf-8") as f:
        codes = {row["Code"] for row in csv.DictReader(f)}
    for kind in KINDS:
        assert kind.name_es and kind.name_en
        assert kind.ocds_document_type in codes, kind.code


@pytest.mark.parametrize("default", default_templates(), ids=lambda t: f"{t.kind}.{t.language}")
def test_every_default_template_passes_the_save_time_check(default):
    assert template_check(source=default.source, kind=default.kind) == []


@pytest.mark.django_db
@pytest.mark.parametrize("default", default_templates(), ids=lambda t: f"{t.kind}.{t.language}")
def test_every_default_template_renders_a_pdf_holding_the_process_title_and_city_name(
    library, consultation_process, default
):
    context = process_context(
        process_id=consultation_process.pk, kind=default.kind, language=default.language, at=AT
    )
    body = template_render_text(source=default.source, context=context)
    pdf = _pdf(body=body, context=context, language=default.language)
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    assert "Sensores de calidad del aire en colegios" in flat
    assert "Logroño" in flat
    assert "DOC-000042" in flat and "AB12C-D34EF" in flat
    pages = len(PdfReader(BytesIO(pdf)).pages)
    assert FOOTER_LABELS[default.language]["page"].format(page=pages, pages=pages) in flat


@pytest.mark.django_db
def test_the_same_inputs_give_byte_identical_pdfs(consultation_process):
    default = default_templates()[0]
    context = process_context(
        process_id=consultation_process.pk, kind=default.kind, language=default.language, at=AT
    )
    body = template_render_text(source=default.source, context=context)
    first = _pdf(body=body, context=context, language=default.language)
    second = _pdf(
        body=template_render_text(source=default.source, context=context),
        context=context,
        language=default.language,
    )
    assert first == second
    changed = _pdf(body=body + "\nOtra línea.", context=context, language=default.language)
    assert changed != first


def test_pdf_metadata_carries_title_author_subject_language_and_the_given_date():
    context = sample_context(kind="pcap", language="es")
    pdf = _pdf(body="# Uno\nTexto", context=context, language="es", title="Pliego")
    reader = PdfReader(BytesIO(pdf))
    meta = reader.metadata
    assert meta.title == "Pliego"
    assert meta.author == context["city"]["name"]
    assert meta.subject == context["process"]["title"]
    assert meta["/CreationDate"].startswith("D:20260302093000")
    assert reader.trailer["/Root"]["/Lang"] == "es"


def test_the_embedded_font_prints_spanish_characters():
    text = "á é í ó ú ü ñ Ñ ¿ ¡ € « »"
    pdf = _pdf(body=text, context=sample_context(kind="ppt", language="es"), language="es")
    reader = PdfReader(BytesIO(pdf))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSans" in name for name in fonts)
    assert text in pdf_text(pdf)


def test_markup_numbers_sections_and_clauses_and_builds_tables():
    blocks = markup_blocks(
        "Intro\n# Uno\n## A\n## B\n# Dos\n| x | y |\n|---|---|\n| 1 | 2 |\n- a\n- b"
    )
    assert [(b.kind, b.number) for b in blocks] == [
        ("p", ""),
        ("h1", "1."),
        ("h2", "1.1."),
        ("h2", "1.2."),
        ("h1", "2."),
        ("table", ""),
        ("ul", ""),
    ]
    assert blocks[5].rows == (("x", "y"), ("1", "2"))


def test_reportlab_tags_in_template_output_are_printed_not_obeyed():
    body = 'Texto <img src="/etc/passwd"/> <font size=80>x</font>'
    pdf = _pdf(body=body, context=sample_context(kind="ppt", language="es"), language="es")
    assert '<img src="/etc/passwd"/>' in pdf_text(pdf)


def test_a_long_document_spans_pages_with_page_x_of_y():
    body = "\n\n".join(f"# Sección {i}\n" + "Texto de la cláusula. " * 60 for i in range(30))
    pdf = _pdf(body=body, context=sample_context(kind="pcap", language="es"), language="es")
    reader = PdfReader(BytesIO(pdf))
    total = len(reader.pages)
    assert total > 5
    assert f"Página 2 de {total}" in reader.pages[1].extract_text()

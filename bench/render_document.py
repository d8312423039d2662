"""Benchmark (not a test): render a ~10-page document from a template, against reportlab
building the same content directly.

    .venv/bin/python bench/render_document.py [--repeat 5]

"From a template" is the whole path a generated document takes: the Jinja2 sandbox renders the
text over a plain-data context (with its time and size budgets), the markup is parsed into
numbered blocks, and platypus lays them out with the footer canvas. "Direct" builds the same
paragraphs and tables with platypus by hand, with the same fonts and page template, so the
ratio is the cost of the template layer.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings.test")

import django

django.setup()

from pypdf import PdfReader  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table  # noqa: E402

from documents.context import sample_context  # noqa: E402
from documents.renderer import (  # noqa: E402
    PdfInput,
    _canvas_class,
    _register_fonts,
    _styles,
    render_pdf,
)
from documents.sandbox import template_render_text  # noqa: E402

SECTIONS = 16
CLAUSES = 3
SENTENCE = "El contratista ejecutará la prestación con sujeción a las cláusulas de este pliego "

SOURCE = (
    """Pliego del contrato «{{ process.title }}» de {{ city.name }}.
{% for s in range(SECTIONS) %}

# Sección {{ loop.index }}: obligaciones de {{ city.name }}
{% for c in range(CLAUSES) %}
## Cláusula {{ loop.index }}
SENTENCE{{ process.title }}. {{ process.description }} SENTENCE
{% endfor %}
| Licitador | NIF | Situación |
|---|---|---|
{% for p in participants %}
| {{ p.name }} | {{ p.tax_id }} | {{ p.status }} |
{% endfor %}
{% endfor %}
""".replace("SECTIONS", str(SECTIONS))
    .replace("CLAUSES", str(CLAUSES))
    .replace("SENTENCE", SENTENCE * 2)
)

AT = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def pdf_input(body: str, context: dict) -> PdfInput:
    return PdfInput(
        body=body,
        title="Pliego de cláusulas administrativas particulares",
        subject=context["process"]["title"],
        author=context["city"]["name"],
        language="es",
        document_id="DOC-000001",
        verification_code="AB12C-D34EF",
        created_at=AT,
        header=(context["city"]["name"], "LCSP art. 122"),
        labels={"page": "Página {page} de {pages}"},
    )


def from_template(context: dict) -> bytes:
    body = template_render_text(source=SOURCE, context=context)
    return render_pdf(pdf_input(body, context))


def direct(context: dict) -> bytes:
    """The same content built straight with platypus."""
    _register_fonts()
    styles = _styles()
    data = pdf_input("", context)
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=26 * mm,
        bottomMargin=22 * mm,
        title=data.title,
        author=data.author,
        subject=data.subject,
        lang="es",
        invariant=1,
    )
    title, city = context["process"]["title"], context["city"]["name"]
    story = [
        Paragraph(data.title, styles["title"]),
        Paragraph(data.subject, styles["subtitle"]),
        Paragraph(f"Pliego del contrato «{title}» de {city}.", styles["body"]),
    ]
    rows = [["Licitador", "NIF", "Situación"]] + [
        [p["name"], p["tax_id"], p["status"]] for p in context["participants"]
    ]
    for s in range(1, SECTIONS + 1):
        story.append(Paragraph(f"{s}. Sección {s}: obligaciones de {city}", styles["h1"]))
        for c in range(1, CLAUSES + 1):
            story.append(Paragraph(f"{s}.{c}. Cláusula {c}", styles["h2"]))
            text = f"{SENTENCE * 2}{title}. {context['process']['description']} {SENTENCE * 2}"
            story.append(Paragraph(text.strip(), styles["body"]))
        story.append(
            Table(
                [
                    [Paragraph(cell, styles["head" if i == 0 else "cell"]) for cell in row]
                    for i, row in enumerate(rows)
                ],
                colWidths=[170 * mm / 3] * 3,
            )
        )
    doc.build(story, canvasmaker=_canvas_class(data))
    return buffer.getvalue()


def timed(function, context, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(context)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    context = sample_context(kind="award_resolution", language="es")
    from_template(context)  # warm up fonts and caches for both
    direct(context)
    # Interleaved, so drift of the machine affects both alike; each side's fastest run, the one
    # least disturbed by the rest of a shared machine (the benchmark runs this right after the
    # deadline storm, while PostgreSQL may still be writing the storm out).
    runs = [
        (timed(from_template, context, 1), timed(direct, context, 1)) for _ in range(args.repeat)
    ]
    t_template = min(a[0] for a, _b in runs)
    t_direct = min(b[0] for _a, b in runs)
    pdf_a, pdf_b = runs[-1][0][1], runs[-1][1][1]
    pages_a = len(PdfReader(BytesIO(pdf_a)).pages)
    pages_b = len(PdfReader(BytesIO(pdf_b)).pages)
    print(f"from template: {t_template * 1000:.1f} ms ({pages_a} pages, {len(pdf_a)} bytes)")
    print(f"direct reportlab: {t_direct * 1000:.1f} ms ({pages_b} pages, {len(pdf_b)} bytes)")
    print(f"ratio template/direct: {t_template / t_direct:.2f}")


if __name__ == "__main__":
    main()

"""PDF rendering with reportlab platypus: data in, PDF bytes out. No database, no settings.

The body is the text a template rendered, in a small markup:

* ``# Heading`` starts a numbered section (1., 2., …); ``## Heading`` a numbered clause (1.1.);
* ``- text`` is a bullet; ``| a | b |`` lines form a table whose first row is its header
  (``|---|`` rows are ignored); a blank line ends a paragraph; ``**bold**`` is bold.

Everything else is literal text: it is escaped before reportlab's paragraph parser sees it, so a
template cannot smuggle in reportlab tags (``<img src=…>`` would read files from the server).

The same input gives the same bytes: reportlab runs in invariant mode and the creation date
printed in the metadata is the one given in the input.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
ACCENT = colors.HexColor("#1d4e89")


@dataclass(frozen=True)
class PdfInput:
    """Everything a PDF is made of. ``labels`` holds the footer's words in the document's
    language: ``page`` (with ``{page}`` and ``{pages}``), ``document`` and ``verification``."""

    body: str
    title: str
    subject: str
    author: str
    language: str
    document_id: str
    verification_code: str
    created_at: dt.datetime
    header: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    # Leave room at the foot of the last page for the seal's visible stamp (documents/signing.py).
    stamp_room: bool = False


# The height the seal's stamp takes above the bottom margin of the last page.
STAMP_ROOM = 72


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, spaceAfter=6)
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=11, leading=14, textColor=colors.grey, spaceAfter=12
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=16,
            spaceBefore=10,
            spaceAfter=6,
            textColor=ACCENT,
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=FONT_BOLD, fontSize=10.5, leading=14, spaceBefore=6
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11, spaceAfter=0),
        "head": ParagraphStyle(
            "head", parent=base, fontName=FONT_BOLD, fontSize=9, leading=11, spaceAfter=0
        ),
        "bullet": ParagraphStyle("bullet", parent=base, alignment=TA_LEFT, spaceAfter=2),
    }


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def inline_markup(text: str) -> str:
    """Escaped text with ``**bold**`` as <b> (safe for reportlab and for HTML)."""
    return _BOLD.sub(r"<b>\1</b>", escape(text.strip()))


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@dataclass(frozen=True)
class Block:
    """One block of the markup: ``h1``/``h2`` (with their ``number``), ``p``, ``ul`` (``items``)
    or ``table`` (``rows``, the first one the header). Texts are inline markup, not escaped."""

    kind: str
    text: str = ""
    number: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def html(self) -> str:
        """The text as safe inline HTML (escaped, with bold)."""
        return inline_markup(self.text)


def markup_blocks(body: str) -> list[Block]:
    """The blocks of a rendered template, sections and clauses numbered."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    bullets: list[str] = []
    rows: list[tuple[str, ...]] = []
    section = clause = 0

    def flush() -> None:
        if paragraph:
            blocks.append(Block("p", " ".join(paragraph)))
            paragraph.clear()
        if bullets:
            blocks.append(Block("ul", items=tuple(bullets)))
            bullets.clear()
        if rows:
            width = max(len(row) for row in rows)
            blocks.append(
                Block("table", rows=tuple(row + ("",) * (width - len(row)) for row in rows))
            )
            rows.clear()

    for raw in body.splitlines():
        stripped = raw.strip()
        if stripped.startswith("## "):
            kind = "h2"
        elif stripped.startswith("# "):
            kind = "h1"
        elif stripped.startswith(("- ", "* ")):
            kind = "bullet"
        elif stripped.startswith("|"):
            kind = "row"
        elif not stripped:
            kind = "blank"
        else:
            kind = "text"
        if (
            (kind != "text" and paragraph)
            or (kind != "bullet" and bullets)
            or (kind != "row" and rows)
        ):
            flush()
        if kind == "h1":
            section, clause = section + 1, 0
            blocks.append(Block("h1", stripped[2:].strip(), f"{section}."))
        elif kind == "h2":
            clause += 1
            blocks.append(
                Block(
                    "h2", stripped[3:].strip(), f"{section}.{clause}." if section else f"{clause}."
                )
            )
        elif kind == "bullet":
            bullets.append(stripped[2:])
        elif kind == "row":
            if not re.fullmatch(r"\|[\s:|-]*", stripped):
                rows.append(tuple(_cells(stripped)))
        elif kind == "text":
            paragraph.append(stripped)
    flush()
    return blocks


def body_flowables(body: str) -> list[Flowable]:
    """The markup of a rendered template as platypus flowables."""
    styles = _styles()
    story: list[Flowable] = []
    for block in markup_blocks(body):
        if block.kind in ("h1", "h2"):
            story.append(
                Paragraph(f"{block.number} {inline_markup(block.text)}", styles[block.kind])
            )
        elif block.kind == "p":
            story.append(Paragraph(inline_markup(block.text), styles["body"]))
        elif block.kind == "ul":
            story.append(
                ListFlowable(
                    [
                        ListItem(Paragraph(inline_markup(item), styles["bullet"]))
                        for item in block.items
                    ],
                    bulletType="bullet",
                    start="•",
                    leftIndent=12,
                    bulletFontName=FONT,
                )
            )
        elif block.kind == "table":
            width = len(block.rows[0])
            data = [
                [
                    Paragraph(inline_markup(cell), styles["head" if i == 0 else "cell"])
                    for cell in row
                ]
                for i, row in enumerate(block.rows)
            ]
            table = Table(data, repeatRows=1, hAlign="LEFT", colWidths=[170 * mm / width] * width)
            table.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                )
            )
            story.extend([table, Spacer(1, 6)])
    return story


def _canvas_class(data: PdfInput):
    """A canvas that writes "page X of Y", the document id and the verification code once the
    page count is known, and dates the file from the input rather than the clock."""
    stamp = data.created_at.astimezone(dt.UTC)
    labels = {
        "page": "Page {page} of {pages}",
        "document": "Document",
        "verification": "Verification code",
        **data.labels,
    }

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            kwargs["lang"] = data.language
            super().__init__(*args, **kwargs)
            self._doc.setDateFormatter(lambda *_ignored: stamp.strftime("D:%Y%m%d%H%M%S+00'00'"))
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = A4
            self.saveState()
            self.setStrokeColor(ACCENT)
            self.setLineWidth(0.6)
            if data.header:
                self.setFont(FONT_BOLD, 10)
                self.setFillColor(ACCENT)
                self.drawString(20 * mm, height - 14 * mm, data.header[0])
                self.setFont(FONT, 8)
                self.setFillColor(colors.grey)
                for i, line in enumerate(data.header[1:], start=1):
                    self.drawString(20 * mm, height - 14 * mm - i * 10, line)
                self.line(20 * mm, height - 20 * mm, width - 20 * mm, height - 20 * mm)
            self.line(20 * mm, 16 * mm, width - 20 * mm, 16 * mm)
            self.setFont(FONT, 7.5)
            self.setFillColor(colors.black)
            page = labels["page"].format(page=self._pageNumber, pages=total)
            self.drawString(
                20 * mm,
                11 * mm,
                f"{labels['document']} {data.document_id} · "
                f"{labels['verification']} {data.verification_code}",
            )
            self.drawRightString(width - 20 * mm, 11 * mm, page)
            self.restoreState()

    return FooterCanvas


def render_pdf(data: PdfInput) -> bytes:
    """The PDF of ``data``: A4, the city's header on every page, the title, the numbered body and
    a footer with the page count, the document's id and its verification code."""
    _register_fonts()
    styles = _styles()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=26 * mm,
        bottomMargin=22 * mm,
        title=data.title,
        author=data.author,
        subject=data.subject,
        creator="OpenCPI",
        producer="OpenCPI",
        lang=data.language,
        invariant=1,
    )
    story: list[Flowable] = [
        KeepTogether(
            [
                Paragraph(inline_markup(data.title), styles["title"]),
                Paragraph(inline_markup(data.subject), styles["subtitle"]),
            ]
        ),
        *body_flowables(data.body),
    ]
    if data.stamp_room:
        # Whatever follows the body on its page is left empty; a spacer that does not fit starts
        # a new page, so the stamp never covers text.
        story.append(Spacer(1, STAMP_ROOM))
    document.build(story, canvasmaker=_canvas_class(data))
    return buffer.getvalue()

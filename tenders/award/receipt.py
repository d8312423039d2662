"""The bidder's receipt (justificante de presentación): when the bid was submitted and the
SHA-256 of each sealed envelope and each sealed file, as a PDF the bidder keeps.

Made here with reportlab rather than by the legal-documents renderer: the award area may not
import ``documents`` (the import contracts in ``pyproject.toml``), and a receipt has no
template a city edits.
"""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from procurement.core.formatting import money
from tenders.award.models import Bid


def bid_receipt_pdf(bid: Bid, summary: dict) -> bytes:
    """The receipt of a submitted ``bid`` whose ``summary`` is ``bid_summary_build(bid)``."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    mono = styles["Code"].clone("mono", fontSize=7, leading=9)
    tender = bid.tender
    when = timezone.localtime(bid.submitted_at, tender.city.zone)
    story = [
        Paragraph(escape(_("Receipt of bid submission")), styles["Title"]),
        Paragraph(escape(f"{tender.title} — {tender.city}"), styles["Heading2"]),
        Paragraph(
            escape(
                _("Bidder: %(supplier)s · Lot %(lot)s: %(title)s · budget %(budget)s without VAT")
                % {
                    "supplier": bid.supplier.name,
                    "lot": bid.lot.number,
                    "title": bid.lot.title,
                    "budget": money(bid.lot.value, tender.currency or "EUR"),
                }
            ),
            styles["BodyText"],
        ),
        Paragraph(
            escape(
                _("Submitted at %(when)s (%(zone)s), server time.")
                % {"when": when.strftime("%d/%m/%Y %H:%M:%S"), "zone": when.tzname()}
            ),
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(escape(_("SHA-256 of each sealed envelope")), styles["Heading3"]),
    ]
    envelopes = [[_("Envelope"), "SHA-256"]] + [
        [letter.upper(), Paragraph(summary["digests"][letter], mono)] for letter in "abc"
    ]
    story.append(_table(envelopes, [25 * mm, 145 * mm]))
    story += [Spacer(1, 4 * mm), Paragraph(escape(_("Sealed files")), styles["Heading3"])]
    if summary["files"]:
        rows = [[_("Envelope"), _("File"), _("Bytes"), "SHA-256"]] + [
            [
                item["envelope"].upper(),
                Paragraph(escape(item["name"]), small),
                str(item["size"]),
                Paragraph(item["sha256"], mono),
            ]
            for item in summary["files"]
        ]
        story.append(_table(rows, [18 * mm, 50 * mm, 17 * mm, 85 * mm]))
    else:
        story.append(Paragraph(escape(_("No files.")), small))
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            escape(
                _(
                    "The envelopes and files are encrypted and stay unreadable, the city included, "
                    "until their opening (LCSP arts. 139.2 and 157). Keep this receipt: a file "
                    "whose SHA-256 matches the one above is the file that was sealed."
                )
            ),
            small,
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Receipt of bid submission"),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        invariant=1,
    ).build(story)
    return buffer.getvalue()


def _table(rows, widths) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table

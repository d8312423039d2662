"""Exports of a consultation's responses for the owning city: CSV and XLSX, one row per answer.

They include confidential answers, marked as such: only officers and the legal team of the
owning city can download them.
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from tenders.consultation.models import Consultation, Response


def _rows(consultation: Consultation, responses) -> list[list]:
    rows = []
    for response in responses:
        by_question = {a.question_id: a for a in response.answers.all()}
        files: dict[int | None, list[str]] = {}
        for attachment in response.attachments.all():
            files.setdefault(attachment.question_id, []).append(attachment.name)
        for question in consultation.questions.all():
            answer = by_question.get(question.pk)
            value = answer.value if answer else None
            if isinstance(value, list):
                value = "; ".join(value)
            rows.append(
                [
                    response.supplier.name,
                    response.supplier.tax_id,
                    response.submitted_at.isoformat() if response.submitted_at else "",
                    question.order,
                    question.text,
                    "" if value is None else str(value),
                    ", ".join(files.get(question.pk, [])),
                    _("yes") if answer and answer.confidential else _("no"),
                ]
            )
    return rows


def _header() -> list[str]:
    return [
        _("Supplier"),
        _("Tax id"),
        _("Submitted"),
        _("No."),
        _("Question"),
        _("Answer"),
        _("Files"),
        _("Confidential"),
    ]


def _safe_cell(value):
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def responses_csv(consultation: Consultation, responses: list[Response]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    for row in _rows(consultation, responses):
        writer.writerow([_safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def responses_xlsx(consultation: Consultation, responses: list[Response]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Responses")[:31]
    sheet.append(_header())
    for row in _rows(consultation, responses):
        sheet.append([_safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Exports of a consultation's responses for the owning city: CSV and XLSX, one row per answer.

They include confidential answers, marked as such: only officers and the legal team of the
owning city can download them.

Both are written for the spreadsheets of the reader's language: times in the city's time zone;
in Spanish the CSV separates cells with ``;`` and writes numbers with the decimal comma (Excel
and LibreOffice in Spanish read it so). The XLSX carries real dates and numbers (cell types),
which every spreadsheet shows in its own locale.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from procurement.core.formatting import city_datetime_plain, number, spreadsheet_csv_options
from tenders.consultation.models import Consultation, Question, Response
from tenders.process.common import parse_amount


def _typed(question: Question, value) -> object:
    """An answer as the value a spreadsheet cell holds: numbers as numbers, lists joined."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if question.kind == Question.Kind.NUMBER:
        try:
            return parse_amount(str(value))
        except ValueError:
            return str(value)
    return str(value)


def _rows(consultation: Consultation, responses) -> list[list]:
    """The rows with typed cells: a local (naive) date-time, numbers as ``Decimal``."""
    zone = consultation.tender.city.zone
    rows = []
    for response in responses:
        by_question = {a.question_id: a for a in response.answers.all()}
        files: dict[int | None, list[str]] = {}
        for attachment in response.attachments.all():
            files.setdefault(attachment.question_id, []).append(attachment.name)
        submitted = (
            timezone.localtime(response.submitted_at, zone).replace(tzinfo=None)
            if response.submitted_at
            else ""
        )
        for question in consultation.questions.all():
            answer = by_question.get(question.pk)
            rows.append(
                [
                    response.supplier.name,
                    response.supplier.tax_id,
                    submitted,
                    question.order,
                    question.text,
                    _typed(question, answer.value if answer else None),
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


def _csv_text(value) -> str:
    if isinstance(value, dt.datetime):
        return city_datetime_plain(value)
    if isinstance(value, Decimal):
        return number(value)
    return str(value)


def responses_csv(consultation: Consultation, responses: list[Response]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, **spreadsheet_csv_options())
    writer.writerow(_header())
    for row in _rows(consultation, responses):
        writer.writerow([_csv_text(_safe_cell(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def responses_xlsx(consultation: Consultation, responses: list[Response]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Responses")[:31]
    sheet.append(_header())
    for row in _rows(consultation, responses):
        sheet.append([_safe_cell(v) for v in row])
    for (cell,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        if isinstance(cell.value, dt.datetime):
            cell.number_format = "dd/mm/yyyy hh:mm"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

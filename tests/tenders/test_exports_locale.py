"""Exports of a consultation's responses open well in a Spanish spreadsheet: ``;`` between
cells, local times, the decimal comma; the XLSX has real dates and numbers (#19)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tenders.models import Answer, Response

# The demo processes are seeded once for the module (tests/conftest.py module_world).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("module_demo_processes")]


@pytest.fixture
def answered(open_consultation):
    """The demo's open consultation with a number question answered ``1000.50`` by Acme."""
    from tenders.consultation.models import Question

    consultation = open_consultation
    question = Question.objects.create(
        consultation=consultation,
        order=consultation.questions.count() + 1,
        text="Precio por unidad",
        kind=Question.Kind.NUMBER,
    )
    response = Response.objects.filter(
        consultation=consultation, submitted_at__isnull=False
    ).first()
    Answer.objects.create(response=response, question=question, value="1000.50")
    return consultation, response


def _csv(client, consultation, language):
    body = client.get(
        f"/consultations/{consultation.pk}/export.csv", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode("utf-8-sig")
    return body


def test_the_spanish_csv_uses_semicolons_local_times_and_the_decimal_comma(answered, login):
    consultation, response = answered
    client = login("officer.logrono")
    client.cookies.load({"django_language": "es"})
    text = _csv(client, consultation, "es")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows[0]) == 8
    line = next(row for row in rows if row[4] == "Precio por unidad")
    assert line[5] == "1.000,50"
    local = timezone.localtime(response.submitted_at, consultation.tender.city.zone)
    assert line[2] == local.strftime("%d/%m/%Y %H:%M")
    assert "+00:00" not in text


def test_the_english_csv_keeps_commas_and_the_decimal_point(answered, login):
    consultation, _response = answered
    client = login("officer.logrono")
    client.cookies.load({"django_language": "en"})
    rows = list(csv.reader(io.StringIO(_csv(client, consultation, "en"))))
    line = next(row for row in rows if row[4] == "Precio por unidad")
    assert line[5] == "1,000.50"


def test_the_xlsx_has_real_dates_and_numbers(answered, login):
    consultation, response = answered
    client = login("officer.logrono")
    book = load_workbook(
        io.BytesIO(client.get(f"/consultations/{consultation.pk}/export.xlsx").content)
    )
    rows = list(book.active.iter_rows(min_row=2))
    line = next(row for row in rows if row[4].value == "Precio por unidad")
    assert line[5].data_type == "n" and Decimal(str(line[5].value)) == Decimal("1000.5")
    assert isinstance(line[2].value, dt.datetime)
    local = timezone.localtime(response.submitted_at, consultation.tender.city.zone)
    assert line[2].value == local.replace(tzinfo=None, microsecond=line[2].value.microsecond)

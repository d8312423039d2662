import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def library(demo):
    """The demo parties plus the RECI default library approved by Logroño and Terrassa."""
    from documents import demo as documents_demo

    documents_demo.seed()
    return demo


@pytest.fixture
def consultation_process(demo):
    """A Logroño process with a drafted market consultation, ready to publish."""
    from tenders.consultation.services import consultation_save
    from tests.factories.tenders import make_tender

    tender = make_tender(
        city=demo.city("logrono"),
        state="consultation_draft",
        title="Sensores de calidad del aire en colegios",
    )
    now = timezone.now()
    consultation_save(
        actor=demo.user("officer.logrono"),
        tender=tender,
        subject="Medir la calidad del aire en las aulas",
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        advisers=[{"name": "Dra. Elena Ruiz", "reason": "Experta en calidad del aire"}],
    )
    return tender


def pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)

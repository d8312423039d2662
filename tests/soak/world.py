"""The soak's data, made inside the application (``python -c`` after ``django.setup()``):
consultations falling due one a minute, processes to add criteria to, and, after the run, the
figures read back from the database."""

import datetime as dt
import json

from django.db.models import Count
from django.utils import timezone


def build(minutes: int) -> None:
    """Print, as JSON, the ids the load needs. The demo is seeded already."""
    from procurement.accounts.models import City, User
    from tenders.consultation.services import consultation_save, question_save
    from tenders.models import Consultation
    from tests.factories.tenders import make_tender
    from workflows.services import transition_perform

    officer = User.objects.get(username="officer.logrono")
    city = City.objects.get(slug="logrono")
    now = timezone.now()
    due = []
    # One consultation opens each minute of the run (and a few after it): beat's scheduler
    # fires them, and each opening has its effects (notice document, open data, e-mails).
    for minute in range(1, minutes + 3):
        tender = make_tender(city=city, state="consultation_draft", title=f"Soak {minute}")
        consultation = consultation_save(
            actor=officer,
            tender=tender,
            subject=f"Soak consultation {minute}",
            opens_at=now + dt.timedelta(minutes=minute),
            closes_at=now + dt.timedelta(days=30),
        )
        question_save(
            actor=officer, consultation=consultation, text="Your solution?", required=True
        )
        transition_perform(process=tender, name="publish_consultation", actor=officer)
        due.append({"id": consultation.pk, "opens_in": minute * 60})
    chosen = [
        make_tender(city=city, state="procedure_chosen", title=f"Criteria {n}").pk for n in range(5)
    ]
    demo_open = Consultation.objects.get(tender__status="consultation_open", tender__city=city)
    print(
        json.dumps(
            {
                "due": due,
                "chosen": chosen,
                "open": demo_open.pk,
                "documents_tender": demo_open.tender_id,
            }
        )
    )


def figures() -> None:
    """Print, as JSON, what is still pending and what was done more than once."""
    from documents.models import GeneratedDocument
    from procurement.core.models import AuditEntry, OutboundEmail
    from publication.models import OcdsRelease
    from tenders.models import Consultation
    from workflows.models import PendingEffect

    now = timezone.now()
    generated_twice = (
        AuditEntry.objects.filter(name="document_generate")
        .values("object_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    same_number = (
        GeneratedDocument.objects.values("tender_id", "kind", "language", "number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    releases_twice = (
        OcdsRelease.objects.values("tender_id", "audit_entry_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    print(
        json.dumps(
            {
                "pending_effects": PendingEffect.objects.filter(dispatched_at__isnull=True).count(),
                "pending_documents": GeneratedDocument.objects.filter(status="pending").count(),
                "failed_documents": GeneratedDocument.objects.filter(status="failed").count(),
                "documents": GeneratedDocument.objects.count(),
                "unsent_emails": OutboundEmail.objects.filter(sent_at__isnull=True).count(),
                "sent_emails": OutboundEmail.objects.filter(sent_at__isnull=False).count(),
                "releases": OcdsRelease.objects.count(),
                "due_not_open": Consultation.objects.filter(
                    opens_at__lte=now - dt.timedelta(seconds=90),
                    tender__status="consultation_announced",
                ).count(),
                "documents_generated_twice": generated_twice,
                "documents_same_number": same_number,
                "releases_twice": releases_twice,
            }
        )
    )

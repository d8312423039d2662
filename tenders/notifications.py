"""E-mails to suppliers about consultations. Each goes out once: the e-mail key says to whom
and about what, so a retried task or a second beat sends nothing twice."""

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement.core.mail import email_queue
from tenders.consultation.subscriptions import subscriptions_matching, supplier_addresses
from tenders.models import Consultation, Response, SupplierSubscription
from tenders.procedures import S

REMIND_BEFORE = dt.timedelta(days=3)


def _when(consultation: Consultation) -> str:
    local = timezone.localtime(consultation.closes_at, consultation.tender.city.zone)
    return local.strftime("%d/%m/%Y %H:%M %Z")


def consultation_opened_notify(*, tender_id: int) -> int:
    consultation = (
        Consultation.objects.select_related("tender__city").filter(tender_id=tender_id).first()
    )
    if consultation is None:
        return 0
    sent = 0
    with translation.override(consultation.tender.city.language):
        subject = _("Market consultation open: %(subject)s") % {"subject": consultation.subject}
        body = _(
            "%(city)s opened the preliminary market consultation “%(subject)s”. "
            "Answers are accepted until %(when)s.\n\nOpen consultations: /consultations/%(id)s/\n"
        ) % {
            "city": consultation.tender.city,
            "subject": consultation.subject,
            "when": _when(consultation),
            "id": consultation.pk,
        }
    for subscription in subscriptions_matching(consultation):
        queued = email_queue(
            key=f"consultation:{consultation.pk}:opened:{subscription.supplier_id}",
            to=supplier_addresses(subscription.supplier, subscription),
            subject=subject,
            body=body,
        )
        sent += queued is not None
    return sent


def consultations_closing_remind(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    closing = Consultation.objects.select_related("tender__city").filter(
        tender__status=S.CONSULTATION_OPEN, closes_at__gt=now, closes_at__lte=now + REMIND_BEFORE
    )
    sent = 0
    for consultation in closing:
        with translation.override(consultation.tender.city.language):
            subject = _("Closes in 3 days: %(subject)s") % {"subject": consultation.subject}
            body = _(
                "The market consultation “%(subject)s” of %(city)s closes at %(when)s. "
                "Drafts not submitted by then are not received.\n"
            ) % {
                "subject": consultation.subject,
                "city": consultation.tender.city,
                "when": _when(consultation),
            }
        recipients: dict[int, SupplierSubscription | None] = {
            s.supplier_id: s for s in subscriptions_matching(consultation)
        }
        answering = Response.objects.filter(consultation=consultation).select_related("supplier")
        for response in answering:
            recipients.setdefault(response.supplier_id, None)
        from procurement.accounts.models import Supplier

        suppliers = Supplier.objects.in_bulk(list(recipients))
        for supplier_id, subscription in recipients.items():
            queued = email_queue(
                key=f"consultation:{consultation.pk}:closing:{supplier_id}",
                to=supplier_addresses(suppliers[supplier_id], subscription),
                subject=subject,
                body=body,
            )
            sent += queued is not None
    return sent

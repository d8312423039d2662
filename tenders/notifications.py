"""E-mails and in-app messages to suppliers about consultations and tenders that match their
alerts. Each goes out once: the key says to whom and about what, so a retried task or a second
beat sends nothing twice."""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement.core.inapp import inapp_send
from procurement.core.mail import email_queue
from tenders.consultation.subscriptions import (
    subscriptions_for_process,
    subscriptions_matching,
    supplier_addresses,
    supplier_representative_ids,
)
from tenders.models import Consultation, Response, SupplierSubscription, Tender
from tenders.procedures import S

REMIND_BEFORE = dt.timedelta(days=3)


def _absolute(path: str) -> str:
    """A link an e-mail can carry: the site's public address and ``path``."""
    return f"{settings.OPENCPI_PUBLIC_URL}{path}"


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
    link = reverse("consultation-detail", args=[consultation.pk])
    with translation.override(consultation.tender.city.language):
        subject = _("Market consultation open: %(subject)s") % {"subject": consultation.subject}
        body = _(
            "%(city)s opened the preliminary market consultation “%(subject)s”. "
            "Answers are accepted until %(when)s.\n\nRead it and answer: %(url)s\n"
        ) % {
            "city": consultation.tender.city,
            "subject": consultation.subject,
            "when": _when(consultation),
            "url": _absolute(link),
        }
    subscriptions = list(subscriptions_matching(consultation))
    users = supplier_representative_ids(s.supplier_id for s in subscriptions)
    for subscription in subscriptions:
        key = f"consultation:{consultation.pk}:opened:{subscription.supplier_id}"
        queued = email_queue(
            key=key,
            to=supplier_addresses(subscription.supplier, subscription),
            subject=subject,
            body=body,
        )
        inapp_send(
            key=key,
            users=users.get(subscription.supplier_id, []),
            subject=subject,
            body=body,
            link=link,
        )
        sent += queued is not None
    return sent


def tender_published_notify(*, tender_id: int) -> int:
    """Tell the suppliers whose alerts (CPV codes, cities) match a process that its tender
    notice is published, whatever the procedure (the CPTI tender, the PCP call, the partnership
    notice), and where its pliegos are: an e-mail and an in-app message each, once (the only
    message of the publication: the pliegos' own is gone). Returns the e-mails queued."""
    tender = Tender.objects.select_related("city").filter(pk=tender_id).first()
    if tender is None or tender.first_published_at is None:
        return 0
    link = reverse("tender-detail", args=[tender.pk])
    with translation.override(tender.city.language):
        subject = _("New call matching your alerts: %(title)s") % {"title": tender.title}
        body = _(
            "%(city)s published “%(title)s” (%(procedure)s).%(deadline)s\n\n"
            "Its notice and pliegos are free to read and download, without registering, at "
            "%(portal)s (LCSP art. 138.1).\nTake part from its page: %(url)s\n"
        ) % {
            "city": tender.city,
            "title": tender.title,
            "procedure": tender.get_procedure_display(),
            "deadline": (
                " "
                + _("Submissions until %(when)s.")
                % {
                    "when": timezone.localtime(
                        tender.submission_deadline, tender.city.zone
                    ).strftime("%d/%m/%Y %H:%M %Z")
                }
                if tender.submission_deadline
                else ""
            ),
            "portal": _absolute(reverse("portal:process", args=[tender.pk])),
            "url": _absolute(link),
        }
    subscriptions = list(subscriptions_for_process(tender))
    users = supplier_representative_ids(s.supplier_id for s in subscriptions)
    sent = 0
    for subscription in subscriptions:
        key = f"tender:{tender.pk}:published:{subscription.supplier_id}"
        queued = email_queue(
            key=key,
            to=supplier_addresses(subscription.supplier, subscription),
            subject=subject,
            body=body,
        )
        inapp_send(
            key=key,
            users=users.get(subscription.supplier_id, []),
            subject=subject,
            body=body,
            link=link,
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
        users = supplier_representative_ids(recipients)
        link = reverse("consultation-detail", args=[consultation.pk])
        for supplier_id, subscription in recipients.items():
            key = f"consultation:{consultation.pk}:closing:{supplier_id}"
            queued = email_queue(
                key=key,
                to=supplier_addresses(suppliers[supplier_id], subscription),
                subject=subject,
                body=body,
            )
            inapp_send(
                key=key, users=users.get(supplier_id, []), subject=subject, body=body, link=link
            )
            sent += queued is not None
    return sent

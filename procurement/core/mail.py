"""E-mail that goes out once, after commit, through Celery."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from procurement.core.models import OutboundEmail


def email_queue(*, key: str, to: list[str], subject: str, body: str) -> OutboundEmail | None:
    """Queue an e-mail under ``key``; queueing the same key again does nothing.

    The send starts after the surrounding transaction commits.
    """
    recipients = sorted({address for address in to if address})
    if not recipients:
        return None
    email, created = OutboundEmail.objects.get_or_create(
        key=key, defaults={"to": recipients, "subject": subject[:300], "body": body}
    )
    if created:
        from procurement.core.tasks import email_send_task

        # robust: a broker that is down must not fail the request; email_relay sends it later.
        transaction.on_commit(lambda: email_send_task.delay(email.pk), robust=True)
    return email


def email_send(*, email_id: int) -> bool:
    """Send a queued e-mail unless it was sent already; returns whether it sent now."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at is not None:
            return False
        send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, email.to)
        email.sent_at = timezone.now()
        email.save(update_fields=["sent_at"])
    return True


def email_relay(*, older_than_seconds: int = 60) -> int:
    """Queue again the e-mails still unsent a while after they were queued (broker outage)."""
    from datetime import timedelta

    from procurement.core.tasks import email_send_task

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        OutboundEmail.objects.filter(sent_at__isnull=True, created_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        email_send_task.delay(pk)
    return len(ids)

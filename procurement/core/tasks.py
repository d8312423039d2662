from celery import shared_task

from procurement.core.mail import email_send


@shared_task(
    name="core.email_send",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
)
def email_send_task(email_id: int) -> bool:
    return email_send(email_id=email_id)


@shared_task(name="core.email_relay", ignore_result=True)
def email_relay_task() -> int:
    """Run every minute by beat: resend what a broker outage kept from going out."""
    from procurement.core.mail import email_relay

    return email_relay()


_WORKER_STARTED = None


@shared_task(name="core.heartbeat", ignore_result=True)
def heartbeat_task() -> None:
    """Sent by beat every 30 s: records that a worker took a message and ran it."""
    from django.utils import timezone

    from procurement.core.heartbeat import heartbeat_record

    # When this worker process first beat: kept for its life.
    global _WORKER_STARTED
    if _WORKER_STARTED is None:
        _WORKER_STARTED = timezone.now()
    heartbeat_record(name="worker", since=_WORKER_STARTED)

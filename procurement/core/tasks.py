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


@shared_task(name="core.broker_sweep", ignore_result=True)
def broker_sweep_task() -> int:
    """Hourly, with the embedded broker: delete the messages already delivered, which kombu's
    SQLAlchemy transport keeps (hidden) for ever."""
    import sqlite3
    from contextlib import closing

    from django.conf import settings

    if not settings.BROKER_EMBEDDED:
        return 0
    with closing(
        sqlite3.connect(settings.EMBEDDED_BROKER_FILE, timeout=settings.SQLITE_BUSY_SECONDS)
    ) as database:
        try:
            with database:
                return database.execute("DELETE FROM kombu_message WHERE visible = 0").rowcount
        except sqlite3.OperationalError:  # no table yet: nothing was ever sent
            return 0

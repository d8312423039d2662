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

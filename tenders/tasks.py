from celery import shared_task
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from procurement.accounts.models import Membership
from procurement.core.inapp import inapp_send
from procurement.core.mail import email_queue
from procurement.core.models import AuditEntry
from tenders.models import Tender
from tenders.procedures import STATE_BY_NAME


@shared_task(name="tenders.transition_notify", ignore_result=True)
def transition_notify_task(audit_entry_id: int) -> None:
    """E-mail the officers of the process's city about an automatic transition (once)."""
    entry = AuditEntry.objects.filter(pk=audit_entry_id).first()
    if entry is None:
        return
    tender = Tender.objects.select_related("city").filter(pk=entry.object_id).first()
    if tender is None:
        return
    officers = Membership.objects.filter(city=tender.city, role=Membership.Role.OFFICER)
    addresses = list(officers.values_list("user__email", flat=True))
    with translation.override(tender.city.language):
        state = STATE_BY_NAME[entry.to_state].label
        subject = _("%(title)s: %(state)s") % {"title": tender.title, "state": state}
        body = _(
            "The process “%(title)s” of %(city)s is now “%(state)s”: its deadline fell due.\n"
        ) % {"title": tender.title, "city": tender.city, "state": state}
    key = f"transition:{audit_entry_id}:officers"
    email_queue(key=key, to=addresses, subject=subject, body=body)
    inapp_send(
        key=key,
        users=officers.values_list("user_id", flat=True),
        subject=subject,
        body=body,
        link=reverse("tender-detail", args=[tender.pk]),
    )


@shared_task(name="tenders.consultation_opened_notify", ignore_result=True)
def consultation_opened_notify_task(tender_id: int) -> int:
    """Tell subscribed suppliers that a consultation matching them opened (once each)."""
    from tenders.notifications import consultation_opened_notify

    return consultation_opened_notify(tender_id=tender_id)


@shared_task(name="tenders.tender_published_notify", ignore_result=True)
def tender_published_notify_task(tender_id: int) -> int:
    """Tell subscribed suppliers that a call matching their alerts is published (once each)."""
    from tenders.notifications import tender_published_notify

    return tender_published_notify(tender_id=tender_id)


@shared_task(name="tenders.consultations_closing_remind", ignore_result=True)
def consultations_closing_remind_task() -> int:
    """Run hourly by beat: remind suppliers 3 days before a consultation closes (once each)."""
    from tenders.notifications import consultations_closing_remind

    return consultations_closing_remind()


@shared_task(name="tenders.bid_signatures_check", ignore_result=True)
def bid_signatures_check_task(tender_id: int) -> int:
    """Validate the signatures of the files of the envelopes just opened (once each)."""
    from tenders.award.services.bid_files import bid_files_signatures_check

    return bid_files_signatures_check(tender_id=tender_id)

"""Writes on CPI processes. Status changes go through ``workflows.services.transition_perform``."""

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.accounts.models import City, Membership, User
from procurement.accounts.permissions import grant_to_roles
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from procurement.core.inapp import inapp_send
from procurement.core.mail import email_queue
from procurement.core.models import AuditEntry
from tenders.procedures import PROCEDURE_CHOICES, Edit, is_editable
from tenders.process.common import clean_cpv_codes, clean_money
from tenders.process.models import Notification, Tender
from tenders.process.ports import award_area

# What each city role holds on the city's processes (object permissions, never global).
TENDER_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Membership.Role.OFFICER: (
        "tenders.view_tender",
        "tenders.change_tender",
        "tenders.act_officer",
        "tenders.view_consultation_responses",
    ),
    Membership.Role.LEGAL: (
        "tenders.view_tender",
        "tenders.act_legal",
        "tenders.view_consultation_responses",
    ),
    # Committee members act only on the processes they are assigned to (committee_assign).
    Membership.Role.COMMITTEE: ("tenders.view_tender",),
    Membership.Role.ADMIN: ("tenders.view_tender",),
}


@transaction.atomic
def tender_create(
    *,
    actor: User,
    city: City,
    title: str,
    description: str,
    procedure: str,
    estimated_value,
    currency: str | None = None,
    cpv_codes=(),
    now: dt.datetime | None = None,
) -> Tender:
    """An officer of ``city`` records a need; it starts in ``need_draft``.

    ``now`` (default: the present) is when it was recorded: a seed that moves the process
    through past steps creates it before the first of them, so its history reads in order."""
    if (
        not actor.is_superuser
        and not Membership.objects.filter(
            user=actor, city=city, role=Membership.Role.OFFICER
        ).exists()
    ):
        raise PermissionDenied(
            _("Only procurement officers of %(city)s may create its processes.") % {"city": city}
        )
    if procedure not in dict(PROCEDURE_CHOICES):
        raise ApplicationError(
            _("Unknown procedure “%(value)s”: use one of %(choices)s.")
            % {"value": procedure, "choices": ", ".join(dict(PROCEDURE_CHOICES))},
            extra={"field": "procedure"},
        )
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise ApplicationError(
            _("Give a title of at most 300 characters."), extra={"field": "title"}
        )
    currency = (currency or city.currency).upper()
    if currency != city.currency:
        raise ApplicationError(
            _("%(city)s works in %(currency)s.") % {"city": city, "currency": city.currency},
            extra={"field": "currency"},
        )
    tender = Tender.objects.create(
        city=city,
        title=title,
        description=(description or "").strip(),
        procedure=procedure,
        estimated_value=clean_money(estimated_value),
        currency=currency,
        cpv_codes=clean_cpv_codes(list(cpv_codes)),
        created_by=actor,
        created_at=now or timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=tender,
        name="tender_create",
        to_state=tender.status,
        at=tender.created_at,
    )
    grant_to_roles(
        obj=tender,
        organisation=city,
        perms_by_role=TENDER_PERMISSIONS,
        actor=actor,
        reason="process created",
        at=tender.created_at,
    )
    return tender


@transaction.atomic
def tender_update(*, actor: User, tender: Tender, **changes) -> Tender:
    """Edit the need and specifications while the file is not yet approved."""
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    if not actor.has_perm("tenders.view_tender", locked):
        raise NotFound(_("Process not found."))
    if not actor.has_perm("tenders.change_tender", locked):
        raise PermissionDenied(
            _("Only procurement officers of %(city)s may edit this process.")
            % {"city": locked.city}
        )
    if not is_editable(locked, Edit.SPECS):
        raise Conflict(
            _("The specifications are frozen once the file is approved (LCSP art. 122.1).")
        )
    allowed = {"title", "description", "estimated_value", "cpv_codes", "functional_specifications"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if "estimated_value" in changes:
        changes["estimated_value"] = clean_money(changes["estimated_value"])
    if "cpv_codes" in changes:
        changes["cpv_codes"] = clean_cpv_codes(changes["cpv_codes"])
    if "title" in changes and not str(changes["title"]).strip():
        raise ApplicationError(_("Give a title."), extra={"field": "title"})
    edited = {}
    for field, value in changes.items():
        old = getattr(locked, field)
        new = value.strip() if isinstance(value, str) else value
        setattr(locked, field, new)
        if old != new:
            edited[field] = [old, new]
    locked.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="tender_update",
        data={"fields": sorted(changes), "changes": edited},
    )
    return locked


# --- notifications to bidders, with evidence (LCSP DA 15ª–16ª; Ley 39/2015 arts. 41, 43) -----


def _notification_digest(
    *,
    tender: Tender,
    supplier_id: int,
    kind: str,
    subject: str,
    body: str,
    sender_name: str,
    sent_at,
) -> str:
    """SHA-256 of what was notified, to whom and by whom: the integrity DA 16ª.1.e asks for."""
    content = json.dumps(
        {
            "tender": tender.pk,
            "to": supplier_id,
            "kind": kind,
            "subject": subject,
            "body": body,
            "from": sender_name,
            "sent_at": sent_at.isoformat(),
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(content.encode()).hexdigest()


def notification_send(
    *,
    tender: Tender,
    supplier_id: int,
    kind: str,
    key: str,
    subject: str,
    body: str,
    sent_at: dt.datetime,
    sender: User | None = None,
    published_at: dt.datetime | None = None,
) -> Notification:
    """Make a notification available in the inbox of ``supplier_id`` and e-mail its *aviso*.

    ``published_at``: when the act was published on the contractor profile (the time of its
    public step), ``None`` when it is not public; it decides where periods start (DA 15ª.1).
    ``key`` makes it idempotent: a retried step finds the notification already made. Runs in the
    caller's transaction; the e-mail leaves after commit (``email_queue``)."""
    existing = Notification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    subject, body = str(subject)[:300], str(body)
    sender_name = (
        str(tender.city)
        if sender is None
        else f"{tender.city} ({sender.get_full_name() or sender.username})"
    )
    notification = Notification.objects.create(
        tender=tender,
        supplier_id=supplier_id,
        kind=kind,
        key=key,
        subject=subject,
        body=body,
        content_sha256=_notification_digest(
            tender=tender,
            supplier_id=supplier_id,
            kind=kind,
            subject=subject,
            body=body,
            sender_name=sender_name,
            sent_at=sent_at,
        ),
        sender=sender,
        sender_name=sender_name,
        sent_at=sent_at,
        perfil_published_at=published_at,
    )
    # No audit row of its own: the row above is the evidence (content hash, times, sender),
    # and the act notified has its own audit row. Most notifications are made inside a
    # transition, whose audit append must stay its last write (it holds the chain's lock).
    representatives = User.objects.filter(
        memberships__supplier_id=supplier_id,
        memberships__role=Membership.Role.REPRESENTATIVE,
    )
    addresses = list(representatives.exclude(email="").values_list("email", flat=True))
    # The e-mail is only the aviso (Ley 39/2015 art. 41.6): the notification is made in the
    # inbox, where opening it is recorded.
    aviso = _(
        "%(body)s\n\nThis is a notice: the notification is in your inbox on the platform, "
        "and periods run as LCSP DA 15ª says: %(url)s"
    ) % {"body": body, "url": reverse("inbox-detail", args=[notification.pk])}
    email_queue(key=key, to=addresses, subject=subject, body=aviso)
    # The header's unread count shows it too; opening the notification marks this read.
    inapp_send(
        key=key,
        users=representatives.values_list("pk", flat=True),
        subject=subject,
        body=_("A notification is waiting in your inbox: opening it is its receipt."),
        link=reverse("inbox-detail", args=[notification.pk]),
    )
    return notification


@transaction.atomic
def notification_open(
    *, actor: User, notification: Notification, now: dt.datetime | None = None
) -> Notification:
    """``actor`` opens a notification of its supplier: the first opening is its receipt
    (Ley 39/2015 art. 43.1) and is stamped once; later openings change nothing."""
    now = now or timezone.now()
    stamped = Notification.objects.filter(pk=notification.pk, accessed_at__isnull=True).update(
        accessed_at=now, accessed_by=actor, updated_at=now
    )
    notification.refresh_from_db()
    if stamped:
        # Before the audit row, the last write: the period the notification gave runs from now.
        period_ends = award_area().notification_periods_restart(notification=notification)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CHANGE,
            target=notification.tender,
            name="notification_accessed",
            reason=notification.subject,
            legal_basis="LCSP DA 15ª.1; Ley 39/2015 art. 43.1",
            data={
                "notification": notification.pk,
                "supplier": notification.supplier_id,
                "period_ends": period_ends.isoformat() if period_ends else None,
            },
            at=now,
        )
    return notification

"""Writes on special appeals: a bidder lodges one, an officer records the tribunal's resolution.

Periods (LCSP art. 50.1): 15 working days of the city's calendar, counted from the day after
the notice's publication for the notice and *pliegos*, and from the notification of the act
for an exclusion or the award, where the notification's start follows DA 15ª
(``Notification.period_start``). An appeal against the award suspends the process (art. 53):
the service fires the process's ``record_appeal`` step as the system, naming the appeal.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.accounts.models import Membership, Supplier, User
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from procurement.core.inapp import inapp_send
from procurement.core.mail import email_queue
from procurement.core.models import AuditEntry
from procurement.core.uploads import upload_check
from tenders.appeals.models import Appeal, AppealDocument
from tenders.procedures import MACHINE, Milestone, S, T, steps_marking
from tenders.procedures.guards import special_appeal_applies
from tenders.process.common import tender_lock_for_officer
from tenders.process.models import Notification, Tender
from tenders.process.services import notification_send
from workflows.calendars import WorkingCalendar
from workflows.guards import GuardContext
from workflows.services import transition_perform
from workflows.status import status_change

# LCSP art. 50.1: fifteen working days.
APPEAL_WORKING_DAYS = 15
MAX_FILES = 10
TENDER_NOTICES = steps_marking(Milestone.TENDER_NOTICE)
UPHOLDS = (T.UPHOLD_APPEAL, T.UPHOLD_PARTNERSHIP_APPEAL)
# The notification an appeal against each act runs from (LCSP art. 50.1.c–d and DA 15ª).
NOTIFIED_BY = {
    Appeal.Act.AWARD: Notification.Kind.AWARD,
    Appeal.Act.EXCLUSION: Notification.Kind.EXCLUSION,
}
OUTCOMES = {
    Appeal.Status.DISMISSED: "appeal_dismiss",
    Appeal.Status.UPHELD: "appeal_uphold",
    Appeal.Status.INADMISSIBLE: "appeal_inadmit",
}


def _appellant(actor: User) -> Supplier:
    membership = (
        Membership.objects.filter(user=actor, role=Membership.Role.REPRESENTATIVE)
        .select_related("supplier")
        .order_by("pk")
        .first()
    )
    if membership is None or membership.supplier is None:
        raise PermissionDenied(
            _("Only a supplier's representative may lodge a special appeal (LCSP art. 48).")
        )
    return membership.supplier


def _leaves(tender: Tender, name: str) -> bool:
    return any(t.name == name for t in MACHINE.transitions_from(tender.procedure, tender.status))


def _notice_published_at(tender: Tender) -> dt.datetime | None:
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Tender),
            object_id=str(tender.pk),
            action=AuditEntry.Action.TRANSITION,
            name__in=TENDER_NOTICES,
        )
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )


def appeal_period(
    *, tender: Tender, supplier: Supplier, act: str, now: dt.datetime
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Where the period to appeal ``act`` runs from and when it ends, for ``supplier``
    (LCSP art. 50.1; DA 15ª). ``(None, None)`` while a notification's period has not started
    (neither opened nor ten days old): the appeal is in time. Refuses an act with nothing to
    appeal yet."""
    calendar = WorkingCalendar(tender.city)
    if act == Appeal.Act.PLIEGOS:
        published = _notice_published_at(tender)
        if published is None:
            raise Conflict(
                _(
                    "The tender notice is not published: there are no pliegos to appeal yet (LCSP art. 50.1.a–b)."
                ),
                reasons=[_("No tender notice yet (LCSP art. 50.1.a–b).")],
            )
        return published, calendar.add_working_days(published, APPEAL_WORKING_DAYS)
    notification = (
        Notification.objects.filter(tender=tender, supplier=supplier, kind=NOTIFIED_BY[act])
        .select_related("tender__city")
        .order_by("-sent_at", "-pk")
        .first()
    )
    if notification is None:
        reason = (
            _("Only bidders notified of the award may appeal it (LCSP arts. 48 and 50.1.d).")
            if act == Appeal.Act.AWARD
            else _("Your offer was not excluded in this process (LCSP arts. 44.2.b and 50.1.c).")
        )
        raise Conflict(reason, reasons=[reason])
    start = notification.period_start(now=now)
    if start is None:
        return None, None
    return start, calendar.add_working_days(start, APPEAL_WORKING_DAYS)


def _checked(upload) -> tuple[str, str, str]:
    checked = upload_check(upload, field="files")
    return checked.content_type, checked.name, checked.sha256


def _store(appeal: Appeal, checked, part: str) -> list[AppealDocument]:
    """Store files already checked (``_checked``): a refusal comes before any is written."""
    stored = []
    for upload, content_type, name, sha256 in checked:
        document = AppealDocument(
            appeal=appeal,
            part=part,
            name=name,
            content_type=content_type,
            size=upload.size,
            sha256=sha256,
        )
        document.file.save(name, upload, save=False)
        document.save()
        stored.append(document)
    return stored


def _when(tender: Tender, moment: dt.datetime) -> str:
    return timezone.localtime(moment, tender.city.zone).strftime("%d/%m/%Y")


@transaction.atomic
def appeal_lodge(
    *,
    actor: User,
    tender: Tender,
    act: str,
    grounds: str,
    measures: str = "",
    uploads=(),
    now: dt.datetime | None = None,
) -> Appeal:
    """A supplier's representative lodges a special appeal against ``act`` of ``tender``.

    Refused where the special appeal does not apply (LCSP art. 44.1), outside its period
    (art. 50.1), against the *pliegos* by a supplier that already bid (art. 50.1, last
    paragraph), without grounds (art. 51.1) or with files the upload checks refuse. Against
    the award it suspends the process (art. 53)."""
    now = now or timezone.now()
    supplier = _appellant(actor)
    locked = Tender.objects.select_for_update().select_related("city").filter(pk=tender.pk).first()
    if locked is None or not locked.is_public:
        raise NotFound(_("Process not found."))
    if act not in Appeal.Act.values:
        raise ApplicationError(
            _("Choose the act you appeal: %(acts)s.") % {"acts": ", ".join(Appeal.Act.values)},
            extra={"field": "act"},
        )
    grounds = (grounds or "").strip()
    if len(grounds) < 20 or len(grounds) > 50000:
        raise ApplicationError(
            _("State the grounds of the appeal (20 to 50,000 characters; LCSP art. 51.1)."),
            extra={"field": "grounds"},
        )
    measures = (measures or "").strip()
    if len(measures) > 5000:
        raise ApplicationError(
            _("Describe the provisional measures sought in at most 5,000 characters."),
            extra={"field": "measures"},
        )
    uploads = list(uploads or [])
    if len(uploads) > MAX_FILES:
        raise ApplicationError(
            _("An appeal takes at most %(n)d files.") % {"n": MAX_FILES}, extra={"field": "files"}
        )
    checked = [(upload, *_checked(upload)) for upload in uploads]
    if not any(t.name == T.RECORD_APPEAL for t in MACHINE.procedures[locked.procedure].transitions):
        reason = _(
            "The special appeal does not apply to this procedure, excluded from the LCSP (LCSP arts. 8 and 44.1)."
        )
        raise Conflict(reason, reasons=[reason])
    reasons = [str(r) for r in special_appeal_applies(locked, GuardContext.for_process(locked))]
    if reasons:
        raise Conflict(reasons[0], reasons=reasons)
    if (
        act == Appeal.Act.PLIEGOS
        and locked.bids.filter(supplier=supplier, submitted_at__isnull=False).exists()
    ):
        reason = _(
            "A supplier that has bid accepted the pliegos and cannot appeal them, save for nullity (LCSP arts. 50.1 and 139.1)."
        )
        raise Conflict(reason, reasons=[reason])
    start, ends = appeal_period(tender=locked, supplier=supplier, act=act, now=now)
    if ends is not None and now > ends:
        reason = _(
            "The period to appeal ended on %(when)s: 15 working days from %(start)s (LCSP art. 50.1)."
        ) % {"when": _when(locked, ends), "start": _when(locked, start)}
        raise Conflict(reason, reasons=[reason])
    appeal = Appeal.objects.create(
        tender=locked,
        supplier=supplier,
        lodged_by=actor,
        act=act,
        grounds=grounds,
        measures=measures,
        lodged_at=now,
        period_start=start,
        period_ends_at=ends,
        # Every appeal against the award keeps the procedure suspended until it is resolved,
        # also one lodged while another already suspends it (LCSP art. 53).
        suspends=act == Appeal.Act.AWARD
        and (_leaves(locked, T.RECORD_APPEAL) or locked.status == S.SUSPENDED_APPEAL),
    )
    documents = _store(appeal, checked, AppealDocument.Part.GROUNDS)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=locked,
        name="appeal_lodged",
        reason=_("Special appeal no. %(id)s against %(act)s.")
        % {"id": appeal.pk, "act": appeal.get_act_display()},
        legal_basis="LCSP arts. 44, 50 and 51",
        data={
            "appeal": appeal.pk,
            "act": act,
            "supplier": supplier.pk,
            "period_ends_at": ends.isoformat() if ends else None,
            "documents": [d.sha256 for d in documents],
        },
        at=now,
    )
    officers = User.objects.filter(
        memberships__city_id=locked.city_id, memberships__role=Membership.Role.OFFICER
    ).exclude(email="")
    # The contracting body forwards the appeal with the file and a report within two working
    # days when it is lodged with it (LCSP art. 56.2): its officers hear at once.
    subject = _("Special appeal lodged: %(title)s") % {"title": locked.title}
    body = _(
        "%(supplier)s lodged special appeal no. %(id)s against %(act)s of “%(title)s”. "
        "Forward it to the tribunal with the file and a report within 2 working days "
        "(LCSP art. 56.2): %(url)s\n"
    ) % {
        "supplier": supplier,
        "id": appeal.pk,
        "act": appeal.get_act_display(),
        "title": locked.title,
        "url": reverse("tender-appeals", args=[locked.pk]),
    }
    key = f"appeal:{appeal.pk}:officers"
    email_queue(
        key=key, to=list(officers.values_list("email", flat=True)), subject=subject, body=body
    )
    inapp_send(
        key=key,
        users=User.objects.filter(
            memberships__city_id=locked.city_id, memberships__role=Membership.Role.OFFICER
        ).values_list("pk", flat=True),
        subject=subject,
        body=body,
        link=reverse("tender-appeals", args=[locked.pk]),
    )
    if appeal.suspends and _leaves(locked, T.RECORD_APPEAL):
        # LCSP art. 53: lodging it suspends the procedure by law; nobody decides it.
        transition_perform(
            process=locked,
            name=T.RECORD_APPEAL,
            actor=None,
            reason=_(
                "Special appeal no. %(id)s by %(supplier)s against the award, lodged on %(when)s: the procedure is suspended (LCSP art. 53)."
            )
            % {"id": appeal.pk, "supplier": supplier, "when": _when(locked, now)},
            now=now,
        )
    return appeal


@transaction.atomic
def appeal_resolve(
    *,
    actor: User,
    appeal: Appeal,
    outcome: str,
    text: str,
    upload=None,
    now: dt.datetime | None = None,
) -> Appeal:
    """An officer of the city records the tribunal's resolution of ``appeal``: dismissed,
    upheld or inadmissible, with its text and, optionally, its file (LCSP arts. 55 and 57).

    When it was the last appeal suspending the process, the process moves on: a dismissal or
    inadmission lifts the suspension (``dismiss_appeal``), an upheld appeal annuls the award
    (``uphold_appeal``, art. 57.2)."""
    now = now or timezone.now()
    appellant = Membership.objects.filter(
        user=actor, supplier_id=appeal.supplier_id, role=Membership.Role.REPRESENTATIVE
    ).exists()
    if appellant and not actor.has_perm("tenders.act_officer", appeal.tender):
        # The appellant sees its appeal: refused for its role, not hidden.
        raise PermissionDenied(
            _("Only procurement officers of %(city)s record the tribunal's resolution.")
            % {"city": appeal.tender.city}
        )
    tender = tender_lock_for_officer(actor, appeal.tender)
    locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if outcome not in OUTCOMES:
        raise ApplicationError(
            _("Choose the outcome: dismissed, upheld or inadmissible."),
            extra={"field": "outcome"},
        )
    text = (text or "").strip()
    if len(text) < 10 or len(text) > 50000:
        raise ApplicationError(
            _("Give the resolution's text or summary (at least 10 characters)."),
            extra={"field": "text"},
        )
    checked = [(upload, *_checked(upload))] if upload else []
    locked.resolution = text
    status_change(
        locked,
        move=OUTCOMES[outcome],
        actor=actor,
        now=now,
        lock=False,
        update_fields=["status", "resolution", "resolved_at", "resolved_by", "updated_at"],
    )
    documents = _store(locked, checked, AppealDocument.Part.RESOLUTION)
    notification_send(
        tender=tender,
        supplier_id=locked.supplier_id,
        kind=Notification.Kind.APPEAL,
        key=f"appeal-resolved:{locked.pk}",
        subject=_("Resolution of your special appeal: %(title)s") % {"title": tender.title},
        body=_("The tribunal's resolution of your appeal no. %(id)s: %(outcome)s.\n\n%(text)s")
        % {"id": locked.pk, "outcome": locked.get_status_display(), "text": text},
        sent_at=now,
        sender=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=tender,
        name="appeal_resolved",
        to_state=outcome,
        reason=text,
        legal_basis="LCSP arts. 55 and 57",
        data={"appeal": locked.pk, "documents": [d.sha256 for d in documents]},
        at=now,
    )
    still_suspending = tender.appeals.filter(suspends=True, status=Appeal.Status.LODGED).exists()
    if locked.suspends and not still_suspending:
        if outcome == Appeal.Status.UPHELD:
            name = next((n for n in UPHOLDS if _leaves(tender, n)), None)
        else:
            name = T.DISMISS_APPEAL if _leaves(tender, T.DISMISS_APPEAL) else None
        if name is not None:
            transition_perform(
                process=tender,
                name=name,
                actor=actor,
                reason=_("Special appeal no. %(id)s %(outcome)s by the tribunal: %(text)s")
                % {"id": locked.pk, "outcome": locked.get_status_display(), "text": text},
                now=now,
            )
    return locked


__all__ = ["appeal_lodge", "appeal_period", "appeal_resolve"]

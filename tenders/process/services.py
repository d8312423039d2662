"""Writes on CPI processes. Status changes go through ``workflows.services.transition_perform``."""

from django.db import transaction
from django.utils.translation import gettext as _

from procurement.accounts.models import City, Membership, User
from procurement.accounts.permissions import grant_to_roles
from procurement.core.audit import audit_record
from procurement.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from procurement.core.models import AuditEntry
from tenders.procedures import PROCEDURE_CHOICES, Edit, is_editable
from tenders.process.common import clean_cpv_codes, clean_money
from tenders.process.models import Tender

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
) -> Tender:
    """An officer of ``city`` records a need; it starts in ``need_draft``."""
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
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=tender,
        name="tender_create",
        to_state=tender.status,
    )
    grant_to_roles(
        obj=tender,
        organisation=city,
        perms_by_role=TENDER_PERMISSIONS,
        actor=actor,
        reason="process created",
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
    for field, value in changes.items():
        setattr(locked, field, value.strip() if isinstance(value, str) else value)
    locked.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CHANGE,
        target=locked,
        name="tender_update",
        data={"fields": sorted(changes)},
    )
    return locked

"""The one write path of eForms notices: build, validate and keep the notices of a step.

Runs in the background worker only (``publication.eforms.tasks``): validation compiles the
SDK's schematron, which costs seconds and hundreds of megabytes per subtype and process.
"""

import datetime as dt
import time
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from procurement.core.audit import audit_record
from procurement.core.models import AuditEntry
from publication.eforms import builder
from publication.eforms.validation import field_labels, has_errors, notice_validate
from publication.models import Notice
from publication.ocds import builder as ocds
from tenders.models import Tender
from tenders.procedures import PCP

# The audit row of a pliego's correction (documents.Pliego's move).
PLIEGO_CORRECTION = "pliego_correction_publish"

# The contract notices a change notice may change.
CONTRACT_NOTICES = (builder.CN, builder.PCP_CALL)


def subtypes_for_step(*, tender, entry: AuditEntry) -> list[str]:
    """Which notices a published step makes: the consultation's announcement (E1), the
    contract notice (16, or E3 for a PCP), a change notice when the deadline moves, and the
    award notice once the contract is signed (29, or E4 for a PCP)."""
    pcp = tender.procedure == PCP
    if entry.name in ocds.CONSULTATION_NOTICES:
        return [builder.E1]
    if entry.name in ocds.TENDER_PUBLICATIONS:
        return [builder.PCP_CALL if pcp else builder.CN]
    if entry.name in ocds.DEADLINE_EXTENSIONS:
        return [builder.PCP_CALL if pcp else builder.CN]
    if entry.name in ocds.CONTRACT_STEPS:
        return [builder.PCP_AWARD if pcp else builder.CAN]
    return []


def _original(*, tender, subtype: str) -> Notice | None:
    return (
        Notice.objects.filter(tender=tender, subtype=subtype, changes__isnull=True)
        .order_by("-built_at", "-pk")
        .first()
    )


def _changes_for(*, tender, entry: AuditEntry, subtype: str) -> tuple[Notice | None, str, bool]:
    """For a deadline extension: the contract notice it changes, what changed, and whether the
    pliegos changed with it (a significant correction extends the deadline, LCSP art. 136.2).
    For a correction of the pliegos alone (LCSP art. 122.1): what it changed."""
    if entry.name == PLIEGO_CORRECTION:
        description = "Corrección de los pliegos (LCSP art. 122.1)."
        if entry.reason:
            description += f" {entry.reason}"
        return _original(tender=tender, subtype=subtype), description, True
    if entry.name not in ocds.DEADLINE_EXTENSIONS:
        return None, "", False
    original = _original(tender=tender, subtype=subtype)
    deadline = entry.data.get("submission_deadline")
    when = ""
    if deadline:
        local = dt.datetime.fromisoformat(deadline).astimezone(tender.city.zone)
        when = local.strftime("%d/%m/%Y %H:%M")
    description = f"Se amplía el plazo de presentación hasta el {when} (LCSP art. 136.2)."
    if entry.reason:
        description += f" {entry.reason}"
    corrected = any(
        row.amends_id is not None and row.published_at == entry.at
        for row in ocds._pliegos_in_force(tender=tender, upto=entry)[1]
    )
    return original, description, corrected


def notice_make(*, tender, entry: AuditEntry, subtype: str, **spec_fields) -> Notice | None:
    """Build and validate one notice of step ``entry``, once; ``None`` when the step has no
    such notice (nothing of it is public)."""
    existing = Notice.objects.filter(tender=tender, audit_entry=entry, subtype=subtype).first()
    if existing is not None:
        return existing
    original, description, corrected = _changes_for(tender=tender, entry=entry, subtype=subtype)
    if (entry.name in ocds.DEADLINE_EXTENSIONS or entry.name == PLIEGO_CORRECTION) and (
        original is None
    ):
        # The notice being changed was never made (an older process): make it first.
        first = next(
            (
                e
                for e in ocds.context_build(tender=tender, entry=entry).entries
                if e.name in ocds.TENDER_PUBLICATIONS
            ),
            None,
        )
        if first is None:
            return None
        original = notice_make(tender=tender, entry=first, subtype=subtype)
        if original is None:
            return None
    changes = None
    if original is not None:
        changes = builder.Changes(
            notice_id=str(original.notice_id),
            version=original.version,
            description=description,
            documents_changed=corrected,
            changed_at=entry.at,
        )
    spec = builder.NoticeInput(
        subtype=subtype,
        notice_id=str(uuid.uuid4()),
        version="01",
        # Dated as the step that published it: the notice is that step's announcement.
        issued_at=entry.at,
        changes=changes,
        **spec_fields,
    )
    try:
        xml = builder.notice_xml(tender=tender, entry=entry, spec=spec)
    except builder.NoticeNotApplicable:
        return None
    started = time.monotonic()
    findings = notice_validate(xml, lang=tender.city.language)
    seconds = time.monotonic() - started
    for finding in findings:
        labels = field_labels(finding.get("field"))
        finding["field_name_es"], finding["field_name_en"] = labels["es"], labels["en"]
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                tender=tender,
                audit_entry=entry,
                subtype=subtype,
                notice_id=spec.notice_id,
                version=spec.version,
                changes=original,
                xml=xml.decode("utf-8"),
                status=Notice.Status.INVALID if has_errors(findings) else Notice.Status.VALID,
                findings=findings,
                built_at=timezone.now(),
                seconds=round(seconds, 3),
            )
            # A write the public pages' cache sees (``data_version``).
            audit_record(
                actor=None,
                action=AuditEntry.Action.CREATE,
                target=notice,
                name="eforms_notice",
                data={"tender": tender.pk, "subtype": subtype, "status": notice.status},
            )
            return notice
    except IntegrityError:
        return Notice.objects.get(tender=tender, audit_entry=entry, subtype=subtype)


def notices_build(*, tender_id: int, audit_entry_id: int) -> list[Notice]:
    """Make the notices of published step ``audit_entry_id`` of process ``tender_id``.

    Idempotent: a retried task returns the notices already made."""
    tender = Tender.objects.select_related("city").filter(pk=tender_id).first()
    entry = AuditEntry.objects.filter(
        pk=audit_entry_id, action=AuditEntry.Action.TRANSITION, object_id=str(tender_id)
    ).first()
    if tender is None or entry is None or not tender.is_public:
        return []
    made = []
    for subtype in subtypes_for_step(tender=tender, entry=entry):
        notice = notice_make(tender=tender, entry=entry, subtype=subtype)
        if notice is not None:
            made.append(notice)
    return made


def modification_notice_make(
    *, tender, modification: builder.Modification, actor_entry: AuditEntry | None = None
) -> Notice | None:
    """The notice of a modification of the signed contract (subtype 38, LCSP art. 207.3),
    referring to the process's award notice. The engine has no modification step yet: the
    caller gives the modification and the step it is published at (by default the last)."""
    award = Notice.objects.filter(tender=tender, subtype=builder.CAN).order_by("-built_at").first()
    entry = actor_entry or (
        AuditEntry.objects.filter(object_id=str(tender.pk), action=AuditEntry.Action.TRANSITION)
        .order_by("-at", "-pk")
        .first()
    )
    if award is None or entry is None:
        return None
    return notice_make(
        tender=tender,
        entry=entry,
        subtype=builder.MODIFICATION,
        modification=modification,
        modified_notice_id=str(award.notice_id),
    )


def notices_build_missing(*, city: str = "") -> list[Notice]:
    """Make the notices of every published step of every public process that lacks them (for
    ``manage.py export_eforms --build``: a backlog, or notices made before this existed).
    Never from a web worker: each subtype's first validation compiles its schematron."""
    tenders = Tender.objects.select_related("city").filter(first_published_at__isnull=False)
    if city:
        tenders = (
            tenders.filter(city__slug=city)
            if not city.isdigit()
            else tenders.filter(city_id=int(city))
        )
    made: list[Notice] = []
    for tender in tenders.order_by("pk"):
        entries = AuditEntry.objects.filter(
            object_id=str(tender.pk),
            action=AuditEntry.Action.TRANSITION,
            content_type__model="tender",
        ).order_by("at", "pk")
        for entry in entries:
            if subtypes_for_step(tender=tender, entry=entry):
                made += notices_build(tender_id=tender.pk, audit_entry_id=entry.pk)
    return made


def notice_change_for_pliego(*, pliego_id: int, audit_entry_id: int) -> Notice | None:
    """The change notice of a correction of a published pliego (LCSP art. 122.1), once. A
    significant correction also extends the deadline, whose step makes the change notice (with
    the pliegos marked as changed): this one is then not made twice."""
    from django.apps import apps

    pliego = apps.get_model("documents", "Pliego").objects.filter(pk=pliego_id).first()
    entry = AuditEntry.objects.filter(pk=audit_entry_id, name=PLIEGO_CORRECTION).first()
    if pliego is None or entry is None or pliego.significant:
        return None
    tender = Tender.objects.select_related("city").filter(pk=pliego.tender_id).first()
    if tender is None or not tender.is_public:
        return None
    subtype = builder.PCP_CALL if tender.procedure == PCP else builder.CN
    return notice_make(tender=tender, entry=entry, subtype=subtype)

"""The one write path of open data: record the OCDS release of a published step, once."""

from django.db import IntegrityError, transaction

from procurement.core.models import AuditEntry
from publication.models import OcdsRelease
from publication.ocds.builder import is_planning_step, planning_ocid, release_build, tender_ocid
from tenders.models import Tender


def ocds_release_write(*, tender_id: int, audit_entry_id: int) -> OcdsRelease | None:
    """Write the release of step ``audit_entry_id`` of process ``tender_id``.

    Idempotent: a second call (a retried task) returns the release already written. Returns
    ``None`` for a step of a process that was never published (nothing of it is public).
    """
    existing = OcdsRelease.objects.filter(
        tender_id=tender_id, audit_entry_id=audit_entry_id
    ).first()
    if existing is not None:
        return existing
    tender = Tender.objects.select_related("city").filter(pk=tender_id).first()
    entry = AuditEntry.objects.filter(
        pk=audit_entry_id, action=AuditEntry.Action.TRANSITION, object_id=str(tender_id)
    ).first()
    if tender is None or entry is None or not tender.is_public:
        return None
    ocid = planning_ocid(tender.pk) if is_planning_step(entry) else tender_ocid(tender.pk)
    first = not OcdsRelease.objects.filter(ocid=ocid, audit_entry_id__lt=entry.pk).exists()
    data = release_build(tender=tender, entry=entry, first_in_ocid=first)
    try:
        with transaction.atomic():
            return OcdsRelease.objects.create(
                tender=tender,
                audit_entry=entry,
                ocid=data["ocid"],
                release_id=data["id"],
                tag=data["tag"],
                date=entry.at,
                data=data,
            )
    except IntegrityError:
        return OcdsRelease.objects.get(tender_id=tender_id, audit_entry_id=audit_entry_id)

from celery import shared_task

from procurement.core.models import AuditEntry
from publication.ocds.effects import PUBLISHED_EFFECTS
from publication.ocds.services import ocds_documents_pending, ocds_release_write
from tenders.procedures import TRANSITION_BY_NAME

WAIT_SECONDS = 5


@shared_task(bind=True, name="tenders.ocds_release_write", ignore_result=True, max_retries=12)
def ocds_release_write_task(self, tender_id: int, audit_entry_id: int, effect: str) -> None:
    """Write the OCDS release of one published step, once.

    A step may raise several published effects (publishing the report raises "publication" and
    "consultation_report"); only the last one writes, since its handler runs after the
    documents of every effect were requested. With a real worker those documents may still be
    rendering: the task waits for them (a minute at most), then writes without them.
    """
    entry = AuditEntry.objects.filter(pk=audit_entry_id).only("name").first()
    definition = TRANSITION_BY_NAME.get(entry.name) if entry else None
    if definition is None:
        return
    published = [name for name in definition.effects if name in PUBLISHED_EFFECTS]
    if not published or effect != published[-1]:
        return
    if (
        ocds_documents_pending(tender_id=tender_id, audit_entry_id=audit_entry_id)
        and self.request.retries < self.max_retries
    ):
        raise self.retry(countdown=WAIT_SECONDS)
    ocds_release_write(tender_id=tender_id, audit_entry_id=audit_entry_id)

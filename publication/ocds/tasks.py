from celery import shared_task

from documents.effects import DOCUMENT_READY
from documents.services import step_documents_pending
from procurement.core.models import AuditEntry
from publication.ocds.effects import PUBLISHED_EFFECTS
from publication.ocds.services import ocds_release_write
from tenders.procedures import TRANSITION_BY_NAME


@shared_task(name="tenders.ocds_release_write", ignore_result=True)
def ocds_release_write_task(tender_id: int, audit_entry_id: int, effect: str) -> None:
    """Write the OCDS release of one published step, once, with the documents it made.

    Asked by the step's published effect and by ``document_ready``. A step that makes documents
    is written only once none of them is still to be made: its published effect, finding them
    pending, leaves the writing to ``document_ready``, which documents raise once the last is
    stored (made, or failed for want of an approved template). Whichever of the two comes after
    the documents writes it; should both, the release is written once (``ocds_release_write``).
    """
    entry = AuditEntry.objects.filter(pk=audit_entry_id).only("name").first()
    definition = TRANSITION_BY_NAME.get(entry.name) if entry else None
    if definition is None:
        return
    published = [name for name in definition.effects if name in PUBLISHED_EFFECTS]
    # Publishing the report raises "publication" and "consultation_report": the last one asks.
    if not published or (effect != DOCUMENT_READY and effect != published[-1]):
        return
    if step_documents_pending(audit_entry_id=audit_entry_id):
        return
    ocds_release_write(tender_id=tender_id, audit_entry_id=audit_entry_id)

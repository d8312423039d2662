from celery import shared_task

from publication.eforms.services import notice_change_for_pliego, notices_build

# Notices are built on a queue of their own (CELERY_TASK_ROUTES), by a worker that only builds notices
# (``manage.py serve`` starts it): validating one compiles the SDK's schematron, seconds and
# hundreds of megabytes per subtype, which must never hold up a web worker or the main queue.
QUEUE = "eforms"


@shared_task(name="publication.eforms_notices_build", ignore_result=True)
def eforms_notices_build_task(tender_id: int, audit_entry_id: int) -> int:
    """Build and validate the eForms notices of one published step (once)."""
    return len(notices_build(tender_id=tender_id, audit_entry_id=audit_entry_id))


@shared_task(name="publication.eforms_pliego_change", ignore_result=True)
def eforms_pliego_change_task(pliego_id: int, audit_entry_id: int) -> bool:
    """Build and validate the change notice of a pliego's correction (once)."""
    return (
        notice_change_for_pliego(pliego_id=int(pliego_id), audit_entry_id=audit_entry_id)
        is not None
    )

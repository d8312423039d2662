from celery import shared_task

from documents.services import document_generate, documents_for_effect


@shared_task(
    name="documents.generate",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def document_generate_task(document_id: int) -> None:
    """Make one pending document's PDF; a retry after success does nothing."""
    document_generate(document_id=document_id)


@shared_task(
    name="documents.for_effect",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def documents_for_effect_task(effect: str, process_id: int, audit_entry_id: int) -> None:
    """Record the documents a transition requires (once per transition) and make them."""
    for document in documents_for_effect(
        effect=effect, process_id=process_id, audit_entry_id=audit_entry_id
    ):
        document_generate(document_id=document.pk)


@shared_task(name="documents.relay", ignore_result=True)
def documents_relay_task() -> int:
    """Run every few minutes by beat: retry the documents a lost task left pending."""
    from documents.services import documents_relay

    return documents_relay()


@shared_task(name="documents.pliegos_publish", ignore_result=True)
def pliegos_publish_task(process_id: int) -> None:
    """Publish a process's approved pliegos with its tender notice; a retry does nothing new."""
    from documents.pliego_services import pliegos_publish

    pliegos_publish(process_id=process_id)

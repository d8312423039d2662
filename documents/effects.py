"""The engine's effects that require legal documents (publishing a consultation makes its
notice, the award makes the resolution…): each enqueues the generation after commit."""

from documents.kinds import KINDS_BY_EFFECT
from documents.tasks import documents_for_effect_task
from workflows.effects import on_effect


@on_effect(*KINDS_BY_EFFECT)
def documents_required_by_transition(*, effect, model, pk, audit_entry_id) -> None:
    if model != "tenders.Tender":
        return
    documents_for_effect_task.delay(effect, pk, audit_entry_id)

"""The engine's effects that require legal documents (publishing a consultation makes its
notice, the award makes the resolution…): each enqueues the generation after commit.

Documents raise one effect of their own, ``document_ready``, about the process and the step
(its audit row), once every document the step's effects require is stored, made or failed
(``services.document_generate``): open data writes the step's release then.
"""

from documents.kinds import KINDS_BY_EFFECT
from documents.tasks import documents_for_effect_task
from workflows.effects import declare_effects, on_effect

DOCUMENT_READY = declare_effects("document_ready")[0]
# A published pliego corrected (raised by ``pliego_services.pliego_amend`` on its audit row).
PLIEGO_CORRECTED = declare_effects("pliego_corrected")[0]


@on_effect(*KINDS_BY_EFFECT)
def documents_required_by_transition(*, effect, model, pk, audit_entry_id) -> None:
    if model != "tenders.Tender":
        return
    documents_for_effect_task.delay(effect, pk, audit_entry_id)


@on_effect("tender_notice")
def pliegos_published_with_the_notice(*, effect, model, pk, audit_entry_id) -> None:
    """The tender notice (the PCP call, the partnership notice) publishes the approved pliegos
    (LCSP art. 138.1)."""
    if model != "tenders.Tender":
        return
    from documents.tasks import pliegos_publish_task

    pliegos_publish_task.delay(pk)

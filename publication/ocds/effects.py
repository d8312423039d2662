"""After each published step of a process, write its OCDS release (through Celery), once the
documents the step makes are stored."""

from documents.effects import DOCUMENT_READY
from workflows.effects import on_effect

# Effects raised by the transitions whose outcome is public. "publication" covers every notice
# (demand map, consultation, report, tender); the others are the public steps after it: the
# committee's minutes (from the bids' closing on, with who bid), the value-judgement report,
# the award resolution (CPTI: one award per lot), an upheld appeal's annulment of it, and the
# contract. "documents_requested" stays out: until the award, the proposal is internal.
PUBLISHED_EFFECTS = (
    "publication",
    "consultation_notice",
    "consultation_opened",
    "consultation_closed",
    "consultation_report",
    "tender_notice",
    "deadline_extended",
    "committee_minutes",
    "evaluation_report",
    "award_resolution",
    "award_annulled",  # for uphold_appeal and uphold_partnership_appeal to raise
    # An appeal's suspension of the award and its dismissal (LCSP arts. 53 and 63.3).
    "appeal_suspension",
    "appeal_resolution",
    "void_resolution",
    "contract",
    "cancellation",
    # A PCP's scored phase evaluation and its gate: phase results, milestones met and paid,
    # the next phase's contracts (COM(2007) 799).
    "phase_evaluation",
    "phase_gate",
    # A partnership's decision on buying its results: what, from whom, at what price (LCSP
    # art. 181).
    "purchase_resolution",
)


@on_effect(*PUBLISHED_EFFECTS)
def release_after_published_step(*, effect, model, pk, audit_entry_id) -> None:
    """A step that makes no document is written now; one that does waits (see the task)."""
    if model != "tenders.Tender":
        return
    from publication.ocds.tasks import ocds_release_write_task

    ocds_release_write_task.delay(pk, audit_entry_id, effect)


@on_effect(DOCUMENT_READY)
def release_when_step_documents_are_stored(*, effect, model, pk, audit_entry_id) -> None:
    """The step's documents are stored: its release can list them."""
    if model != "tenders.Tender":
        return
    from publication.ocds.tasks import ocds_release_write_task

    ocds_release_write_task.delay(pk, audit_entry_id, effect)

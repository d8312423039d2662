"""After a published step that announces something in the Official Journal (a consultation,
a contract notice, a deadline moved, a contract signed), build its eForms notices."""

from django.conf import settings

from workflows.effects import on_effect

# The effects of the steps whose notices ``services.subtypes_for_step`` names.
NOTICE_EFFECTS = ("consultation_notice", "tender_notice", "deadline_extended", "contract")


@on_effect(*NOTICE_EFFECTS)
def notices_after_published_step(*, effect, model, pk, audit_entry_id) -> None:
    if model != "tenders.Tender" or not settings.EFORMS_BUILD_ON_EFFECTS:
        return
    from publication.eforms.tasks import eforms_notices_build_task

    eforms_notices_build_task.delay(pk, audit_entry_id)


@on_effect("pliego_corrected")
def change_notice_after_pliego_correction(*, effect, model, pk, audit_entry_id) -> None:
    """A published pliego was corrected: the contract notice gets a change notice."""
    if model != "documents.Pliego" or not settings.EFORMS_BUILD_ON_EFFECTS:
        return
    from publication.eforms.tasks import eforms_pliego_change_task

    eforms_pliego_change_task.delay(pk, audit_entry_id)

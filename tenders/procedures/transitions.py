"""Every transition of the three procedures (cpi-process.md §3 and §6).

Read a row as: ``name``: sources → target, who fires it, what must hold, the law behind it.
Transitions without roles are fired by the scheduler when they fall due (``due``).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tenders.procedures import guards as g
from tenders.procedures.base import (
    ALL,
    COMMITTEE,
    CPTI,
    LEGAL,
    OFFICER,
    PARTNERSHIP,
    PCP,
    Milestone,
)
from tenders.procedures.guards import rules
from tenders.procedures.rules import BID_PERIOD_REDUCTION_CHOICES
from workflows.guards import GuardContext
from workflows.machine import DataField, Transition


@dataclass(frozen=True)
class CpiTransition(Transition):
    """A transition with what the rest of the code asks of it instead of comparing names:
    ``milestone``, what the step marks in the life of the process (``Milestone``)."""

    milestone: Milestone | None = None


DEADLINE = DataField("submission_deadline", "datetime", _("Deadline for submissions"))
PHASE_END = DataField("phase_ends_at", "datetime", _("End of the phase"))
REFERENCE = DataField("reference", "text", _("Report reference"))
BID_PERIOD_REDUCTION = DataField(
    "bid_period_reduction",
    "choice",
    _("Reduction of the bid period"),
    required=False,
    choices=BID_PERIOD_REDUCTION_CHOICES,
)


# --- stamps: the fields a transition sets on the process ---------------------------------------


def stamp_published(process, ctx: GuardContext) -> None:
    if process.first_published_at is None:
        process.first_published_at = ctx.now


def stamp_publish_with_deadline(process, ctx: GuardContext) -> None:
    stamp_published(process, ctx)
    process.submission_deadline = ctx.data["submission_deadline"]


def stamp_deadline(process, ctx: GuardContext) -> None:
    process.submission_deadline = ctx.data["submission_deadline"]


def stamp_procedure(process, ctx: GuardContext) -> None:
    if ctx.data.get("procedure"):
        process.procedure = ctx.data["procedure"]


def stamp_report(attribute: str):
    def stamp(process, ctx: GuardContext) -> None:
        setattr(process, attribute, ctx.data["reference"])

    stamp.__name__ = f"stamp_{attribute}"
    return stamp


def stamp_file_returned(process, ctx: GuardContext) -> None:
    process.legal_report_ref = process.credit_certificate_ref = process.audit_report_ref = ""


def stamp_file_approved(process, ctx: GuardContext) -> None:
    process.specs_frozen_at = ctx.now


def stamp_value_report(process, ctx: GuardContext) -> None:
    process.value_report_signed_at = ctx.now


def stamp_documents_requested(process, ctx: GuardContext) -> None:
    """The 10 working days run from the day after the bidder receives the request (LCSP art.
    150.2, DA 15ª): until it opens the notification, they are counted from its deemed
    rejection, the latest start they can have (Ley 39/2015 art. 43.2); opening it brings the
    end forward (``notification_periods_restart``)."""
    process.documents_requested_at = ctx.now
    process.documents_received_at = None
    pack = rules(process)
    process.documents_due_at = ctx.calendar.add_working_days(
        ctx.now + dt.timedelta(days=pack.notification_rejected_days),
        pack.award_documents_working_days,
    )


def stamp_documents_received(process, ctx: GuardContext) -> None:
    process.documents_received_at = ctx.now


def stamp_documents_missed(process, ctx: GuardContext) -> None:
    process.documents_due_at = None
    process.documents_requested_at = None


def stamp_awarded(process, ctx: GuardContext) -> None:
    process.awarded_at = ctx.now


def stamp_standstill(process, ctx: GuardContext) -> None:
    process.standstill_ends_at = ctx.calendar.add_working_days(
        process.awarded_at or ctx.now, rules(process).standstill_working_days
    )


def stamp_award_annulled(process, ctx: GuardContext) -> None:
    process.awarded_at = None
    process.standstill_ends_at = None


def stamp_contract_signed(process, ctx: GuardContext) -> None:
    process.contract_signed_at = ctx.now


def stamp_phase(process, ctx: GuardContext) -> None:
    process.phase_ends_at = ctx.data["phase_ends_at"]


def stamp_phase_over(process, ctx: GuardContext) -> None:
    process.phase_ends_at = None


def stamp_rd_started(process, ctx: GuardContext) -> None:
    stamp_contract_signed(process, ctx)
    stamp_phase(process, ctx)
    process.rd_phase = 1


def stamp_rd_next(process, ctx: GuardContext) -> None:
    stamp_phase(process, ctx)
    process.rd_phase += 1


def stamp_negotiation_round(process, ctx: GuardContext) -> None:
    process.negotiation_rounds += 1


def stamp_purchase(process, ctx: GuardContext) -> None:
    process.purchase_decided = ctx.data["purchase"]


def stamp_skip(process, ctx: GuardContext) -> None:
    process.consultation_skip_reason = ctx.reason.strip()


# --- apply: writes on the process's participants, inside the transition's transaction ----------


def apply_consultation_published(process, ctx: GuardContext) -> None:
    process.consultation_mark_published(at=ctx.now)


def apply_report_published(process, ctx: GuardContext) -> None:
    process.consultation_mark_report_published(at=ctx.now)


def stamp_open_envelope(envelope: str):
    def stamp(process, ctx: GuardContext) -> None:
        process.envelopes_open(envelope=envelope, at=ctx.now)

    stamp.__name__ = f"stamp_open_envelope_{envelope}"
    return stamp


def apply_abnormal_flag(process, ctx: GuardContext) -> None:
    process.abnormal_flag(at=ctx.now, calendar=ctx.calendar)


def apply_awards(step: str):
    def apply(process, ctx: GuardContext) -> None:
        process.awards_apply(step=step, at=ctx.now)

    apply.__name__ = f"apply_awards_{step}"
    return apply


def apply_register_applicant(process, ctx: GuardContext) -> None:
    process.participants_register(supplier_id=ctx.data["supplier"])


def apply_offers_open(process, ctx: GuardContext) -> None:
    process.phase_offers_open(at=ctx.now)


def apply_select_suppliers(process, ctx: GuardContext) -> None:
    process.participants_keep(supplier_ids=ctx.data["suppliers"])
    process.phase_contracts_draft(phase=1, suppliers=ctx.data["suppliers"], at=ctx.now)


def apply_phase1_start(process, ctx: GuardContext) -> None:
    process.phase_contracts_sign(
        phase=1,
        suppliers=process.participant_ids("selected"),
        at=ctx.now,
        ends_at=ctx.data["phase_ends_at"],
    )


def apply_phase_evaluation(process, ctx: GuardContext) -> None:
    process.phase_evaluation_record(at=ctx.now)


def apply_gate(process, ctx: GuardContext) -> None:
    """Down-select at a PCP gate: the kept suppliers go on, each supplier of the phase is
    notified its scores, and the next phase's contracts of those kept are signed."""
    keep = ctx.data["keep"]
    # The move is made before ``apply``: the process is in the next phase already.
    following = process.phase_number()
    process.participants_keep(supplier_ids=keep)
    process.phase_gate_apply(phase=following - 1, keep=keep, at=ctx.now)
    process.phase_contracts_sign(
        phase=following, suppliers=keep, at=ctx.now, ends_at=ctx.data["phase_ends_at"]
    )


def apply_partners(process, ctx: GuardContext) -> None:
    """The partners are selected, and their contracts for R&D phase 1 drafted at the prices of
    their final offers, for the officer to set milestones and IPR terms before signing (LCSP
    arts. 177.2, 180.1)."""
    partners = ctx.data["partners"]
    process.participants_keep(supplier_ids=partners)
    process.phase_contracts_draft(phase=1, suppliers=partners, at=ctx.now)


def apply_partnership_signed(process, ctx: GuardContext) -> None:
    """The R&D phases are those the descriptive document defines (LCSP art. 180.1); the
    partners' phase-1 contracts are signed."""
    count = process.phase_count()
    if count:
        process.rd_phases_total = count
    process.phase_contracts_sign(
        phase=1,
        suppliers=process.participant_ids("selected"),
        at=ctx.now,
        ends_at=ctx.data["phase_ends_at"],
    )


def apply_rd_gate(process, ctx: GuardContext) -> None:
    """Continue the partnership into its next R&D phase, with the partners kept (all those
    still in when the gate names none): each partner of the phase is told its scores and the
    next phase's contracts are signed (LCSP art. 180.1)."""
    keep = ctx.data.get("keep") or process.participant_ids("selected")
    # ``stamp_rd_next`` moved the counter before ``apply``: the process is in the next phase.
    following = process.rd_phase
    process.participants_keep(supplier_ids=keep)
    process.phase_gate_apply(phase=following - 1, keep=keep, at=ctx.now)
    process.phase_contracts_sign(
        phase=following, suppliers=keep, at=ctx.now, ends_at=ctx.data["phase_ends_at"]
    )


def apply_keep(key: str):
    def apply(process, ctx: GuardContext) -> None:
        if ctx.data.get(key) is not None:
            process.participants_keep(supplier_ids=ctx.data[key])

    apply.__name__ = f"apply_keep_{key}"
    return apply


# --- due times of the automatic transitions ----------------------------------------------------


def due_consultation_opens(process):
    consultation = process.consultation_for_engine()
    return consultation.opens_at if consultation else None


def due_consultation_closes(process):
    consultation = process.consultation_for_engine()
    return consultation.closes_at if consultation else None


def due_submission_deadline(process):
    return process.submission_deadline


def due_documents(process):
    return process.documents_due_at


def due_awarded(process):
    return process.awarded_at


def due_standstill_end(process):
    return process.standstill_ends_at


def due_phase_end(process):
    return process.phase_ends_at


def _pcp_min_start(process) -> int:
    return process.min_suppliers_start or rules(process).pcp_min_suppliers_start


def _pcp_min_final(process) -> int:
    return process.min_suppliers_final or rules(process).pcp_min_suppliers_final


def _partnership_min(process) -> int:
    return rules(process).partnership_min_candidates


def _one(process) -> int:
    return 1


PRE_AWARD_STATES = (
    "need_draft",
    "need_validated",
    "demand_map",
    "consultation_draft",
    "consultation_announced",
    "consultation_open",
    "consultation_closed",
    "report_draft",
    "report_published",
    "consultation_skipped",
    "specs_draft",
    "procedure_chosen",
    "file_drafted",
    "file_approved",
    "published",
    "bids_closed",
    "admin_checked",
    "tech_opened",
    "tech_evaluated",
    "econ_opened",
    "abnormal_check",
    "ranked",
    "award_proposed",
    "documents_requested",
    "documents_received",
    "call_published",
    "offers_closed",
    "suppliers_selected",
    "notice_published",
    "requests_closed",
    "candidates_selected",
    "negotiating",
    "final_offers",
    "final_offers_closed",
    "offers_evaluated",
)

TRANSITIONS: list[CpiTransition] = [
    # ---- the shared front ---------------------------------------------------------------------
    CpiTransition(
        "validate_need",
        ("need_draft",),
        "need_validated",
        _("Validate the need"),
        roles=(OFFICER,),
        guards=(g.need_is_described,),
        legal_basis="Ley 14/2011 art. 36 sexies §4; LCSP art. 28.1",
    ),
    CpiTransition(
        "publish_demand_map",
        ("need_validated",),
        "demand_map",
        _("Publish in the early demand map"),
        milestone=Milestone.NEED_NOTICE,
        roles=(OFFICER,),
        stamp=stamp_published,
        legal_basis="LCSP arts. 28.4 and 134",
        effects=("publication",),
    ),
    CpiTransition(
        "start_consultation",
        ("need_validated", "demand_map"),
        "consultation_draft",
        _("Prepare a market consultation"),
        roles=(OFFICER,),
        legal_basis="LCSP art. 115",
    ),
    CpiTransition(
        "skip_consultation",
        ("need_validated", "demand_map"),
        "consultation_skipped",
        _("Skip the consultation, with reasons"),
        roles=(OFFICER,),
        guards=(g.consultation_skip_reasoned,),
        needs_reason=True,
        stamp=stamp_skip,
        legal_basis="Ley 14/2011 art. 36 sexies §4",
    ),
    CpiTransition(
        "publish_consultation",
        ("consultation_draft",),
        "consultation_announced",
        _("Publish the consultation"),
        milestone=Milestone.CONSULTATION_NOTICE,
        roles=(OFFICER,),
        guards=(g.consultation_ready_to_publish,),
        stamp=stamp_published,
        apply=apply_consultation_published,
        legal_basis="LCSP art. 115.1",
        effects=("publication", "consultation_notice"),
    ),
    CpiTransition(
        "open_consultation",
        ("consultation_announced",),
        "consultation_open",
        _("Open the consultation"),
        due=due_consultation_opens,
        legal_basis="LCSP art. 115.1",
        effects=("consultation_opened",),
    ),
    CpiTransition(
        "close_consultation",
        ("consultation_open",),
        "consultation_closed",
        _("Close the consultation"),
        milestone=Milestone.CONSULTATION_END,
        due=due_consultation_closes,
        legal_basis="LCSP art. 115",
        effects=("consultation_closed",),
    ),
    CpiTransition(
        "draft_report",
        ("consultation_closed",),
        "report_draft",
        _("Draft the consultation report"),
        roles=(OFFICER,),
        legal_basis="LCSP art. 115.3",
    ),
    CpiTransition(
        "publish_report",
        ("report_draft",),
        "report_published",
        _("Publish the consultation report"),
        milestone=Milestone.CONSULTATION_REPORT,
        roles=(OFFICER,),
        guards=(g.consultation_report_written,),
        apply=apply_report_published,
        legal_basis="LCSP art. 115.3",
        effects=("publication", "consultation_report"),
    ),
    CpiTransition(
        "draft_specs",
        ("report_published", "consultation_skipped"),
        "specs_draft",
        _("Write the functional specifications"),
        roles=(OFFICER,),
        legal_basis="LCSP art. 126.5.a",
    ),
    CpiTransition(
        "choose_procedure",
        ("specs_draft",),
        "procedure_chosen",
        _("Choose the procedure"),
        roles=(OFFICER,),
        guards=(g.functional_specifications_written, g.procedure_eligible),
        data=(DataField("procedure", "text", _("Procedure"), required=False),),
        stamp=stamp_procedure,
        legal_basis="LCSP arts. 8, 116.4.a, 131, 177",
    ),
    CpiTransition(
        "submit_file",
        ("procedure_chosen",),
        "file_drafted",
        _("Submit the file (expediente) for reports"),
        roles=(OFFICER,),
        guards=(g.functional_specifications_written,),
        legal_basis="LCSP arts. 116 and 122",
    ),
    CpiTransition(
        "return_file",
        ("file_drafted",),
        "procedure_chosen",
        _("Return the file for changes"),
        roles=(LEGAL,),
        guards=(g.reason_given,),
        needs_reason=True,
        stamp=stamp_file_returned,
        legal_basis="LCSP DA 3ª.8",
    ),
    CpiTransition(
        "record_legal_report",
        ("file_drafted",),
        "file_drafted",
        _("Record the legal report"),
        roles=(LEGAL,),
        guards=(g.not_recorded_yet("legal_report_ref"), g.reference_given),
        data=(REFERENCE,),
        stamp=stamp_report("legal_report_ref"),
        legal_basis="LCSP DA 3ª.8",
    ),
    CpiTransition(
        "record_credit_certificate",
        ("file_drafted",),
        "file_drafted",
        _("Record the credit certificate"),
        roles=(LEGAL,),
        guards=(g.not_recorded_yet("credit_certificate_ref"), g.reference_given),
        data=(REFERENCE,),
        stamp=stamp_report("credit_certificate_ref"),
        legal_basis="LCSP art. 116.3",
    ),
    CpiTransition(
        "record_audit_report",
        ("file_drafted",),
        "file_drafted",
        _("Record the prior audit report"),
        roles=(LEGAL,),
        guards=(
            g.not_recorded_yet("audit_report_ref"),
            g.audit_after_credit_and_legal,
            g.reference_given,
        ),
        data=(REFERENCE,),
        stamp=stamp_report("audit_report_ref"),
        legal_basis="LCSP DA 3ª.3",
    ),
    CpiTransition(
        "approve_file",
        ("file_drafted",),
        "file_approved",
        _("Approve the file"),
        roles=(OFFICER,),
        guards=(
            g.file_reports_recorded,
            g.pliegos_approved,
            # The legal report and the credit certificate, uploaded signed by the legal team
            # (LCSP DA 3ª.8 and art. 116.3; on only with signature gates, see documents).
            g.signed("legal_report"),
            g.signed("credit_certificate"),
        ),
        stamp=stamp_file_approved,
        legal_basis="LCSP arts. 116, 117, 122.1 and 124; DA 3ª",
    ),
    # ---- CPTI open procedure ------------------------------------------------------------------
    CpiTransition(
        "publish_tender",
        ("file_approved",),
        "published",
        _("Publish the tender notice"),
        milestone=Milestone.TENDER_NOTICE,
        roles=(OFFICER,),
        procedures=frozenset({CPTI}),
        guards=(
            g.lots_defined,
            g.award_criteria_add_up,
            g.minimum_bid_period,
            g.bid_period_reduction_reasoned,
        ),
        data=(DEADLINE, BID_PERIOD_REDUCTION),
        stamp=stamp_publish_with_deadline,
        legal_basis="LCSP arts. 135, 145, 146, 156",
        effects=("publication", "tender_notice"),
    ),
    CpiTransition(
        "extend_deadline",
        ("published", "call_published", "notice_published"),
        "=",
        _("Extend the deadline"),
        milestone=Milestone.DEADLINE_EXTENSION,
        roles=(OFFICER,),
        optional=True,
        guards=(g.deadline_extended,),
        data=(DEADLINE,),
        stamp=stamp_deadline,
        needs_reason=True,
        legal_basis="LCSP arts. 136.2 and 138.3",
        effects=("deadline_extended",),
    ),
    CpiTransition(
        "close_bids",
        ("published",),
        "bids_closed",
        _("Close the bids"),
        milestone=Milestone.BIDS_CLOSING,
        procedures=frozenset({CPTI}),
        due=due_submission_deadline,
        guards=(g.questions_answered_in_time,),
        legal_basis="LCSP art. 156",
        # Envelopes A are readable from the closing (LCSP art. 157.3).
        effects=("bid_signatures",),
    ),
    CpiTransition(
        "check_admin",
        ("bids_closed",),
        "admin_checked",
        _("Record the administrative check"),
        roles=(COMMITTEE,),
        procedures=frozenset({CPTI}),
        guards=(g.bids_recorded, g.admission_complete),
        legal_basis="LCSP arts. 141.2 and 157.3",
        effects=("committee_minutes",),
    ),
    CpiTransition(
        "open_envelope_b",
        ("admin_checked",),
        "tech_opened",
        _("Open the value-judgement envelopes (B)"),
        roles=(COMMITTEE,),
        procedures=frozenset({CPTI}),
        guards=(g.admissible_bids,),
        stamp=stamp_open_envelope("b"),
        legal_basis="LCSP art. 157.2",
        effects=("committee_minutes", "bid_signatures"),
    ),
    CpiTransition(
        "sign_value_report",
        ("tech_opened",),
        "tech_evaluated",
        _("Sign the value-judgement report"),
        roles=(COMMITTEE,),
        procedures=frozenset({CPTI}),
        guards=(g.value_judgements_scored,),
        stamp=stamp_value_report,
        legal_basis="LCSP art. 146.2",
        effects=("evaluation_report",),
    ),
    CpiTransition(
        "open_envelope_c",
        ("tech_evaluated",),
        "econ_opened",
        _("Open the formula envelopes (C)"),
        roles=(COMMITTEE,),
        procedures=frozenset({CPTI}),
        guards=(g.value_report_signed,),
        stamp=stamp_open_envelope("c"),
        legal_basis="LCSP arts. 146.2 and 157.4",
        effects=("committee_minutes", "bid_signatures"),
    ),
    CpiTransition(
        "flag_abnormal",
        ("econ_opened",),
        "abnormal_check",
        _("Flag abnormally low offers"),
        roles=(COMMITTEE,),
        procedures=frozenset({CPTI}),
        guards=(g.formula_scores_computed, g.abnormal_offers_found),
        apply=apply_abnormal_flag,
        legal_basis="LCSP art. 149",
    ),
    CpiTransition(
        "rank",
        ("econ_opened",),
        "ranked",
        _("Rank the offers"),
        roles=(COMMITTEE,),
        procedures=frozenset({CPTI}),
        guards=(g.formula_scores_computed, g.no_pending_abnormal_offers),
        legal_basis="LCSP arts. 145 and 150.1",
    ),
    CpiTransition(
        "decide_abnormal",
        ("abnormal_check",),
        "ranked",
        _("Decide on the abnormally low offers"),
        roles=(OFFICER,),
        procedures=frozenset({CPTI}),
        guards=(g.no_pending_abnormal_offers,),
        legal_basis="LCSP art. 149.4–6",
    ),
    CpiTransition(
        "propose_award",
        ("ranked",),
        "award_proposed",
        _("Propose the award"),
        milestone=Milestone.AWARD_PROPOSAL,
        roles=(COMMITTEE,),
        procedures=frozenset({CPTI}),
        guards=(g.ranking_exists,),
        apply=apply_awards("propose"),
        legal_basis="LCSP arts. 150.1 and 157.6",
        effects=("committee_minutes",),
    ),
    CpiTransition(
        "request_documents",
        ("award_proposed",),
        "documents_requested",
        _("Ask the best-ranked bidder for its documents"),
        roles=(OFFICER,),
        procedures=frozenset({CPTI}),
        guards=(g.ranking_exists,),
        stamp=stamp_documents_requested,
        apply=apply_awards("request"),
        legal_basis="LCSP art. 150.2",
        effects=("documents_requested",),
    ),
    CpiTransition(
        "receive_documents",
        ("documents_requested",),
        "documents_received",
        _("Record the documents received"),
        roles=(OFFICER,),
        procedures=frozenset({CPTI}),
        guards=(g.award_documents_delivered,),
        stamp=stamp_documents_received,
        apply=apply_awards("receive"),
        legal_basis="LCSP art. 150.2",
    ),
    CpiTransition(
        "documents_missed",
        ("documents_requested",),
        "award_proposed",
        _("Documents not received in time: move to the next bidder"),
        procedures=frozenset({CPTI}),
        due=due_documents,
        stamp=stamp_documents_missed,
        apply=apply_awards("missed"),
        legal_basis="LCSP art. 150.2",
    ),
    CpiTransition(
        "award",
        ("documents_received",),
        "awarded",
        _("Award the contract"),
        milestone=Milestone.AWARD,
        roles=(OFFICER,),
        procedures=frozenset({CPTI}),
        guards=(g.award_documents_received, g.signed("award_resolution")),
        stamp=stamp_awarded,
        apply=apply_awards("award"),
        legal_basis="LCSP arts. 150.3 and 151",
        effects=("award_resolution",),
    ),
    CpiTransition(
        "declare_void",
        ("bids_closed", "ranked", "offers_closed", "requests_closed", "final_offers_closed"),
        "void",
        _("Declare the procedure void"),
        roles=(OFFICER,),
        optional=True,
        guards=(g.no_admissible_bids, g.reason_given),
        needs_reason=True,
        legal_basis="LCSP art. 150.3",
        effects=("void_resolution",),
    ),
    # ---- award → contract, shared by CPTI and the partnership --------------------------------
    CpiTransition(
        "start_standstill",
        ("awarded",),
        "standstill",
        _("Start the standstill period"),
        milestone=Milestone.STANDSTILL,
        procedures=frozenset({CPTI, PARTNERSHIP}),
        due=due_awarded,
        guards=(g.special_appeal_applies,),
        stamp=stamp_standstill,
        legal_basis="LCSP arts. 44.1 and 153.3",
    ),
    CpiTransition(
        "skip_standstill",
        ("awarded",),
        "awaiting_signature",
        _("No standstill: await signature"),
        procedures=frozenset({CPTI, PARTNERSHIP}),
        due=due_awarded,
        guards=(g.special_appeal_does_not_apply,),
        legal_basis="LCSP arts. 44.1 and 153.3",
    ),
    CpiTransition(
        "end_standstill",
        ("standstill",),
        "awaiting_signature",
        _("End the standstill period"),
        procedures=frozenset({CPTI, PARTNERSHIP}),
        due=due_standstill_end,
        legal_basis="LCSP art. 153.3",
    ),
    CpiTransition(
        "record_appeal",
        # From the standstill, and after it: a bidder whose period started late (DA 15ª: on
        # access to the notification) may still appeal in time once the standstill is over, and
        # the appeal suspends the procedure all the same until the contract is signed (art. 53).
        ("standstill", "awaiting_signature"),
        "suspended_appeal",
        _("Record a special appeal against the award"),
        milestone=Milestone.APPEAL_SUSPENSION,
        # The officer records an appeal received on paper or announced by the tribunal; an
        # appeal lodged on the platform suspends by itself (``by_system``, LCSP art. 53).
        roles=(OFFICER,),
        optional=True,
        by_system=True,
        procedures=frozenset({CPTI, PARTNERSHIP}),
        guards=(g.special_appeal_applies, g.reason_given),
        needs_reason=True,
        legal_basis="LCSP arts. 44, 53 and 39.2.e",
        effects=("appeal_suspension",),
    ),
    CpiTransition(
        "dismiss_appeal",
        ("suspended_appeal",),
        "awaiting_signature",
        _("Record the appeal's dismissal"),
        milestone=Milestone.APPEAL_RESOLUTION,
        roles=(OFFICER,),
        procedures=frozenset({CPTI, PARTNERSHIP}),
        guards=(g.reason_given,),
        needs_reason=True,
        legal_basis="LCSP art. 57",
        effects=("appeal_resolution",),
    ),
    CpiTransition(
        "uphold_appeal",
        ("suspended_appeal",),
        "ranked",
        _("Record that the appeal annulled the award"),
        milestone=Milestone.AWARD_ANNULMENT,
        roles=(OFFICER,),
        procedures=frozenset({CPTI}),
        guards=(g.reason_given,),
        needs_reason=True,
        stamp=stamp_award_annulled,
        apply=apply_awards("annul"),
        legal_basis="LCSP art. 57.2",
        effects=("award_annulled",),
    ),
    CpiTransition(
        "uphold_partnership_appeal",
        ("suspended_appeal",),
        "offers_evaluated",
        _("Record that the appeal annulled the award"),
        milestone=Milestone.AWARD_ANNULMENT,
        roles=(OFFICER,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(g.reason_given,),
        needs_reason=True,
        stamp=stamp_award_annulled,
        legal_basis="LCSP art. 57.2",
        effects=("award_annulled",),
    ),
    CpiTransition(
        "sign_contract",
        ("awaiting_signature",),
        "contract_signed",
        _("Sign the contract"),
        milestone=Milestone.CONTRACT,
        roles=(OFFICER,),
        procedures=frozenset({CPTI}),
        guards=(g.standstill_over, g.signed("contract")),
        stamp=stamp_contract_signed,
        apply=apply_awards("sign"),
        legal_basis="LCSP arts. 153 and 39.2.e",
        effects=("contract",),
    ),
    CpiTransition(
        "close",
        ("contract_signed", "final_evaluation", "purchase_decided"),
        "closed",
        _("Close the process"),
        roles=(OFFICER,),
        legal_basis="LCSP art. 210",
    ),
    CpiTransition(
        "cancel",
        PRE_AWARD_STATES,
        "cancelled",
        _("Cancel the process"),
        roles=(OFFICER,),
        optional=True,
        guards=(g.reason_given,),
        needs_reason=True,
        legal_basis="LCSP art. 152",
        effects=("cancellation",),
    ),
    # ---- PCP: pre-commercial procurement in phases --------------------------------------------
    CpiTransition(
        "publish_call",
        ("file_approved",),
        "call_published",
        _("Publish the PCP call"),
        milestone=Milestone.TENDER_NOTICE,
        roles=(OFFICER,),
        procedures=frozenset({PCP}),
        guards=(g.minimum_call_period,),
        data=(DEADLINE,),
        stamp=stamp_publish_with_deadline,
        legal_basis="LCSP arts. 4 and 8; COM(2007) 799",
        effects=("publication", "tender_notice"),
    ),
    CpiTransition(
        "close_call",
        ("call_published",),
        "offers_closed",
        _("Close the call"),
        procedures=frozenset({PCP}),
        due=due_submission_deadline,
        apply=apply_offers_open,
        legal_basis="LCSP art. 8",
    ),
    # Suppliers submit their offers themselves (``tenders.phases``); an officer records one
    # received outside the platform only as an exception, with its reasons in the audit row.
    CpiTransition(
        "register_applicant",
        ("offers_closed", "requests_closed"),
        "=",
        _("Record an offer or request received outside the platform (exception)"),
        roles=(OFFICER,),
        procedures=frozenset({PCP, PARTNERSHIP}),
        guards=(g.supplier_given, g.offer_exception_reasoned),
        needs_reason=True,
        data=(DataField("supplier", "int", _("Supplier")),),
        apply=apply_register_applicant,
        legal_basis="LCSP arts. 139 and 178.1",
    ),
    CpiTransition(
        "select_suppliers",
        ("offers_closed",),
        "suppliers_selected",
        _("Select the suppliers for phase 1"),
        milestone=Milestone.AWARD,
        roles=(COMMITTEE,),
        procedures=frozenset({PCP}),
        guards=(
            g.selection_meets_minimum("suppliers", _pcp_min_start, "PCP practice", "applicant"),
        ),
        data=(DataField("suppliers", "ids", _("Suppliers selected")),),
        apply=apply_select_suppliers,
        legal_basis="COM(2007) 799; LCSP art. 8",
        effects=("award_resolution",),
    ),
    CpiTransition(
        "start_phase1",
        ("suppliers_selected",),
        "phase1_design",
        _("Sign the phase-1 contracts and start solution design"),
        milestone=Milestone.CONTRACT,
        roles=(OFFICER,),
        procedures=frozenset({PCP}),
        guards=(g.phase_end_given, g.phase1_contracts_ready),
        data=(PHASE_END,),
        stamp=stamp_phase,
        apply=apply_phase1_start,
        legal_basis="COM(2007) 799",
        effects=("contract",),
    ),
    CpiTransition(
        "end_phase1",
        ("phase1_design",),
        "phase1_gate",
        _("End phase 1"),
        procedures=frozenset({PCP}),
        due=due_phase_end,
        stamp=stamp_phase_over,
        legal_basis="COM(2007) 799",
    ),
    CpiTransition(
        "evaluate_phase",
        ("phase1_gate", "phase2_gate", "final_evaluation", "rd_gate"),
        "=",
        _("Close the scored evaluation of the phase and issue its report"),
        roles=(COMMITTEE,),
        procedures=frozenset({PCP, PARTNERSHIP}),
        guards=(g.phase_scores_complete,),
        apply=apply_phase_evaluation,
        legal_basis="COM(2007) 799; LCSP art. 180.1",
        effects=("phase_evaluation",),
    ),
    CpiTransition(
        "pass_gate1",
        ("phase1_gate",),
        "phase2_prototype",
        _("Evaluate phase 1 and keep suppliers for the prototype"),
        roles=(COMMITTEE,),
        procedures=frozenset({PCP}),
        guards=(
            g.selection_meets_minimum("keep", _pcp_min_final, "PCP practice", "selected"),
            g.phase_end_given,
            g.gate_keeps_evaluated,
        ),
        data=(DataField("keep", "ids", _("Suppliers kept")), PHASE_END),
        stamp=stamp_phase,
        apply=apply_gate,
        legal_basis="COM(2007) 799",
        effects=("phase_gate",),
    ),
    CpiTransition(
        "end_phase2",
        ("phase2_prototype",),
        "phase2_gate",
        _("End phase 2"),
        procedures=frozenset({PCP}),
        due=due_phase_end,
        stamp=stamp_phase_over,
        legal_basis="COM(2007) 799",
    ),
    CpiTransition(
        "pass_gate2",
        ("phase2_gate",),
        "phase3_field_test",
        _("Evaluate the prototypes and keep suppliers for the field test"),
        roles=(COMMITTEE,),
        procedures=frozenset({PCP}),
        guards=(
            g.selection_meets_minimum("keep", _pcp_min_final, "PCP practice", "selected"),
            g.phase_end_given,
            g.gate_keeps_evaluated,
        ),
        data=(DataField("keep", "ids", _("Suppliers kept")), PHASE_END),
        stamp=stamp_phase,
        apply=apply_gate,
        legal_basis="COM(2007) 799",
        effects=("phase_gate",),
    ),
    CpiTransition(
        "end_phase3",
        ("phase3_field_test",),
        "final_evaluation",
        _("End the field test"),
        procedures=frozenset({PCP}),
        due=due_phase_end,
        stamp=stamp_phase_over,
        legal_basis="COM(2007) 799",
    ),
    CpiTransition(
        "terminate",
        ("phase1_gate", "phase2_gate", "rd_gate"),
        "terminated",
        _("Terminate at this gate"),
        roles=(OFFICER,),
        optional=True,
        procedures=frozenset({PCP, PARTNERSHIP}),
        guards=(g.gate_evaluated, g.reason_given),
        needs_reason=True,
        legal_basis="LCSP art. 180.1",
    ),
    # ---- innovation partnership (LCSP arts. 177–182) ------------------------------------------
    CpiTransition(
        "publish_notice",
        ("file_approved",),
        "notice_published",
        _("Publish the partnership notice"),
        milestone=Milestone.TENDER_NOTICE,
        roles=(OFFICER,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(g.minimum_request_period,),
        data=(DEADLINE,),
        stamp=stamp_publish_with_deadline,
        legal_basis="LCSP arts. 135, 177 and 178.2",
        effects=("publication", "tender_notice"),
    ),
    CpiTransition(
        "close_requests",
        ("notice_published",),
        "requests_closed",
        _("Close the requests to participate"),
        procedures=frozenset({PARTNERSHIP}),
        due=due_submission_deadline,
        # The candidates' sealed requests open: each one submitted makes its candidate an
        # applicant (LCSP art. 178.1).
        apply=apply_offers_open,
        legal_basis="LCSP art. 178",
    ),
    CpiTransition(
        "select_candidates",
        ("requests_closed",),
        "candidates_selected",
        _("Select the candidates to negotiate with"),
        roles=(COMMITTEE,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(
            g.selection_meets_minimum(
                "candidates", _partnership_min, "LCSP art. 178.3", "applicant"
            ),
        ),
        data=(DataField("candidates", "ids", _("Candidates selected")),),
        apply=apply_keep("candidates"),
        legal_basis="LCSP arts. 178.3 and 162.2",
        effects=("committee_minutes",),
    ),
    CpiTransition(
        "open_negotiation",
        ("candidates_selected",),
        "negotiating",
        _("Invite the candidates and open the negotiation"),
        roles=(OFFICER,),
        procedures=frozenset({PARTNERSHIP}),
        legal_basis="LCSP art. 179.1",
        effects=("invitation",),
    ),
    CpiTransition(
        "record_negotiation_round",
        ("negotiating",),
        "=",
        _("Record a negotiation round"),
        roles=(COMMITTEE,),
        optional=True,
        procedures=frozenset({PARTNERSHIP}),
        guards=(g.minutes_given,),
        data=(DataField("minutes", "text", _("Minutes of the round")),),
        stamp=stamp_negotiation_round,
        legal_basis="LCSP art. 179.3–6",
        effects=("negotiation_minutes",),
    ),
    CpiTransition(
        "call_final_offers",
        ("negotiating",),
        "final_offers",
        _("Call for final offers"),
        roles=(OFFICER,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(g.negotiation_held, g.deadline_in_future),
        data=(DEADLINE,),
        stamp=stamp_deadline,
        legal_basis="LCSP art. 179",
    ),
    CpiTransition(
        "close_final_offers",
        ("final_offers",),
        "final_offers_closed",
        _("Close the final offers"),
        procedures=frozenset({PARTNERSHIP}),
        due=due_submission_deadline,
        legal_basis="LCSP art. 179",
    ),
    CpiTransition(
        "evaluate_offers",
        ("final_offers_closed",),
        "offers_evaluated",
        _("Evaluate the final offers"),
        roles=(COMMITTEE,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(g.final_offers_scored,),
        legal_basis="LCSP arts. 145.2 and 179.2",
        effects=("evaluation_report",),
    ),
    CpiTransition(
        "award_partners",
        ("offers_evaluated",),
        "awarded",
        _("Award the partnership"),
        milestone=Milestone.AWARD,
        roles=(OFFICER,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(
            g.selection_meets_minimum("partners", _one, "LCSP art. 177.2", "selected"),
            g.partners_made_final_offers,
            g.signed("award_resolution"),
        ),
        data=(DataField("partners", "ids", _("Partners")),),
        stamp=stamp_awarded,
        apply=apply_partners,
        legal_basis="LCSP arts. 150.3, 151 and 177.2",
        effects=("award_resolution",),
    ),
    CpiTransition(
        "sign_partnership",
        ("awaiting_signature",),
        "rd_phase",
        _("Sign the partnership and start R&D phase 1"),
        milestone=Milestone.CONTRACT,
        roles=(OFFICER,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(
            g.standstill_over,
            g.phase_end_given,
            g.rd_contracts_ready,
            g.signed("contract"),
        ),
        data=(PHASE_END,),
        stamp=stamp_rd_started,
        apply=apply_partnership_signed,
        legal_basis="LCSP arts. 153 and 180",
        effects=("contract",),
    ),
    CpiTransition(
        "end_rd_phase",
        ("rd_phase",),
        "rd_gate",
        _("End the R&D phase"),
        procedures=frozenset({PARTNERSHIP}),
        due=due_phase_end,
        stamp=stamp_phase_over,
        legal_basis="LCSP art. 180.1",
    ),
    CpiTransition(
        "continue_rd",
        ("rd_gate",),
        "rd_phase",
        _("Continue to the next R&D phase (optionally with fewer partners)"),
        roles=(OFFICER,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(
            g.more_rd_phases,
            g.phase_end_given,
            g.rd_gate_keeps_evaluated,
        ),
        data=(DataField("keep", "ids", _("Partners kept"), required=False), PHASE_END),
        stamp=stamp_rd_next,
        apply=apply_rd_gate,
        legal_basis="LCSP art. 180.1",
        # The phase's evaluation report is ``evaluate_phase``'s; the gate publishes who goes on
        # and the next phase's contracts, as a PCP gate does.
        effects=("phase_gate",),
    ),
    CpiTransition(
        "finish_rd",
        ("rd_gate",),
        "purchase_decision",
        _("Finish the R&D"),
        roles=(OFFICER,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(g.last_rd_phase, g.gate_evaluated),
        legal_basis="LCSP arts. 180.1 and 181",
    ),
    CpiTransition(
        "decide_purchase",
        ("purchase_decision",),
        "purchase_decided",
        _("Decide whether to buy the results"),
        roles=(OFFICER,),
        procedures=frozenset({PARTNERSHIP}),
        guards=(g.purchase_decision_given, g.purchase_terms_given, g.reason_given),
        needs_reason=True,
        data=(
            DataField("purchase", "bool", _("Buy the results")),
            DataField("supplier", "int", _("Partner whose results are bought"), required=False),
            DataField("items", "text", _("What is bought"), required=False),
            DataField("amount", "text", _("Price without VAT"), required=False),
        ),
        stamp=stamp_purchase,
        legal_basis="LCSP art. 181",
        effects=("purchase_resolution",),
    ),
]

assert len({t.name for t in TRANSITIONS}) == len(TRANSITIONS), "transition names are unique"
ALL_PROCEDURES = ALL

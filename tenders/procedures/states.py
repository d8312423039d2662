"""Every state of the three procedures, with the stage the dashboard groups it under and what
the rest of the code asks about it (what may be edited, which dates run out, what OCDS says).

States shared by several procedures (award, standstill, closed…) are defined once; which
transitions leave them depends on the procedure (see the transition tables).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tenders.procedures.base import Edit
from workflows.machine import State

NEED, CONSULTATION, PREPARATION, TENDERING, EVALUATION, AWARD, EXECUTION, ENDED = (
    "need",
    "consultation",
    "preparation",
    "tendering",
    "evaluation",
    "award",
    "execution",
    "ended",
)
STAGES = [
    (NEED, _("Need")),
    (CONSULTATION, _("Market consultation")),
    (PREPARATION, _("Preparation")),
    (TENDERING, _("Tendering")),
    (EVALUATION, _("Evaluation")),
    (AWARD, _("Award")),
    (EXECUTION, _("Execution")),
    (ENDED, _("Ended")),
]

# OCDS tenderStatus (closed codelist) of a process by the stage of its state; the ends say
# their own (a closed process is complete, a void one unsuccessful).
OCDS_STATUS_BY_STAGE = {
    NEED: "planning",
    CONSULTATION: "planning",
    PREPARATION: "planning",
    TENDERING: "active",
    EVALUATION: "active",
    AWARD: "complete",
    EXECUTION: "complete",
}


@dataclass(frozen=True)
class Deadline:
    """A date of the process that runs out while it is in a state, as its page lists it."""

    label: Promise
    moment: Callable[[Any], dt.datetime | None]


def _consultation_date(attribute: str) -> Callable[[Any], dt.datetime | None]:
    def moment(process) -> dt.datetime | None:
        consultation = process.consultation_for_engine()
        return getattr(consultation, attribute) if consultation else None

    return moment


CONSULTATION_OPENS = Deadline(_("Consultation opens"), _consultation_date("opens_at"))
CONSULTATION_CLOSES = Deadline(_("Consultation closes"), _consultation_date("closes_at"))
SUBMISSIONS = Deadline(_("Deadline for submissions"), lambda p: p.submission_deadline)
DOCUMENTS_DUE = Deadline(_("Documents due"), lambda p: p.documents_due_at)
STANDSTILL_ENDS = Deadline(_("Standstill ends"), lambda p: p.standstill_ends_at)
PHASE_ENDS = Deadline(_("Current phase ends"), lambda p: p.phase_ends_at)


@dataclass(frozen=True)
class CpiState(State):
    """A state with the answers the rest of the code asks of it instead of comparing names.

    ``editable``: what may be written on the process in this state (``Edit``);
    ``deadlines``: the process's dates that run out in it, in the order its page lists them;
    ``envelope_a_open``: whether the city reads the bids' envelopes A (from the bids' closing
    on, LCSP art. 157.3); ``ocds_status``: the OCDS tenderStatus of the process in it, by
    default the one of its stage; ``phase``: the PCP phase it runs or closes (0: none; a
    partnership counts its R&D phases in ``rd_phase``).
    """

    editable: frozenset[Edit] = frozenset()
    deadlines: tuple[Deadline, ...] = ()
    envelope_a_open: bool = False
    ocds_status: str = ""
    phase: int = 0

    def __post_init__(self) -> None:
        if not self.ocds_status:
            object.__setattr__(self, "ocds_status", OCDS_STATUS_BY_STAGE[self.stage])


# Until the file is approved the need, the specifications, the lots and the award criteria may
# change; approval freezes them (cpi-process.md §6.1, LCSP art. 122.1).
PREPARING = frozenset({Edit.SPECS, Edit.LOTS, Edit.CRITERIA, Edit.PHASES})

STATES: list[CpiState] = [
    # The shared front (cpi-process.md §6.1).
    CpiState("need_draft", _("Need drafted"), NEED, editable=PREPARING),
    CpiState("need_validated", _("Need validated"), NEED, editable=PREPARING),
    CpiState("demand_map", _("In the early demand map"), NEED, editable=PREPARING),
    CpiState(
        "consultation_draft",
        _("Consultation being drafted"),
        CONSULTATION,
        editable=PREPARING | {Edit.CONSULTATION},
    ),
    CpiState(
        "consultation_announced",
        _("Consultation announced"),
        CONSULTATION,
        editable=PREPARING | {Edit.CLARIFICATIONS, Edit.RESPONSES},
        deadlines=(CONSULTATION_OPENS, CONSULTATION_CLOSES),
    ),
    CpiState(
        "consultation_open",
        _("Consultation open"),
        CONSULTATION,
        editable=PREPARING | {Edit.CLARIFICATIONS, Edit.RESPONSES},
        deadlines=(CONSULTATION_CLOSES,),
    ),
    CpiState(
        "consultation_closed",
        _("Consultation closed"),
        CONSULTATION,
        editable=PREPARING | {Edit.CLARIFICATIONS, Edit.SUMMARIES},
    ),
    CpiState(
        "report_draft",
        _("Consultation report being drafted"),
        CONSULTATION,
        editable=PREPARING | {Edit.CLARIFICATIONS, Edit.SUMMARIES, Edit.REPORT},
    ),
    CpiState(
        "report_published", _("Consultation report published"), CONSULTATION, editable=PREPARING
    ),
    CpiState(
        "consultation_skipped",
        _("Consultation skipped (reasoned)"),
        PREPARATION,
        editable=PREPARING,
    ),
    CpiState("specs_draft", _("Functional specifications"), PREPARATION, editable=PREPARING),
    CpiState("procedure_chosen", _("Procedure chosen"), PREPARATION, editable=PREPARING),
    CpiState("file_drafted", _("File (expediente) drafted"), PREPARATION),
    CpiState("file_approved", _("File approved"), PREPARATION),
    # CPTI open procedure (§6.2).
    CpiState(
        "published",
        _("Tender published"),
        TENDERING,
        editable=frozenset({Edit.BIDS}),
        deadlines=(SUBMISSIONS,),
    ),
    CpiState(
        "bids_closed",
        _("Bids closed"),
        TENDERING,
        editable=frozenset({Edit.ADMISSION}),
        envelope_a_open=True,
    ),
    CpiState("admin_checked", _("Administrative check done"), EVALUATION, envelope_a_open=True),
    CpiState(
        "tech_opened",
        _("Value-judgement envelopes opened"),
        EVALUATION,
        editable=frozenset({Edit.VALUE_SCORES}),
        envelope_a_open=True,
    ),
    CpiState(
        "tech_evaluated", _("Value-judgement report signed"), EVALUATION, envelope_a_open=True
    ),
    CpiState("econ_opened", _("Formula envelopes opened"), EVALUATION, envelope_a_open=True),
    CpiState(
        "abnormal_check",
        _("Abnormally low offers under review"),
        EVALUATION,
        editable=frozenset({Edit.ABNORMAL}),
        envelope_a_open=True,
    ),
    CpiState("ranked", _("Offers ranked"), EVALUATION, envelope_a_open=True),
    CpiState("award_proposed", _("Award proposed"), AWARD, envelope_a_open=True),
    CpiState(
        "documents_requested",
        _("Documents requested from the bidder"),
        AWARD,
        deadlines=(DOCUMENTS_DUE,),
        envelope_a_open=True,
    ),
    CpiState("documents_received", _("Documents received"), AWARD, envelope_a_open=True),
    CpiState("contract_signed", _("Contract signed"), EXECUTION, envelope_a_open=True),
    # PCP (§6.3).
    CpiState(
        "call_published",
        _("PCP call published"),
        TENDERING,
        editable=frozenset({Edit.PHASE_OFFERS}),
        deadlines=(SUBMISSIONS,),
    ),
    CpiState("offers_closed", _("Offers closed"), TENDERING),
    CpiState("suppliers_selected", _("Suppliers selected"), EVALUATION),
    CpiState(
        "phase1_design",
        _("Phase 1: solution design"),
        EXECUTION,
        deadlines=(PHASE_ENDS,),
        phase=1,
    ),
    CpiState("phase1_gate", _("Gate after phase 1"), EXECUTION, phase=1),
    CpiState(
        "phase2_prototype", _("Phase 2: prototype"), EXECUTION, deadlines=(PHASE_ENDS,), phase=2
    ),
    CpiState("phase2_gate", _("Gate after phase 2"), EXECUTION, phase=2),
    CpiState(
        "phase3_field_test",
        _("Phase 3: field test"),
        EXECUTION,
        deadlines=(PHASE_ENDS,),
        phase=3,
    ),
    CpiState("final_evaluation", _("Final evaluation"), EXECUTION, phase=3),
    # Innovation partnership (§6.4).
    CpiState(
        "notice_published",
        _("Partnership notice published"),
        TENDERING,
        editable=frozenset({Edit.PHASE_REQUESTS}),
        deadlines=(SUBMISSIONS,),
    ),
    CpiState("requests_closed", _("Requests to participate closed"), TENDERING),
    CpiState("candidates_selected", _("Candidates selected"), EVALUATION),
    CpiState("negotiating", _("Negotiating"), EVALUATION),
    CpiState(
        "final_offers",
        _("Final offers invited"),
        EVALUATION,
        editable=frozenset({Edit.PHASE_OFFERS}),
        deadlines=(SUBMISSIONS,),
    ),
    CpiState(
        "final_offers_closed",
        _("Final offers closed"),
        EVALUATION,
        editable=frozenset({Edit.FINAL_OFFER_SCORES}),
    ),
    CpiState("offers_evaluated", _("Final offers evaluated"), EVALUATION),
    CpiState("rd_phase", _("R&D phase running"), EXECUTION, deadlines=(PHASE_ENDS,)),
    CpiState("rd_gate", _("Gate after an R&D phase"), EXECUTION),
    CpiState("purchase_decision", _("Purchase decision pending"), EXECUTION),
    CpiState("purchase_decided", _("Purchase decided"), EXECUTION),
    # Shared by the procedures that award (CPTI, partnership).
    CpiState("awarded", _("Awarded"), AWARD, envelope_a_open=True),
    CpiState(
        "standstill",
        _("Standstill period"),
        AWARD,
        deadlines=(STANDSTILL_ENDS,),
        envelope_a_open=True,
    ),
    CpiState("suspended_appeal", _("Suspended by an appeal"), AWARD, envelope_a_open=True),
    CpiState("awaiting_signature", _("Awaiting signature"), AWARD, envelope_a_open=True),
    # Ends. OCDS counts a process terminated at a gate as complete: its phases were carried out.
    CpiState(
        "closed",
        _("Closed"),
        ENDED,
        final=True,
        envelope_a_open=True,
        ocds_status="complete",
    ),
    CpiState("cancelled", _("Cancelled"), ENDED, final=True, ocds_status="cancelled"),
    CpiState(
        "void",
        _("Void (no valid offers)"),
        ENDED,
        final=True,
        envelope_a_open=True,
        ocds_status="unsuccessful",
    ),
    CpiState("terminated", _("Terminated at a gate"), ENDED, final=True, ocds_status="complete"),
]

STATE_BY_NAME = {state.name: state for state in STATES}
INITIAL_STATE = "need_draft"

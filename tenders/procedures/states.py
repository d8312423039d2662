"""Every state of the three procedures, with the stage the dashboard groups it under.

States shared by several procedures (award, standstill, closed…) are defined once; which
transitions leave them depends on the procedure (see the transition tables).
"""

from django.utils.translation import gettext_lazy as _

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

STATES: list[State] = [
    # The shared front (cpi-process.md §6.1).
    State("need_draft", _("Need drafted"), NEED),
    State("need_validated", _("Need validated"), NEED),
    State("demand_map", _("In the early demand map"), NEED),
    State("consultation_draft", _("Consultation being drafted"), CONSULTATION),
    State("consultation_announced", _("Consultation announced"), CONSULTATION),
    State("consultation_open", _("Consultation open"), CONSULTATION),
    State("consultation_closed", _("Consultation closed"), CONSULTATION),
    State("report_draft", _("Consultation report being drafted"), CONSULTATION),
    State("report_published", _("Consultation report published"), CONSULTATION),
    State("consultation_skipped", _("Consultation skipped (reasoned)"), PREPARATION),
    State("specs_draft", _("Functional specifications"), PREPARATION),
    State("procedure_chosen", _("Procedure chosen"), PREPARATION),
    State("file_drafted", _("File (expediente) drafted"), PREPARATION),
    State("file_approved", _("File approved"), PREPARATION),
    # CPTI open procedure (§6.2).
    State("published", _("Tender published"), TENDERING),
    State("bids_closed", _("Bids closed"), TENDERING),
    State("admin_checked", _("Administrative check done"), EVALUATION),
    State("tech_opened", _("Value-judgement envelopes opened"), EVALUATION),
    State("tech_evaluated", _("Value-judgement report signed"), EVALUATION),
    State("econ_opened", _("Formula envelopes opened"), EVALUATION),
    State("abnormal_check", _("Abnormally low offers under review"), EVALUATION),
    State("ranked", _("Offers ranked"), EVALUATION),
    State("award_proposed", _("Award proposed"), AWARD),
    State("documents_requested", _("Documents requested from the bidder"), AWARD),
    State("documents_received", _("Documents received"), AWARD),
    State("contract_signed", _("Contract signed"), EXECUTION),
    # PCP (§6.3).
    State("call_published", _("PCP call published"), TENDERING),
    State("offers_closed", _("Offers closed"), TENDERING),
    State("suppliers_selected", _("Suppliers selected"), EVALUATION),
    State("phase1_design", _("Phase 1: solution design"), EXECUTION),
    State("phase1_gate", _("Gate after phase 1"), EXECUTION),
    State("phase2_prototype", _("Phase 2: prototype"), EXECUTION),
    State("phase2_gate", _("Gate after phase 2"), EXECUTION),
    State("phase3_field_test", _("Phase 3: field test"), EXECUTION),
    State("final_evaluation", _("Final evaluation"), EXECUTION),
    # Innovation partnership (§6.4).
    State("notice_published", _("Partnership notice published"), TENDERING),
    State("requests_closed", _("Requests to participate closed"), TENDERING),
    State("candidates_selected", _("Candidates selected"), EVALUATION),
    State("negotiating", _("Negotiating"), EVALUATION),
    State("final_offers", _("Final offers invited"), EVALUATION),
    State("final_offers_closed", _("Final offers closed"), EVALUATION),
    State("offers_evaluated", _("Final offers evaluated"), EVALUATION),
    State("rd_phase", _("R&D phase running"), EXECUTION),
    State("rd_gate", _("Gate after an R&D phase"), EXECUTION),
    State("purchase_decision", _("Purchase decision pending"), EXECUTION),
    State("purchase_decided", _("Purchase decided"), EXECUTION),
    # Shared by the procedures that award (CPTI, partnership).
    State("awarded", _("Awarded"), AWARD),
    State("standstill", _("Standstill period"), AWARD),
    State("suspended_appeal", _("Suspended by an appeal"), AWARD),
    State("awaiting_signature", _("Awaiting signature"), AWARD),
    # Ends.
    State("closed", _("Closed"), ENDED, final=True),
    State("cancelled", _("Cancelled"), ENDED, final=True),
    State("void", _("Void (no valid offers)"), ENDED, final=True),
    State("terminated", _("Terminated at a gate"), ENDED, final=True),
]

STATE_BY_NAME = {state.name: state for state in STATES}
INITIAL_STATE = "need_draft"

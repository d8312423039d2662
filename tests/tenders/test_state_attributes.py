"""What the states and transitions say about themselves, pinned by name.

The rest of the code asks these attributes instead of comparing names; the tables below are
the lists it used to keep, so a change to a definition shows here as a change of behaviour.
"""

import pytest

from tenders.procedures import (
    CPTI,
    MAIN_LINES,
    STATE_BY_NAME,
    STATES,
    TRANSITIONS,
    Edit,
    Milestone,
    states_where,
    steps_marking,
)
from tenders.procedures.states import (
    CONSULTATION_CLOSES,
    CONSULTATION_OPENS,
    DOCUMENTS_DUE,
    PHASE_ENDS,
    STANDSTILL_ENDS,
    SUBMISSIONS,
)

PREPARING = {
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
}

EDITABLE = {
    # The file's approval freezes the need, the specifications and the PCAP (LCSP art. 122.1).
    Edit.SPECS: PREPARING,
    Edit.LOTS: PREPARING,
    Edit.CRITERIA: PREPARING,
    # A PCP's phases are part of its call, frozen with the file like the PCAP (#16).
    Edit.PHASES: PREPARING,
    # Sealed PCP offers and partnership final offers, until their deadline; requests to
    # participate in a partnership while its notice is open (LCSP arts. 178.1 and 179).
    Edit.PHASE_OFFERS: {"call_published", "final_offers"},
    Edit.PHASE_REQUESTS: {"notice_published"},
    Edit.FINAL_OFFER_SCORES: {"final_offers_closed"},
    Edit.CONSULTATION: {"consultation_draft"},
    Edit.CLARIFICATIONS: {
        "consultation_announced",
        "consultation_open",
        "consultation_closed",
        "report_draft",
    },
    Edit.RESPONSES: {"consultation_announced", "consultation_open"},
    Edit.SUMMARIES: {"consultation_closed", "report_draft"},
    Edit.REPORT: {"report_draft"},
    Edit.BIDS: {"published"},
    Edit.ADMISSION: {"bids_closed"},
    Edit.VALUE_SCORES: {"tech_opened"},
    Edit.ABNORMAL: {"abnormal_check"},
}


@pytest.mark.parametrize("what", list(Edit))
def test_each_thing_is_editable_in_exactly_its_states(what):
    assert set(states_where(editable=what)) == EDITABLE[what]


def test_envelope_a_opens_with_the_bids_closing():
    cpti = MAIN_LINES[CPTI]
    expected = set(cpti[cpti.index("bids_closed") :]) | {
        "abnormal_check",
        "suspended_appeal",
        "void",
    }
    assert {s.name for s in STATES if s.envelope_a_open} == expected


def test_each_state_runs_the_deadlines_its_page_shows():
    running = {s.name: s.deadlines for s in STATES if s.deadlines}
    assert running == {
        "consultation_announced": (CONSULTATION_OPENS, CONSULTATION_CLOSES),
        "consultation_open": (CONSULTATION_CLOSES,),
        "published": (SUBMISSIONS,),
        "call_published": (SUBMISSIONS,),
        "notice_published": (SUBMISSIONS,),
        "final_offers": (SUBMISSIONS,),
        "documents_requested": (DOCUMENTS_DUE,),
        "standstill": (STANDSTILL_ENDS,),
        "phase1_design": (PHASE_ENDS,),
        "phase2_prototype": (PHASE_ENDS,),
        "phase3_field_test": (PHASE_ENDS,),
        "rd_phase": (PHASE_ENDS,),
    }


def test_the_phase_deadline_runs_exactly_while_a_phase_is_open():
    """The page shows the phase's end only in these states: the transitions into them set
    ``phase_ends_at`` and the ones out of them clear it."""
    sets = {t.target for t in TRANSITIONS if "phase_ends_at" in {f.name for f in t.data}}
    clears = {
        s for t in TRANSITIONS if t.stamp and "phase_over" in t.stamp.__name__ for s in t.sources
    }
    phases = {s.name for s in STATES if PHASE_ENDS in s.deadlines}
    assert phases == sets == clears


def test_the_ocds_status_follows_the_stage_and_the_end():
    by_stage = {"tendering": "active", "evaluation": "active", "award": "complete"}
    by_stage |= {"execution": "complete", "need": "planning", "consultation": "planning"}
    by_stage |= {"preparation": "planning"}
    by_end = {"closed": "complete", "terminated": "complete", "cancelled": "cancelled"}
    by_end |= {"void": "unsuccessful"}
    for state in STATES:
        expected = by_end[state.name] if state.final else by_stage[state.stage]
        assert state.ocds_status == expected, state.name
    assert STATE_BY_NAME["closed"].final


MILESTONES = {
    Milestone.NEED_NOTICE: {"publish_demand_map"},
    Milestone.CONSULTATION_NOTICE: {"publish_consultation"},
    Milestone.CONSULTATION_END: {"close_consultation"},
    Milestone.CONSULTATION_REPORT: {"publish_report"},
    Milestone.TENDER_NOTICE: {"publish_tender", "publish_call", "publish_notice"},
    Milestone.DEADLINE_EXTENSION: {"extend_deadline"},
    Milestone.BIDS_CLOSING: {"close_bids"},
    Milestone.AWARD_PROPOSAL: {"propose_award"},
    Milestone.AWARD: {"award", "select_suppliers", "award_partners"},
    Milestone.AWARD_ANNULMENT: {"uphold_appeal", "uphold_partnership_appeal"},
    Milestone.APPEAL_SUSPENSION: {"record_appeal"},
    Milestone.APPEAL_RESOLUTION: {"dismiss_appeal"},
    Milestone.STANDSTILL: {"start_standstill"},
    Milestone.CONTRACT: {"sign_contract", "start_phase1", "sign_partnership"},
}


@pytest.mark.parametrize("milestone", list(Milestone))
def test_each_milestone_is_marked_by_exactly_its_steps(milestone):
    assert steps_marking(milestone) == MILESTONES[milestone]


def test_the_award_milestone_of_a_cpti_tender_is_the_award_step_alone():
    """The OCDS builder reads a CPTI tender's award rows from its award milestones."""
    cpti = {t.name for t in TRANSITIONS if t.belongs_to(CPTI)}
    assert steps_marking(Milestone.AWARD) & cpti == {"award"}

"""The three CPI procedures as data: states, transitions, and the main line each diagram draws.

The only home of state and transition names: the rest of the code asks the definitions here
(``MACHINE``, the states' and transitions' attributes) rather than comparing names.
"""

from functools import cache

from django.utils.translation import gettext_lazy as _

from tenders.procedures.base import ALL, CPTI, PARTNERSHIP, PCP, Edit, Milestone
from tenders.procedures.names import S, T
from tenders.procedures.states import INITIAL_STATE, STAGES, STATE_BY_NAME, STATES, CpiState
from tenders.procedures.transitions import TRANSITIONS as _DEFINED
from tenders.procedures.transitions import CpiTransition
from workflows.machine import DataField, Machine, Procedure, State, Transition, target_of

PROCEDURE_CHOICES = [
    (CPTI, _("CPTI open procedure")),
    (PCP, _("Pre-commercial procurement (PCP)")),
    (PARTNERSHIP, _("Innovation partnership")),
]

_FRONT = [
    "need_draft",
    "need_validated",
    "demand_map",
    "consultation_draft",
    "consultation_announced",
    "consultation_open",
    "consultation_closed",
    "report_draft",
    "report_published",
    "specs_draft",
    "procedure_chosen",
    "file_drafted",
    "file_approved",
]
MAIN_LINES = {
    CPTI: [
        *_FRONT,
        "published",
        "bids_closed",
        "admin_checked",
        "tech_opened",
        "tech_evaluated",
        "econ_opened",
        "ranked",
        "award_proposed",
        "documents_requested",
        "documents_received",
        "awarded",
        "standstill",
        "awaiting_signature",
        "contract_signed",
        "closed",
    ],
    PCP: [
        *_FRONT,
        "call_published",
        "offers_closed",
        "suppliers_selected",
        "phase1_design",
        "phase1_gate",
        "phase2_prototype",
        "phase2_gate",
        "phase3_field_test",
        "final_evaluation",
        "closed",
    ],
    PARTNERSHIP: [
        *_FRONT,
        "notice_published",
        "requests_closed",
        "candidates_selected",
        "negotiating",
        "final_offers",
        "final_offers_closed",
        "offers_evaluated",
        "awarded",
        "standstill",
        "awaiting_signature",
        "rd_phase",
        "rd_gate",
        "purchase_decision",
        "purchase_decided",
        "closed",
    ],
}


STATE_CHOICES = [(state.name, state.label) for state in STATES]
MACHINE = Machine(
    states=STATES,
    transitions=_DEFINED,
    initial=INITIAL_STATE,
    procedures=PROCEDURE_CHOICES,
    main_lines=MAIN_LINES,
)
PROCEDURES = MACHINE.procedures
TRANSITIONS = MACHINE.transitions
TRANSITION_BY_NAME = MACHINE.transition_by_name
procedure = MACHINE.procedure
transitions_from = MACHINE.transitions_from


def state_of(process) -> CpiState:
    """The definition of the state ``process`` is in."""
    return STATE_BY_NAME[process.status]


def is_editable(process, what: Edit) -> bool:
    """Whether ``what`` may be written on ``process`` in the state it is in."""
    return what in STATE_BY_NAME[process.status].editable


def states_where(*, editable: Edit) -> list[str]:
    """The names of the states in which ``editable`` may be written, for database filters."""
    return [state.name for state in STATES if editable in state.editable]


@cache
def steps_marking(*milestones: Milestone) -> frozenset[str]:
    """The names of the transitions that mark any of ``milestones``, for reading audit rows."""
    return frozenset(t.name for t in TRANSITIONS if t.milestone in milestones)


__all__ = [
    "ALL",
    "CPTI",
    "MACHINE",
    "PARTNERSHIP",
    "PCP",
    "PROCEDURES",
    "PROCEDURE_CHOICES",
    "STAGES",
    "STATES",
    "STATE_BY_NAME",
    "STATE_CHOICES",
    "TRANSITIONS",
    "TRANSITION_BY_NAME",
    "CpiState",
    "CpiTransition",
    "DataField",
    "Edit",
    "Milestone",
    "Procedure",
    "S",
    "State",
    "T",
    "Transition",
    "is_editable",
    "procedure",
    "state_of",
    "states_where",
    "steps_marking",
    "target_of",
    "transitions_from",
]

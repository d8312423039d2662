"""The three CPI procedures as data: states, transitions, and the main line each diagram draws."""

from django.utils.translation import gettext_lazy as _

from workflows.procedures.base import (
    ALL,
    CPTI,
    PARTNERSHIP,
    PCP,
    DataField,
    Procedure,
    State,
    Transition,
)
from workflows.procedures.states import INITIAL_STATE, STAGES, STATE_BY_NAME, STATES
from workflows.procedures.transitions import TRANSITIONS

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


def _build() -> dict[str, Procedure]:
    procedures = {}
    for code, label in PROCEDURE_CHOICES:
        transitions = [t for t in TRANSITIONS if code in t.procedures]
        names = {INITIAL_STATE}
        for t in transitions:
            names.update(t.sources)
            if t.target != "=":
                names.add(t.target)
        procedures[code] = Procedure(
            code=code,
            label=label,
            states=[s for s in STATES if s.name in names],
            transitions=transitions,
            main_line=MAIN_LINES[code],
        )
    return procedures


PROCEDURES = _build()
TRANSITION_BY_NAME = {t.name: t for t in TRANSITIONS}


def procedure(code: str) -> Procedure:
    return PROCEDURES[code]


def transitions_from(code: str, state: str) -> list[Transition]:
    """The transitions of procedure ``code`` that leave ``state``, in definition order."""
    return [t for t in PROCEDURES[code].transitions if state in t.sources]


def target_of(transition: Transition, source: str) -> str:
    return source if transition.target == "=" else transition.target


__all__ = [
    "ALL",
    "CPTI",
    "PARTNERSHIP",
    "PCP",
    "PROCEDURES",
    "PROCEDURE_CHOICES",
    "STAGES",
    "STATES",
    "STATE_BY_NAME",
    "TRANSITIONS",
    "TRANSITION_BY_NAME",
    "DataField",
    "Procedure",
    "State",
    "Transition",
    "procedure",
    "target_of",
    "transitions_from",
]

"""The codes of the three CPI procedures and of the roles that fire their steps, and the
vocabularies in which states and transitions say what they allow and what they mark."""

from enum import StrEnum

CPTI = "cpti_open"
PCP = "pcp"
PARTNERSHIP = "innovation_partnership"
ALL = frozenset({CPTI, PCP, PARTNERSHIP})

OFFICER, LEGAL, COMMITTEE = "officer", "legal", "committee"

# The *pliegos* each procedure's file must hold, approved by the legal team, before the file is
# approved (LCSP arts. 116, 117, 122 and 124): document kinds of ``documents/kinds.py``. A PCP
# publishes its call documents (COM(2007) 799); a partnership its descriptive document (LCSP
# arts. 177–178), which plays the pliegos' part.
REQUIRED_PLIEGOS: dict[str, tuple[str, ...]] = {
    CPTI: ("pcap", "ppt"),
    PCP: ("pcp_call_documents",),
    PARTNERSHIP: ("partnership_descriptive_document",),
}
# The name under which ``documents`` registers its check (``workflows.requirements``).
PLIEGOS_APPROVED = "pliegos_approved"


class Edit(StrEnum):
    """What may be written on a process while it is in a state (``CpiState.editable``).

    Who may write it is a matter of permissions; the state only says whether it may be written
    at all."""

    SPECS = "specs"  # the need and its functional specifications
    LOTS = "lots"
    CRITERIA = "criteria"
    CONSULTATION = "consultation"  # the consultation's notice and questionnaire
    CLARIFICATIONS = "clarifications"  # the officers' answers to suppliers' clarifications
    RESPONSES = "responses"  # suppliers' answers, within the consultation's window
    SUMMARIES = "summaries"  # the summary of each question's answers, for the report
    REPORT = "report"
    BIDS = "bids"  # sealed bids, before the deadline
    ADMISSION = "admission"  # the committee's administrative check of each bid
    VALUE_SCORES = "value_scores"  # the committee's value-judgement points
    ABNORMAL = "abnormal"  # justifications of and decisions on abnormally low offers
    PHASES = "phases"  # a PCP's or partnership's phases and their criteria (the call)
    PHASE_OFFERS = "phase_offers"  # suppliers' sealed PCP offers or partnership final offers
    PHASE_REQUESTS = "phase_requests"  # sealed requests to participate in a partnership
    FINAL_OFFER_SCORES = "final_offer_scores"  # the committee's points for final offers


class Milestone(StrEnum):
    """What a step marks in the life of a process (``CpiTransition.milestone``): the public
    record (OCDS) and the documents that speak as of a step ask for these, not for names."""

    NEED_NOTICE = "need_notice"  # the need in the early demand map
    CONSULTATION_NOTICE = "consultation_notice"
    CONSULTATION_END = "consultation_end"
    CONSULTATION_REPORT = "consultation_report"
    TENDER_NOTICE = "tender_notice"  # the tender, the PCP call or the partnership notice
    DEADLINE_EXTENSION = "deadline_extension"
    BIDS_CLOSING = "bids_closing"  # from here on who bid is public (LCSP art. 157)
    AWARD_PROPOSAL = "award_proposal"
    AWARD = "award_resolution"  # the resolution choosing the winners, partners or PCP suppliers
    AWARD_ANNULMENT = "award_annulment"  # an upheld appeal annulled the award
    APPEAL_SUSPENSION = "appeal_suspension"  # a special appeal against the award (LCSP art. 53)
    APPEAL_RESOLUTION = "appeal_resolution"  # the tribunal dismissed it: the suspension ends
    STANDSTILL = "standstill_start"
    CONTRACT = "contract_signature"  # the contract signed (for a PCP, its phase-1 contracts)

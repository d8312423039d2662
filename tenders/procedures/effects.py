"""The effects the CPI procedures raise, declared once (``workflows.effects.declare_effects``).

A transition's ``effects`` may name only these; the system check ``workflows.checks`` refuses to
start otherwise, and also when one of them has no handler. What each stands for, and who takes
it: documents (``documents.kinds``: the legal document the step makes), open data
(``publication.ocds.effects``: the steps whose outcome is public) and notifications
(``tenders.effects``).
"""

from workflows.effects import declare_effects

CPI_EFFECTS = declare_effects(
    # A notice on the contracting profile: demand map, consultation, report, call (LCSP art. 63).
    "publication",
    # The market consultation: its call, its opening and closing, its report (LCSP art. 115).
    "consultation_notice",
    "consultation_opened",
    "consultation_closed",
    "consultation_report",
    # The contract notice, and a later extension of its deadline (LCSP arts. 135 and 136).
    "tender_notice",
    "deadline_extended",
    # The partnership: invitation to the selected candidates and minutes of each negotiation
    # round (LCSP art. 179).
    "invitation",
    "negotiation_minutes",
    # Evaluation: the committee's minutes and the value-judgement report (LCSP arts. 146.2, 326).
    "committee_minutes",
    "evaluation_report",
    # An envelope of the bids opened: the signatures of its files are validated then, never
    # before (LCSP arts. 157.2–4 and DA 16ª.1.f).
    "bid_signatures",
    # The request for documents to the best-ranked bidder (LCSP art. 150.2).
    "documents_requested",
    # The award, its annulment by an appeal, a void procedure, the contract (LCSP arts. 150–153).
    "award_resolution",
    "award_annulled",
    "void_resolution",
    "contract",
    # A special appeal against the award suspends the procedure, and the tribunal's
    # resolution lifts the suspension; both are published on the perfil (LCSP arts. 53, 63.3).
    "appeal_suspension",
    "appeal_resolution",
    # A PCP or partnership phase gate (COM(2007) 799; LCSP art. 180.1) and the partnership's
    # decision on buying its results (LCSP art. 181).
    "phase_evaluation",
    "purchase_resolution",
    # A PCP gate: the down-selection and the next phase's contracts, published with their
    # milestones (COM(2007) 799).
    "phase_gate",
    # The process cancelled before the award (LCSP art. 152).
    "cancellation",
)

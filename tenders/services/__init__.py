"""Writes on CPI processes and their market consultations (one service per operation).

Status changes of a process go through ``workflows.services.transition_perform``.
"""

from tenders.services.awards import awards_step
from tenders.services.bids import (
    abnormal_decide,
    abnormal_justify,
    bid_admission_decide,
    bid_save,
    bid_submit,
    bid_withdraw,
    committee_assign,
    criterion_save,
    lot_save,
    score_save,
    tender_question_answer,
    tender_question_ask,
)
from tenders.services.consultation import (
    actor_supplier,
    attachment_add,
    attachment_remove,
    clarification_answer,
    clarification_ask,
    consultation_report_save,
    consultation_save,
    question_delete,
    question_save,
    question_summary_save,
    response_review_save,
    response_save,
    response_start,
    response_submit,
    response_withdraw,
)
from tenders.services.process import (
    EDITABLE_STATES,
    TENDER_PERMISSIONS,
    tender_create,
    tender_update,
)
from tenders.services.subscriptions import subscription_save

__all__ = [
    "EDITABLE_STATES",
    "TENDER_PERMISSIONS",
    "abnormal_decide",
    "abnormal_justify",
    "actor_supplier",
    "attachment_add",
    "attachment_remove",
    "awards_step",
    "bid_admission_decide",
    "bid_save",
    "bid_submit",
    "bid_withdraw",
    "clarification_answer",
    "clarification_ask",
    "committee_assign",
    "consultation_report_save",
    "consultation_save",
    "criterion_save",
    "lot_save",
    "question_delete",
    "question_save",
    "question_summary_save",
    "response_review_save",
    "response_save",
    "response_start",
    "response_submit",
    "response_withdraw",
    "score_save",
    "subscription_save",
    "tender_create",
    "tender_question_answer",
    "tender_question_ask",
    "tender_update",
]

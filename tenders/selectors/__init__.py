"""Reads on CPI processes and consultations for a given user."""

from tenders.selectors.bids import (
    awards_for_user,
    bid_envelope_read,
    bid_get_for_user,
    bids_for_user,
    envelope_is_open,
)
from tenders.selectors.consultation import (
    attachment_get_for_user,
    consultation_get_for_user,
    consultation_list_for_user,
    consultation_report_data,
    response_get_for_user,
    responses_for_user,
)
from tenders.selectors.process import (
    tender_get_for_user,
    tender_get_private_for_user,
    tender_history,
    tender_list_for_user,
    tenders_private_for_user,
)

__all__ = [
    "attachment_get_for_user",
    "awards_for_user",
    "bid_envelope_read",
    "bid_get_for_user",
    "bids_for_user",
    "consultation_get_for_user",
    "consultation_list_for_user",
    "consultation_report_data",
    "envelope_is_open",
    "response_get_for_user",
    "responses_for_user",
    "tender_get_for_user",
    "tender_get_private_for_user",
    "tender_history",
    "tender_list_for_user",
    "tenders_private_for_user",
]

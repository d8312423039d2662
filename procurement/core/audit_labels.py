"""What a person reads for the names the audit log records.

The process engine's transitions carry their own labels (``Transition.label``) and the states
theirs; every other name an audit row may carry — the acts recorded by ``audit_record`` and
the audited status moves of records that are not processes — is labelled here, in one place,
so a history never shows a name from the code. ``tests/core/test_history_readable.py`` fails
when a name written anywhere in the code has no label.

It lives in the shared kernel because rows come from every app (accounts, tenders, documents).
"""

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    # People and their access (procurement.accounts).
    "login": _("Signed in"),
    "logout": _("Signed out"),
    "login_failed": _("Failed sign-in"),
    "second_factor_on": _("Second factor switched on"),
    "second_factor_failed": _("Second factor refused"),
    "api_token_issue": _("API token issued"),
    "api_token_revoke": _("API token revoked"),
    "api_tokens_revoke": _("All API tokens revoked"),
    "membership_grant": _("Role given"),
    "membership_revoke": _("Role taken away"),
    "grant": _("Access granted"),
    # The process and what is written on it (tenders).
    "tender_create": _("Process created"),
    "tender_update": _("Need and specifications edited"),
    "committee_assign": _("Committee member added"),
    "lot_create": _("Lot added"),
    "lot_update": _("Lot edited"),
    "lot_delete": _("Lot removed"),
    "criterion_create": _("Award criterion added"),
    "criterion_update": _("Award criterion edited"),
    "criterion_delete": _("Award criterion removed"),
    "question_ask": _("Question asked"),
    "question_answer": _("Question answered"),
    "question_update": _("Consultation question edited"),
    "question_delete": _("Consultation question removed"),
    "score_save": _("Score recorded"),
    # Phases of a pre-commercial procurement or an innovation partnership (tenders.phases).
    "phase_save": _("Phase defined"),
    "phase_delete": _("Phase removed"),
    "phase_criterion_save": _("Phase criterion defined"),
    "phase_criterion_delete": _("Phase criterion removed"),
    "phase_contract_terms": _("Phase contract terms set"),
    "deliverable_add": _("Phase deliverable delivered"),
    "phase_score": _("Phase deliverables scored"),
    "final_offer_score": _("Final offer scored"),
    "phase_offer_submit": _("Phase offer submitted"),
    "phase_offer_withdraw": _("Phase offer withdrawn"),
    "milestone_accept": _("Payment milestone accepted"),
    "milestone_pay": _("Payment milestone paid"),
    "notification_accessed": _("Notification opened by the bidder"),
    "appeal_lodged": _("Special appeal lodged"),
    "appeal_resolved": _("Special appeal resolved"),
    "response_edit": _("Consultation response edited"),
    "response_submit": _("Consultation response submitted"),
    "response_withdraw": _("Consultation response withdrawn"),
    "bid_submit": _("Offer submitted"),
    "bid_withdraw": _("Offer withdrawn"),
    "bid_admission": _("Admission of an offer decided"),
    "abnormal_decide": _("Abnormally low offer decided"),
    "bid_signatures_check": _("Signatures of the opened envelopes checked"),
    # Documents, templates and pliegos (documents).
    "document_generate": _("Document generated"),
    "document_signature_add": _("Document signed"),
    "file_document_upload": _("Signed document uploaded"),
    "eforms_notice": _("eForms notice built"),
    "pliego_create": _("Pliego drafted"),
    "pliego_approve": _("Pliego approved"),
    "pliego_publish": _("Pliego published"),
    "pliego_correction_publish": _("Correction of a pliego published"),
    "pliego_supersede": _("Pliego superseded"),
    "template_create": _("Template created"),
    "template_version_create": _("Template version written"),
    "template_version_submit": _("Template version sent for approval"),
    "template_version_approve": _("Template version approved"),
    "template_version_retire": _("Template version retired"),
    "template_approve_for_city": _("Template approved for a city"),
    "template_share": _("Template sharing changed"),
    "template_adopt": _("Template adopted"),
}

# The fields an edit may record in ``data["changes"]``, by the names the services use.
FIELD_LABELS = {
    "title": _("title"),
    "description": _("need"),
    "estimated_value": _("estimated value"),
    "value": _("value"),
    "cpv_codes": _("CPV codes"),
    "functional_specifications": _("functional specifications"),
    "duration_months": _("duration (months)"),
    "number": _("number"),
    "name": _("name"),
    "kind": _("kind"),
    "weight": _("weight"),
    "formula": _("formula"),
    "params": _("formula parameters"),
    "innovation": _("innovation"),
    "is_price": _("price criterion"),
    "question": _("question"),
    "answer": _("answer"),
    "points": _("points"),
    "justification": _("justification"),
}

# What other records become, as some rows about a process record it (an appeal's outcome).
OUTCOME_LABELS = {
    "lodged": _("lodged"),
    "dismissed": _("dismissed"),
    "upheld": _("upheld"),
    "inadmissible": _("inadmissible"),
}


def audit_label(name: str) -> str | None:
    """The label of a name recorded by ``audit_record`` or a status move; ``None`` if unknown."""
    label = AUDIT_LABELS.get(name)
    return str(label) if label is not None else None


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")

"""Everything a web form does, the API can do: each web action (a URL of the process, award,
consultation or documents pages whose view takes a POST) maps to the API operations that do
the same, and each of those operations is in the OpenAPI schema.

A new web action fails here, by its URL name, until it gets a row in ``WEB_TO_API``: there is
no list of known gaps, so a web form without its API operations cannot be merged. A row naming
an operation the schema lacks fails too. Rows are ``url name: [(method, schema path), …]``, one tuple per thing the form does.
"""

import inspect
import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

WEB_TO_API: dict[str, list[tuple[str, str]]] = {
    # --- the process ---------------------------------------------------------------------------
    "tender-new": [("post", "/api/v1/tenders/")],
    "tender-edit": [("patch", "/api/v1/tenders/{id}/"), ("put", "/api/v1/tenders/{id}/")],
    "tender-fire": [("post", "/api/v1/tenders/{id}/transitions/{name}/")],
    # --- the inbox: the platform's messages marked read ----------------------------------------
    "inapp-message-read": [("post", "/api/v1/notifications/messages/{id}/read/")],
    "inapp-messages-read": [("post", "/api/v1/notifications/messages/read/")],
    # --- the award: the PCAP, the committee, questions, bids, evaluation -----------------------
    "tender-overview": [
        ("post", "/api/v1/tenders/{id}/lots/"),
        ("patch", "/api/v1/lots/{id}/"),
        ("delete", "/api/v1/lots/{id}/"),
        ("post", "/api/v1/tenders/{id}/criteria/"),
        ("patch", "/api/v1/criteria/{id}/"),
        ("delete", "/api/v1/criteria/{id}/"),
        ("post", "/api/v1/tenders/{id}/committee/"),
        ("post", "/api/v1/tenders/{id}/questions/"),
        ("post", "/api/v1/tender-questions/{id}/answer/"),
    ],
    "tender-bid": [
        ("post", "/api/v1/tenders/{id}/bids/"),
        ("post", "/api/v1/bids/{id}/submit/"),
        ("post", "/api/v1/bids/{id}/withdraw/"),
    ],
    "bid-files": [("post", "/api/v1/bids/{id}/files/")],
    "bid-file-delete": [("delete", "/api/v1/bid-files/{id}/")],
    # The summary of what will be sealed, then the confirmed submit.
    "bid-confirm": [("get", "/api/v1/bids/{id}/summary/"), ("post", "/api/v1/bids/{id}/submit/")],
    "tender-evaluation-act": [
        ("post", "/api/v1/bids/{id}/admission/"),
        ("post", "/api/v1/tenders/{id}/scores/"),
        ("post", "/api/v1/bids/{id}/abnormal/"),  # the committee's decision and the justification
    ],
    # --- the phases of a PCP: the call's phases and criteria, offers, phase contracts ---------
    "tender-phases": [
        ("post", "/api/v1/tenders/{id}/phases/"),
        ("put", "/api/v1/phases/{id}/"),
        ("delete", "/api/v1/phases/{id}/"),
        ("post", "/api/v1/phases/{id}/criteria/"),
        ("put", "/api/v1/phase-criteria/{id}/"),
        ("delete", "/api/v1/phase-criteria/{id}/"),
    ],
    "phase-offer": [
        ("post", "/api/v1/tenders/{id}/phase-offers/"),
        ("post", "/api/v1/phase-offers/{id}/withdraw/"),
    ],
    "phase-offer-files": [("post", "/api/v1/phase-offers/{id}/files/")],
    # The summary of what will be sealed, then the confirmed submit.
    "phase-offer-confirm": [
        ("get", "/api/v1/phase-offers/{id}/"),
        ("post", "/api/v1/phase-offers/{id}/submit/"),
    ],
    "phase-contract": [
        ("put", "/api/v1/phase-contracts/{id}/"),
        ("post", "/api/v1/phase-contracts/{id}/deliverables/"),
        ("post", "/api/v1/phase-contracts/{id}/scores/"),
        ("post", "/api/v1/milestones/{id}/accept/"),
        ("post", "/api/v1/milestones/{id}/pay/"),
    ],
    # --- special appeals (LCSP arts. 44–60) ----------------------------------------------------
    "tender-appeals": [("post", "/api/v1/tenders/{id}/appeals/")],
    "appeal-resolve": [("post", "/api/v1/appeals/{id}/resolve/")],
    # --- the market consultation ---------------------------------------------------------------
    "consultation-respond": [
        ("post", "/api/v1/consultations/{id}/responses/"),
        ("patch", "/api/v1/responses/{id}/"),
        ("post", "/api/v1/responses/{id}/submit/"),
        ("post", "/api/v1/responses/{id}/withdraw/"),
        ("post", "/api/v1/responses/{id}/attachments/"),
    ],
    # The draft (or, once closed, the report) and its questionnaire, from the process page.
    "tender-consultation": [
        ("patch", "/api/v1/consultations/{id}/"),
        ("put", "/api/v1/consultations/{id}/report/"),
    ],
    "tender-questions": [
        ("post", "/api/v1/consultations/{id}/questions/"),
        ("patch", "/api/v1/questions/{id}/"),
        ("delete", "/api/v1/questions/{id}/"),
    ],
    "consultation-response-review": [("put", "/api/v1/responses/{id}/review/")],
    "consultation-summaries": [("post", "/api/v1/consultations/{id}/summaries/")],
    "supplier-subscriptions": [("put", "/api/v1/suppliers/{id}/subscription/")],
    "consultation-clarification-new": [("post", "/api/v1/consultations/{id}/clarifications/")],
    "consultation-clarification-answer": [("post", "/api/v1/clarifications/{id}/answer/")],
    "attachment-delete": [("delete", "/api/v1/attachments/{id}/")],
    # --- legal documents -----------------------------------------------------------------------
    "document-template-new": [("post", "/api/v1/templates/")],
    "document-template-edit": [("post", "/api/v1/templates/{id}/versions/")],
    "document-template-preview": [("post", "/api/v1/templates/{id}/preview/")],
    "document-version-action": [("post", "/api/v1/templates/{id}/versions/{number}/{action}/")],
    "document-template-share": [("post", "/api/v1/templates/{id}/share/")],
    "document-template-adopt": [("post", "/api/v1/templates/{id}/adopt/")],
    "document-template-merge": [("post", "/api/v1/templates/{id}/merge/")],
    "document-process": [("post", "/api/v1/tenders/{id}/documents/")],
    "document-signature-add": [("post", "/api/v1/documents/{id}/signatures/")],
    "document-file-upload": [("post", "/api/v1/tenders/{id}/file-documents/")],
    # --- the pliegos: generated or uploaded, approved by the legal team, corrected -------------
    "document-pliego-create": [("post", "/api/v1/tenders/{id}/pliegos/")],
    "document-pliego-approve": [("post", "/api/v1/tenders/{id}/pliegos/{pliego_pk}/approve/")],
    "document-pliego-amend": [("post", "/api/v1/tenders/{id}/pliegos/{pliego_pk}/amend/")],
}

WEB_PREFIXES = ("tenders.", "documents.")


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _takes_post(view) -> bool:
    """Whether a function view handles a POST: it reads ``request.POST``, checks the method,
    or is wrapped in ``require_POST``."""
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return False
    return "POST" in source


def web_actions() -> list[str]:
    found = []
    for route, pattern in _patterns(get_resolver().url_patterns):
        if route.startswith("api/") or not pattern.name:
            continue
        module = getattr(inspect.unwrap(pattern.callback), "__module__", "")
        if module.startswith(WEB_PREFIXES) and _takes_post(pattern.callback):
            found.append(pattern.name)
    return sorted(set(found))


@pytest.fixture(scope="module")
def schema_operations(django_db_blocker) -> set[tuple[str, str]]:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    return {(method, path) for path, methods in paths.items() for method in methods}


def test_the_walk_finds_the_web_actions():
    actions = web_actions()
    assert {"tender-edit", "tender-fire", "tender-overview", "consultation-respond"} <= set(actions)
    assert "tender-detail" not in actions  # a page that only reads


def test_every_web_action_has_an_api_operation_listed():
    missing = [name for name in web_actions() if name not in WEB_TO_API]
    assert not missing, (
        "Web actions with no API operation in tests/api/test_parity.py's WEB_TO_API (add the "
        "operations that do the same, or build them):\n" + "\n".join(f"  {n}" for n in missing)
    )


def test_every_listed_operation_is_in_the_schema(schema_operations):
    absent = [
        f"  {name}: {method.upper()} {path}"
        for name, operations in WEB_TO_API.items()
        for method, path in operations
        if (method, path) not in schema_operations
    ]
    assert not absent, "Operations missing from the OpenAPI schema:\n" + "\n".join(absent)


def test_the_table_names_only_existing_web_actions():
    actions = set(web_actions())
    stale = sorted(set(WEB_TO_API) - actions)
    assert not stale, f"Rows for web actions that no longer exist: {stale}"

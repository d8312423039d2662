"""Who may read what: every endpoint × every demo actor × objects of each side → status.

See ``tests/security/matrix.py`` for how a row reads. Set ``OPENCPI_MATRIX_OBSERVE=1`` (with
``-s``) to print the statuses the code gives now, in the table's own format.

The rules the rows spell out: published processes, consultations, the portal, OCDS and public
documents are readable by all; a process's private side by its city's people (committee users
through their city's group grant, but not consultation responses or templates, which are the
officers' and the legal team's); a supplier's response or bid by that supplier, and by the
owning city once submitted (envelopes after their opening). Missing and not-yours give the same
404; a visible object refused to a role gives 403 (API) or a redirect with a message (web);
anonymous users get 302 to the login page on private web pages and 401 on the private API.
"""

import pytest

from tests.security import matrix_world
from tests.security.matrix import (
    OBSERVE,
    api_clients,
    case,
    cells,
    run,
    run_second_factor,
    second_factor_sessions,
    web_clients,
)
from tests.security.urlwalk import SKIPPED_PREFIXES, endpoints

# fmt: off
PUBLIC = "200 200 200 200 200 200 200 200 200"
SIGNED_IN = "302 200 200 200 200 200 200 200 200"  # web: any signed-in user
API_SIGNED_IN = "401 200 200 200 200 200 200 200 200"
NOWHERE = "404 404 404 404 404 404 404 404 404"
API_NOWHERE = "401 404 404 404 404 404 404 404 404"

#       anon OL  LL  CL  OT  LT  acme nova admin
WEB = [
    case("home", L=PUBLIC),
    case("healthz", L=PUBLIC),
    # Readiness reads no credentials: every caller gets the same answer (200 while the
    # database and broker answer and nothing is stalled).
    case("readyz", L=PUBLIC),
    # The deadline calculator: cities and their holidays are public.
    case("deadline-calculator", L=PUBLIC),
    case("login", L=PUBLIC),
    case("logout", L="405 405 405 405 405 405 405 405 405"),
    # The optional second factor: city people set it up; with no device, verify sends onwards.
    case("otp-setup", L="302 200 200 200 200 200 404 404 404"),
    case("otp-verify", L="302 302 302 302 302 302 302 302 302"),
    case("account-tokens", L=SIGNED_IN),
    # Pickers' look-ups: reference data (the CPV vocabulary, member cities), for anyone signed in.
    case("cpv-search", L=SIGNED_IN),
    case("city-search", L=SIGNED_IN),
    case("tender-dashboard", L=PUBLIC),
    case("tender-new", L="302 200 404 404 200 404 404 404 200"),
    case("my-bids", L=SIGNED_IN),
    # The bidder's inbox: each supplier reads only its own notifications.
    case("inbox", L=SIGNED_IN),
    case("inbox-detail", pk="notification",
         L="302 404 404 404 404 404 200 404 404",
         T="302 404 404 404 404 404 404 200 404"),
    # The platform's messages: each user marks only its own read.
    case("inapp-messages-read", method="post", L="302 302 302 302 302 302 302 302 302"),
    case("inapp-message-read", method="post", pk="inapp_message",
         L="302 404 404 404 404 404 302 404 404",
         T="302 404 404 404 404 404 404 302 404"),
    # Appeals: any signed-in user reaches a published process's page (a bidder lodges there,
    # the city reads them all); an appeal and its files are the appellant's and its city's.
    case("tender-appeals", pk="tender_closed", L=SIGNED_IN),
    case("tender-notifications", pk="tender_closed",
         L="302 200 200 200 404 404 404 404 200",
         T="302 404 404 404 200 200 404 404 200"),
    # An empty resolution is refused (400) to the city's officers, for its role to anyone
    # else who sees the appeal (403), as missing to the rest (404).
    case("appeal-resolve", method="post", pk="appeal",
         L="302 400 403 403 404 404 403 404 400",
         T="302 404 404 404 400 403 404 403 400"),
    case("appeal-document", pk="appeal_document",
         L="302 200 200 200 404 404 200 404 200",
         T="302 404 404 404 200 200 404 200 200"),
    case("consultation-list", L=PUBLIC),
    case("my-responses", L=SIGNED_IN),
    case("supplier-register", L=PUBLIC),
    # The e-mailed link of a registration: an unknown one is nobody's page.
    case("supplier-register-confirm", token="=no-such-link",
         L="404 404 404 404 404 404 404 404 404"),
    case("supplier-subscriptions", L="302 404 404 404 404 404 200 200 404"),
    case("document-library", L=SIGNED_IN),
    case("document-template-new", L="302 404 200 404 404 200 404 404 404"),
    case("document-fields", L=PUBLIC),
    case("document-fields-kind", kind="=tender_notice", L=PUBLIC),
    case("document-review-queue", L=SIGNED_IN),
    case("document-verify", L=PUBLIC),
    case("portal:home", L=PUBLIC),
    case("portal:feed", L=PUBLIC),
    case("portal:indicators", L=PUBLIC),
    case("portal:city", slug="city_slug", L=PUBLIC),
    case("portal:city-feed", slug="city_slug", L=PUBLIC),
    case("portal:process", variant="private", pk="tender_private",
         L="404 404 404 404 404 404 404 404 404",
         T="404 404 404 404 404 404 404 404 404"),
    case("portal:process", variant="published", pk="tender_public", L=PUBLIC),
    # The demo publishes no consultation report yet: a draft report is nobody's public page.
    case("portal:consultation-report", pk="consultation",
         L="404 404 404 404 404 404 404 404 404",
         T="404 404 404 404 404 404 404 404 404"),
    case("city-workspace", pk="city",
         L="302 200 200 200 404 404 404 404 200",
         T="302 404 404 404 200 200 404 404 200"),
    case("supplier-workspace", pk="supplier",
         L="302 404 404 404 404 404 200 404 200",
         T="302 404 404 404 404 404 404 200 200"),
    case("tender-detail", variant="private", pk="tender_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("tender-detail", variant="published", pk="tender_public", L=PUBLIC),
    case("tender-edit", variant="private", pk="tender_private",
         L="302 200 404 404 404 404 404 404 200",
         T="302 404 404 404 200 404 404 404 200"),
    case("tender-edit", variant="published", pk="tender_public",
         L="302 200 404 404 404 404 404 404 200",
         T="302 404 404 404 200 404 404 404 200"),
    case("tender-consultation", pk="tender_public",
         L="302 200 404 404 404 404 404 404 200",
         T="302 404 404 404 200 404 404 404 200"),
    case("tender-questions", pk="tender_public",
         L="302 200 404 404 404 404 404 404 200",
         T="302 404 404 404 200 404 404 404 200"),
    case("tender-fire", method="post", pk="tender_private", name="=no-such-action",
         L="302 400 400 400 404 404 404 404 400",
         T="302 404 404 404 400 400 404 404 400"),
    case("tender-overview", variant="private", pk="tender_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("tender-overview", variant="bids closed", pk="tender_closed", L=PUBLIC),
    case("tender-bid", pk="tender_closed",
         L="302 404 404 404 404 404 200 200 404",
         T="302 404 404 404 404 404 200 200 404"),
    case("tender-evaluation", pk="tender_closed",
         L="302 200 200 200 404 404 404 404 200",
         T="302 404 404 404 200 200 404 404 200"),
    # No bid in the form: refused before any role question.
    case("tender-evaluation-act", method="post", pk="tender_closed",
         L="302 404 404 404 404 404 404 404 404",
         T="302 404 404 404 404 404 404 404 404"),
    # A bid's web actions: its bidder only (the submitted bid refuses with a message).
    case("bid-files", method="post", pk="bid",
         L="302 404 404 404 404 404 302 404 404",
         T="302 404 404 404 404 404 404 302 404"),
    case("bid-file", pk="bid_file",
         L="302 200 200 200 404 404 404 404 200",
         T="302 404 404 404 404 404 404 404 404"),
    case("bid-file-delete", method="post", pk="bid_file",
         L="302 404 404 404 404 404 302 404 404",
         T="302 404 404 404 404 404 404 302 404"),
    case("bid-confirm", pk="bid",
         L="302 404 404 404 404 404 200 404 404",
         T="302 404 404 404 404 404 404 200 404"),
    case("bid-receipt", pk="bid",
         L="302 404 404 404 404 404 200 404 404",
         T="302 404 404 404 404 404 404 200 404"),
    case("consultation-detail", pk="consultation", L=PUBLIC),
    case("consultation-respond", pk="consultation",
         L="302 404 404 404 404 404 200 200 404",
         T="302 404 404 404 404 404 200 200 404"),
    case("consultation-clarification-new", method="post", pk="consultation",
         L="302 302 302 302 302 302 302 302 302",
         T="302 302 302 302 302 302 302 302 302"),
    case("consultation-clarification-answer", method="post", pk="consultation", clarification_id="clarification",
         L="302 302 302 404 404 404 404 404 302",
         T="302 404 404 404 302 302 404 404 302"),
    case("consultation-responses", pk="consultation",
         L="302 200 200 404 404 404 404 404 200",
         T="302 404 404 404 200 200 404 404 200"),
    case("consultation-response-review", pk="consultation", response_id="response",
         L="302 200 200 404 404 404 404 404 200",
         T="302 404 404 404 200 200 404 404 200"),
    case("consultation-summaries", method="post", pk="consultation",
         L="302 302 302 404 404 404 404 404 302",
         T="302 404 404 404 302 302 404 404 302"),
    case("consultation-export", pk="consultation", fmt="=csv",
         L="302 200 200 404 404 404 404 404 200",
         T="302 404 404 404 200 200 404 404 200"),
    case("consultation-report", pk="consultation",
         L="404 200 200 404 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("attachment-download", pk="attachment",
         L="302 200 200 404 404 404 200 404 200",
         T="302 404 404 404 200 200 404 200 200"),
    case("attachment-delete", method="post", pk="attachment",
         L="302 302 302 404 404 404 - 404 302",
         T="302 404 404 404 302 302 404 - 302"),
    case("document-template-detail", variant="own", pk="template",
         L="302 200 200 404 404 404 404 404 200",
         T="302 404 404 404 200 200 404 404 200"),
    case("document-template-detail", variant="library", pk="template_library", L=SIGNED_IN),
    case("document-template-edit", pk="template",
         L="302 404 200 404 404 404 404 404 200",
         T="302 404 404 404 404 200 404 404 200"),
    case("document-template-preview", method="post", pk="template",
         L="302 200 200 404 404 404 404 404 200",
         T="302 404 404 404 200 200 404 404 200"),
    case("document-template-preview-pdf", pk="template", number="=1",
         L="302 200 200 404 404 404 404 404 200",
         T="302 404 404 404 200 200 404 404 200"),
    case("document-version-action", method="post", pk="template", number="=1", action="=no-such-action",
         L="302 404 404 404 404 404 404 404 404",
         T="302 404 404 404 404 404 404 404 404"),
    case("document-template-share", method="post", pk="template",
         L="302 - - - 404 404 404 404 -",
         T="302 404 404 404 - - 404 404 -"),
    # Suppliers see the public library but may not adopt: a redirect with the refusal.
    case("document-template-adopt", method="post", pk="template_library",
         L="302 - - - - - 302 302 -",
         T="302 - - - - - 302 302 -"),
    case("document-template-merge", pk="template",
         L="302 302 302 404 404 404 404 404 302",
         T="302 404 404 404 302 302 404 404 302"),
    case("document-process", variant="private", process_id="tender_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("document-process", variant="published", process_id="tender_public", L=PUBLIC),
    case("document-pdf", variant="private", pk="document_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("document-pdf", variant="public", pk="document_public", L=PUBLIC),
    # No kind in the form: refused with a message on the process page, after the 404 check.
    case("document-pliego-create", method="post", process_id="tender_private",
         L="302 302 302 302 404 404 404 404 302",
         T="302 404 404 404 302 302 404 404 302"),
    case("document-pliego-approve", method="post", process_id="tender_private", pk="=999999",
         L="302 404 404 404 404 404 404 404 404",
         T="302 404 404 404 404 404 404 404 404"),
    case("document-pliego-amend", method="post", process_id="tender_private", pk="=999999",
         L="302 404 404 404 404 404 404 404 404",
         T="302 404 404 404 404 404 404 404 404"),
    # A justification memo takes no personal signature: whoever sees it is told so (a message
    # and back to the documents page); nobody else learns it exists.
    case("document-signature-add", method="post", pk="document_private",
         L="302 302 302 302 404 404 404 404 302",
         T="302 404 404 404 302 302 404 404 302"),
    # The signed legal report and credit certificate: the legal team uploads them (no file:
    # refused with a message, after the 404 check); nothing is uploaded in the demo.
    case("document-file-upload", method="post", process_id="tender_private",
         L="302 302 302 302 404 404 404 404 302",
         T="302 404 404 404 302 302 404 404 302"),
    case("document-file-pdf", process_id="tender_private", pk="=999999",
         L="302 404 404 404 404 404 404 404 404",
         T="302 404 404 404 404 404 404 404 404"),
    # Nothing is signed in the demo: there is no signed copy to read for anybody.
    case("document-signed-pdf", pk="document_public",
         L="404 404 404 404 404 404 404 404 404",
         T="404 404 404 404 404 404 404 404 404"),
    # The phases pages of a PCP (issue #16): a process that does not run in phases has none,
    # and an id that exists nowhere is the same 404 for everyone (302 first where sign-in is
    # needed). Who reads a PCP's offers and contracts: tests/tenders/test_phases_web.py.
    case("tender-phases", pk="tender_closed", L=NOWHERE),
    case("tender-phases", variant="post", method="post", pk="tender_closed", L=NOWHERE),
    case("phase-offer", pk="tender_closed", L="302 404 404 404 404 404 404 404 404"),
    case("phase-offer-detail", pk="=999999", L="302 404 404 404 404 404 404 404 404"),
    case("phase-offer-files", method="post", pk="=999999",
         L="302 404 404 404 404 404 404 404 404"),
    case("phase-offer-confirm", pk="=999999", L="302 404 404 404 404 404 404 404 404"),
    case("phase-contract", pk="=999999", L=NOWHERE),
    case("phase-contract", variant="post", method="post", pk="=999999", L=NOWHERE),
    case("phase-deliverable", pk="=999999", L="302 404 404 404 404 404 404 404 404"),
]

API = [
    case("api-token", method="post", L="400 400 400 400 400 400 400 400 400"),
    # Logging out ends the token the actor probes with: probed in the second-factor matrix.
    case("api-logout", method="post", L="401 - - - - - - - -"),
    case("api-token-list", L=API_SIGNED_IN),
    # Each side's officer holds a token; nobody else may end it (404, as for a missing one).
    case("api-token-revoke", method="delete", token_id="api_token",
         L="401 - 404 404 404 404 404 404 404",
         T="401 404 404 404 - 404 404 404 404"),
    case("api-me", L=API_SIGNED_IN),
    case("api-cpv-search", L=API_SIGNED_IN),
    case("api-city-list", L=PUBLIC),
    case("api-city-detail", pk="city", L=PUBLIC),
    case("api-city-members", pk="city",
         L="401 200 200 200 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-supplier-detail", pk="supplier",
         L="401 404 404 404 404 404 200 404 200",
         T="401 404 404 404 404 404 404 200 200"),
    case("api-supplier-members", pk="supplier",
         L="401 404 404 404 404 404 200 404 200",
         T="401 404 404 404 404 404 404 200 200"),
    case("api-tender-list", L=PUBLIC),
    case("api-tender-detail", variant="private", pk="tender_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("api-tender-detail", variant="published", pk="tender_public", L=PUBLIC),
    case("api-tender-transitions", pk="tender_private",
         L="401 200 200 200 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-tender-transition-fire", method="post", pk="tender_private", name="=no-such-action",
         L="401 409 409 409 404 404 404 404 409",
         T="401 404 404 404 409 409 404 404 409"),
    case("api-tender-history", variant="private", pk="tender_private",
         L="401 200 200 200 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-tender-history", variant="published", pk="tender_public",
         L="401 200 200 200 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-consultation-list", L=PUBLIC),
    case("api-consultation-detail", pk="consultation", L=PUBLIC),
    # Changes to a consultation, its questionnaire, summaries and report: its city's officers
    # (refused by the state while it runs, 409), its other people by their role (403),
    # everyone else the same 404 as for a missing one, published or not.
    case("api-consultation-detail", variant="patch", method="patch", pk="consultation",
         L="401 409 403 403 404 404 404 404 409",
         T="401 404 404 404 409 403 404 404 409"),
    case("api-consultation-questions", method="post", pk="consultation",
         L="401 400 400 400 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-question", variant="patch", method="patch", pk="question",
         L="401 409 403 403 404 404 404 404 409",
         T="401 404 404 404 409 403 404 404 409"),
    case("api-question", variant="delete", method="delete", pk="question",
         L="401 409 403 403 404 404 404 404 409",
         T="401 404 404 404 409 403 404 404 409"),
    case("api-consultation-summaries", method="post", pk="consultation",
         L="401 400 400 400 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-consultation-summaries", variant="valid body", method="post", pk="consultation",
         data={"summaries": [{"question": 1, "text": "Resumen."}]},
         L="401 409 403 403 404 404 404 404 409",
         T="401 404 404 404 409 403 404 404 409"),
    # The report is read by its city's officers and legal team until it is published.
    case("api-consultation-report", pk="consultation",
         L="404 200 200 404 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("api-consultation-report", variant="put", method="put", pk="consultation",
         L="401 400 400 400 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-consultation-responses", pk="consultation",
         L="401 200 200 404 404 404 200 200 200",
         T="401 404 404 404 200 200 200 200 200"),
    case("api-consultation-clarifications", pk="consultation", L=PUBLIC),
    case("api-clarification-answer", method="post", pk="clarification",
         L="401 400 400 400 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-response-detail", pk="response",
         L="401 200 200 404 404 404 200 404 200",
         T="401 404 404 404 200 200 404 200 200"),
    # The officers' review is the city's: the supplier gets the 404 of a missing one.
    case("api-response-review", pk="response",
         L="401 200 200 404 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-response-review", variant="put", method="put", pk="response",
         L="401 200 200 404 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-response-submit", method="post", pk="response",
         L="401 404 404 404 404 404 - 404 404",
         T="401 404 404 404 404 404 404 - 404"),
    case("api-response-withdraw", method="post", pk="response",
         L="401 404 404 404 404 404 - 404 404",
         T="401 404 404 404 404 404 404 - 404"),
    case("api-response-attachments", method="post", pk="response",
         L="401 404 404 404 404 404 400 404 404",
         T="401 404 404 404 404 404 404 400 404"),
    case("api-attachment", pk="attachment",
         L="401 200 200 404 404 404 200 404 200",
         T="401 404 404 404 200 200 404 200 200"),
    # A supplier's subscriptions: its representatives only.
    case("api-supplier-subscription", pk="supplier",
         L="401 404 404 404 404 404 200 404 404",
         T="401 404 404 404 404 404 404 200 404"),
    case("api-supplier-subscription", variant="put", method="put", pk="supplier",
         L="401 404 404 404 404 404 200 404 404",
         T="401 404 404 404 404 404 404 200 404"),
    case("api-tender-lots", variant="private", pk="tender_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("api-tender-lots", variant="bids closed", pk="tender_closed", L=PUBLIC),
    case("api-tender-criteria", pk="tender_closed", L=PUBLIC),
    case("api-lot-detail", pk="lot", L=PUBLIC),
    case("api-criterion-detail", pk="criterion", L=PUBLIC),
    # Edits of a published PCAP: its city's officers are refused by the state (409), its other
    # people by their role (403), everyone else does not see the private side (404).
    case("api-lot-detail", variant="delete", method="delete", pk="lot",
         L="401 409 403 403 404 404 404 404 409",
         T="401 404 404 404 409 403 404 404 409"),
    case("api-criterion-detail", variant="delete", method="delete", pk="criterion",
         L="401 409 403 403 404 404 404 404 409",
         T="401 404 404 404 409 403 404 404 409"),
    case("api-tender-detail", variant="patch", method="patch", pk="tender_closed",
         L="401 409 403 403 404 404 404 404 409",
         T="401 404 404 404 409 403 404 404 409"),
    case("api-tender-committee", method="post", pk="tender_closed",
         L="401 400 400 400 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-tender-bids", pk="tender_closed",
         L="401 200 200 200 404 404 200 200 200",
         T="401 404 404 404 200 200 200 200 200"),
    case("api-tender-scores", pk="tender_closed",
         L="401 200 200 200 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-tender-ranking", pk="tender_closed",
         L="401 409 409 409 404 404 404 404 409",
         T="401 404 404 404 409 409 404 404 409"),
    case("api-tender-awards", pk="tender_closed", L=PUBLIC),
    case("api-tender-questions", pk="tender_closed", L=PUBLIC),
    case("api-tender-question-answer", method="post", pk="tender_question",
         L="401 400 400 400 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-bid-detail", pk="bid",
         L="401 200 200 200 404 404 200 404 200",
         T="401 404 404 404 200 200 404 200 200"),
    # A bidder reads its envelopes back only while the bid is a draft (409: sealed).
    case("api-bid-envelope", variant="A", pk="bid", envelope="=a",
         L="401 200 200 200 404 404 409 404 200",
         T="401 404 404 404 200 200 404 409 200"),
    case("api-bid-envelope", variant="C", pk="bid", envelope="=c",
         L="401 409 409 409 404 404 409 404 409",
         T="401 404 404 404 409 409 404 409 409"),
    case("api-bid-submit", method="post", pk="bid",
         L="401 404 404 404 404 404 - 404 404",
         T="401 404 404 404 404 404 404 - 404"),
    case("api-bid-withdraw", method="post", pk="bid",
         L="401 404 404 404 404 404 - 404 404",
         T="401 404 404 404 404 404 404 - 404"),
    case("api-bid-admission", method="post", pk="bid",
         L="401 400 400 400 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-bid-abnormal", method="post", pk="bid",
         L="401 400 400 400 404 404 409 404 400",
         T="401 404 404 404 400 400 404 409 400"),
    # A bid's files: the bidder lists its own; the city those of opened envelopes (none before).
    case("api-bid-files", pk="bid",
         L="401 200 200 200 404 404 200 404 200",
         T="401 404 404 404 200 200 404 200 200"),
    # A sealed file: L's envelope B is open, T's is not: the same 404 for everyone, admins too.
    case("api-bid-file", pk="bid_file",
         L="401 200 200 200 404 404 404 404 200",
         T="401 404 404 404 404 404 404 404 404"),
    case("api-bid-deuc", pk="bid",
         L="401 404 404 404 404 404 200 404 404",
         T="401 404 404 404 404 404 404 200 404"),
    case("api-bid-summary", pk="bid",
         L="401 404 404 404 404 404 200 404 404",
         T="401 404 404 404 404 404 404 200 404"),
    case("api-bid-receipt", pk="bid",
         L="401 404 404 404 404 404 200 404 404",
         T="401 404 404 404 404 404 404 200 404"),
    case("api-bid-award-documents", pk="bid",
         L="401 200 200 200 404 404 200 404 200",
         T="401 404 404 404 200 200 404 200 200"),
    # Role refusals: a valid body, so that only the role stops the write ("-": would write).
    case("api-clarification-answer", variant="valid body", method="post", pk="clarification",
         data={"answer": "Sí."},
         L="401 - - 403 404 404 404 404 -",
         T="401 404 404 404 - - 404 404 -"),
    case("api-tender-question-answer", variant="valid body", method="post",
         pk="tender_question", data={"answer": "Doce."},
         L="401 - 403 403 404 404 404 404 -",
         T="401 404 404 404 - 403 404 404 -"),
    case("api-bid-admission", variant="valid body", method="post", pk="bid",
         data={"decision": "admitted"},
         L="401 403 403 409 404 404 404 404 403",
         T="401 404 404 404 403 403 404 404 -"),
    case("api-tender-committee", variant="valid body", method="post", pk="tender_closed",
         data={"username": "committee.logrono"},
         L="401 201 403 403 404 404 404 404 201",
         T="401 404 404 404 400 403 404 404 400"),
    case("api-ocds-releases", L=PUBLIC),
    case("api-ocds-record", ocid="ocid", L=PUBLIC),
    case("api-indicators", L=PUBLIC),
    case("api-template-list", L=API_SIGNED_IN),
    case("api-template-detail", variant="own", pk="template",
         L="401 200 200 404 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-template-detail", variant="library", pk="template_library", L=API_SIGNED_IN),
    # The preview saves nothing: whoever reads the template may preview a text of it.
    case("api-template-preview", method="post", pk="template",
         L="401 400 400 404 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-template-versions", method="post", pk="template",
         L="401 400 400 404 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-template-version-action", method="post", pk="template", number="=1", action="=no-such-action",
         L="401 404 404 404 404 404 404 404 404",
         T="401 404 404 404 404 404 404 404 404"),
    case("api-template-share", method="post", pk="template",
         L="401 - - - 404 404 404 404 -",
         T="401 404 404 404 - - 404 404 -"),
    case("api-template-adopt", method="post", pk="template_library",
         L="401 - - - - - 403 403 -",
         T="401 - - - - - 403 403 -"),
    case("api-template-merge", pk="template",
         L="401 409 409 404 404 404 404 404 409",
         T="401 404 404 404 409 409 404 404 409"),
    case("api-tender-documents", variant="private", pk="tender_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("api-tender-documents", variant="published", pk="tender_public", L=PUBLIC),
    case("api-tender-pliegos", variant="private", pk="tender_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("api-tender-pliegos", variant="published", pk="tender_public", L=PUBLIC),
    # eForms notices: valid ones of a published process for all; every one for its city.
    case("api-tender-notices", variant="private", pk="tender_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("api-tender-notices", variant="published", pk="tender_public", L=PUBLIC),
    case("api-tender-notice-xml", pk="tender_public",
         notice_id="=00000000-0000-4000-8000-000000000000",
         L="404 404 404 404 404 404 404 404 404",
         T="404 404 404 404 404 404 404 404 404"),
    case("api-tender-pliego-file", pk="tender_public", pliego_pk="=999999",
         L="404 404 404 404 404 404 404 404 404",
         T="404 404 404 404 404 404 404 404 404"),
    case("api-tender-pliego-approve", method="post", pk="tender_private", pliego_pk="=999999",
         L="401 404 404 404 404 404 404 404 404",
         T="401 404 404 404 404 404 404 404 404"),
    case("api-tender-pliego-amend", method="post", pk="tender_private", pliego_pk="=999999",
         L="401 404 404 404 404 404 404 404 404",
         T="401 404 404 404 404 404 404 404 404"),
    case("api-document-detail", variant="private", pk="document_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("api-document-detail", variant="public", pk="document_public", L=PUBLIC),
    case("api-document-pdf", variant="private", pk="document_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("api-document-pdf", variant="public", pk="document_public", L=PUBLIC),
    # The deadline calculator is public; asked nothing, it says which field is missing.
    case("api-calendar-deadline", L="400 400 400 400 400 400 400 400 400"),
    case("api-document-signatures", variant="private", pk="document_private",
         L="404 200 200 200 404 404 404 404 200",
         T="404 404 404 404 200 200 404 404 200"),
    case("api-document-signatures", variant="public", pk="document_public", L=PUBLIC),
    # No file: refused as bad input once the document is seen to be readable.
    case("api-document-signatures", method="post", pk="document_private",
         L="401 400 400 400 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    # The signed legal report and credit certificate, the city's only. An upload takes a
    # multipart form: a JSON body is refused (415) once the process is seen to be readable.
    case("api-tender-file-documents", pk="tender_private",
         L="401 200 200 200 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-tender-file-documents", method="post", pk="tender_private",
         L="401 415 415 415 404 404 404 404 415",
         T="401 404 404 404 415 415 404 404 415"),
    case("api-tender-file-document-pdf", pk="tender_private", document_pk="=999999",
         L="401 404 404 404 404 404 404 404 404",
         T="401 404 404 404 404 404 404 404 404"),
    case("api-notification-list", L=API_SIGNED_IN),
    case("api-inapp-message-list", L=API_SIGNED_IN),
    case("api-inapp-messages-read", method="post", L=API_SIGNED_IN),
    case("api-inapp-message-read", method="post", pk="inapp_message",
         L="401 404 404 404 404 404 200 404 404",
         T="401 404 404 404 404 404 404 200 404"),
    case("api-tender-notifications", pk="tender_closed",
         L="401 200 200 200 404 404 404 404 200",
         T="401 404 404 404 200 200 404 404 200"),
    case("api-notification-detail", pk="notification",
         L="401 404 404 404 404 404 200 404 404",
         T="401 404 404 404 404 404 404 200 404"),
    case("api-tender-appeals", pk="tender_closed", L=API_SIGNED_IN),
    case("api-tender-appeals", variant="lodge", method="post", pk="tender_closed",
         L="401 400 400 400 400 400 400 400 400",
         T="401 400 400 400 400 400 400 400 400"),
    case("api-appeal-list", L=API_SIGNED_IN),
    case("api-appeal-detail", pk="appeal",
         L="401 200 200 200 404 404 200 404 200",
         T="401 404 404 404 200 200 404 200 200"),
    case("api-appeal-resolve", method="post", pk="appeal",
         L="401 400 400 400 404 404 400 404 400",
         T="401 404 404 404 400 400 404 400 400"),
    case("api-appeal-resolve", variant="valid body", method="post", pk="appeal",
         data={"outcome": "dismissed", "text": "Resolución 12/2026: desestimado."},
         L="401 - 403 403 404 404 403 404 -",
         T="401 404 404 404 - 403 404 403 -"),
    case("api-appeal-document", pk="appeal_document",
         L="401 200 200 200 404 404 200 404 200",
         T="401 404 404 404 200 200 404 200 200"),
    # The phases of a PCP or partnership (issue #16). On a CPTI process the lists are empty;
    # an id that exists nowhere is the same 404 for everyone (401 first where sign-in is needed).
    case("api-tender-phases", pk="tender_closed", L=PUBLIC),
    case("api-tender-phases", variant="post", method="post", pk="tender_closed",
         L="401 400 400 400 404 404 404 404 400",
         T="401 404 404 404 400 400 404 404 400"),
    case("api-phase-detail", pk="=999999", L=NOWHERE),
    case("api-phase-detail", variant="delete", method="delete", pk="=999999", L=API_NOWHERE),
    case("api-phase-criteria", pk="=999999", L=NOWHERE),
    case("api-phase-criterion-detail", method="delete", pk="=999999", L=API_NOWHERE),
    case("api-phase-criterion-detail", variant="put", method="put", pk="=999999",
         L=API_NOWHERE),
    # Offers: a supplier reads its own, the city the submitted ones after the call closed.
    case("api-tender-phase-offers", pk="tender_closed", L=API_SIGNED_IN),
    case("api-tender-phase-offers", variant="post", method="post", pk="tender_closed",
         L="401 400 400 400 400 400 400 400 400"),
    case("api-phase-offer", pk="=999999", L=API_NOWHERE),
    case("api-phase-offer-submit", method="post", pk="=999999", L=API_NOWHERE),
    case("api-phase-offer-withdraw", method="post", pk="=999999", L=API_NOWHERE),
    case("api-phase-offer-files", method="post", pk="=999999", L=API_NOWHERE),
    case("api-phase-offer-scores", method="post", pk="=999999", L=API_NOWHERE),
    # Signed phase contracts and their milestones are open data.
    case("api-tender-phase-contracts", pk="tender_closed", L=PUBLIC),
    case("api-phase-contract", pk="=999999", L=NOWHERE),
    case("api-phase-contract", variant="put", method="put", pk="=999999", L=API_NOWHERE),
    case("api-phase-contract-deliverables", method="post", pk="=999999", L=API_NOWHERE),
    case("api-phase-contract-scores", method="post", pk="=999999", L=API_NOWHERE),
    case("api-milestone-accept", method="post", pk="=999999", L=API_NOWHERE),
    case("api-milestone-pay", method="post", pk="=999999", L=API_NOWHERE),
    case("api-schema", L=PUBLIC),
    case("api-docs", L=PUBLIC),
]
# fmt: on


def test_every_endpoint_has_expectations():
    """A new URL fails here until its row is added to the matrix (or its prefix skipped)."""
    known = {c.name for c in WEB + API}
    found = {e.name: e for e in endpoints()}
    missing = sorted(set(found) - known)
    stale = sorted(known - set(found))
    assert not missing, (
        "Endpoints without a row in tests/security/test_permission_matrix.py (add who may "
        "read them, for each actor and each side):\n"
        + "\n".join(f"  {n}  /{found[n].route}  kwargs={found[n].kwargs}" for n in missing)
    )
    assert not stale, f"Rows for URL names that no longer exist: {stale}"
    assert all(not found[c.name].is_api for c in WEB), "an API endpoint sits in WEB"
    assert all(found[c.name].is_api for c in API), "a web endpoint sits in API"
    assert set(SKIPPED_PREFIXES) >= {"admin/", "i18n/"}


def test_matrix_size(capsys):
    total = cells(WEB) + cells(API)
    with capsys.disabled():
        print(f"\npermission matrix: {total} endpoint × actor × object cases")
    assert total > 0


@pytest.fixture
def world(demo, django_capture_on_commit_callbacks):
    return matrix_world.build(capture=django_capture_on_commit_callbacks)


def _check(cases, world, clients, *, api, capsys):
    checked, mismatches = run(cases, world, clients, api=api)
    with capsys.disabled():
        print(f"\n{'API' if api else 'web'} matrix: {checked} cases checked")
    assert checked > 0
    assert not mismatches, f"{len(mismatches)} of {checked} cells differ:\n" + "\n".join(mismatches)
    assert not OBSERVE, "observe mode prints the table; it checks nothing"


def _refused_writes_left_no_trace(world):
    from tenders.models import Appeal, Attachment, Bid, Clarification, Response

    assert set(
        Appeal.objects.filter(pk__in=world["appeal"].values()).values_list("status", flat=True)
    ) == {"lodged"}

    assert Attachment.objects.filter(pk__in=world["attachment"].values()).count() == 2
    assert set(
        Response.objects.filter(pk__in=world["response"].values()).values_list("status", flat=True)
    ) == {"submitted"}
    assert Bid.objects.get(pk=world["bid"]["T"]).admission == "pending"
    unanswered = Clarification.objects.get(pk=world["clarification"]["T"])
    assert unanswered.answer == ""


def test_web_permission_matrix(world, capsys):
    _check(WEB, world, web_clients(), api=False, capsys=capsys)
    _refused_writes_left_no_trace(world)


def test_api_permission_matrix(world, capsys):
    _check(API, world, api_clients(), api=True, capsys=capsys)
    _refused_writes_left_no_trace(world)


@pytest.mark.parametrize("actor", ["officer.logrono", "legal.logrono"])
def test_api_permission_matrix_asks_a_totp_user_for_the_second_factor(world, actor, capsys):
    """A city user who turned the second factor on: a session with the password only is refused
    on every API route that reads credentials; once the code is given, the API answers as in
    the actor's column."""
    password_only, verified = second_factor_sessions(actor)
    checked, mismatches = run_second_factor(API, world, actor, password_only, verified)
    with capsys.disabled():
        print(f"\nAPI second-factor matrix for {actor}: {checked} cases checked")
    assert checked > 0
    assert not mismatches, f"{len(mismatches)} of {checked} cells differ:\n" + "\n".join(mismatches)
    _refused_writes_left_no_trace(world)

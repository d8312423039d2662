"""Schemathesis against /api/schema/, in-process: no 5xx, and every response as the schema says.

Each test seeds the demo once (pytest-django's transaction around the whole function) and then
runs every operation of the schema for a few Hypothesis examples, both well-formed (positive) and
schema-violating (negative) input, as a city officer and anonymously. Path ids are drawn both at
random and from the seeded objects, so the fuzzer reaches the code behind the 404.

``OPENCPI_FUZZ_EXAMPLES`` raises the examples per operation for a longer local run;
``OPENCPI_FUZZ_RANDOM=1`` draws new examples each run instead of CI's fixed ones.
"""

import contextlib
import os
import re

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("OPENCPI_FUZZ_EXAMPLES", "12"))
RANDOM = os.environ.get("OPENCPI_FUZZ_RANDOM") == "1"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Negative input must be refused with a 4xx, never accepted and never a 5xx.
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]


def _seeded_ids() -> dict[str, dict[str, object]]:
    """Path parameters of real demo objects, by the path's first segment under /api/v1/."""
    from documents.models import DocumentTemplate, GeneratedDocument
    from procurement.accounts.models import City, Supplier
    from publication.models import OcdsRelease
    from tenders.models import (
        Attachment,
        Bid,
        Clarification,
        Consultation,
        Question,
        Response,
        Tender,
        TenderQuestion,
    )

    def first(model) -> int | None:
        return model.objects.order_by("pk").values_list("pk", flat=True).first()

    ids: dict[str, dict[str, object]] = {}
    for segment, model in {
        "tenders": Tender,
        "consultations": Consultation,
        "questions": Question,
        "responses": Response,
        "attachments": Attachment,
        "clarifications": Clarification,
        "tender-questions": TenderQuestion,
        "bids": Bid,
        "cities": City,
        "suppliers": Supplier,
        "templates": DocumentTemplate,
        "documents": GeneratedDocument,
    }.items():
        pk = first(model)
        if pk is not None:
            ids[segment] = {"id": pk}
    ocid = OcdsRelease.objects.values_list("ocid", flat=True).first()
    if ocid:
        ids["ocds"] = {"ocid": ocid}
    return ids


@contextlib.contextmanager
def _connection_kept():
    """The WSGI handler closes the database connection after each request (as in production);
    the test's transaction lives on that connection, so keep it open, as Django's test client
    does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _run(*, headers: dict[str, str], mode: GenerationMode) -> list[str]:
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    ids = _seeded_ids()
    checks = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategies = [operation.as_strategy(generation_mode=mode)]
        segment = re.match(r"/api/v1/([^/]+)/\{", operation.path)
        if segment and segment.group(1) in ids:
            real = ids[segment.group(1)]
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=real))
        strategy = st.one_of(strategies)
        if mode is GenerationMode.NEGATIVE and operation.body:
            # DRF reads an empty field of a form body as an absent one (HTML forms send every
            # field), so only JSON bodies can be held to "schema-violating means refused". An
            # operation that takes only forms (file uploads) is fuzzed in the positive runs:
            # filtering all its cases away makes Hypothesis's generation inconsistent.
            if not any("json" in body.media_type for body in operation.body):
                continue
            strategy = strategy.filter(lambda case: "json" in (case.media_type or "json"))

        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=not RANDOM,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            print_blob=False,
        )
        @given(case=strategy)
        def fuzz(case):
            # A savepoint per call: a request that breaks the transaction cannot poison the rest.
            with transaction.atomic():
                case.call_and_validate(headers=headers, checks=checks)

        try:
            fuzz()
        except Unsatisfiable:
            # Negative mode on an operation with nothing to get wrong (no body, no query).
            assert mode is GenerationMode.NEGATIVE, operation.label
        except (Exception, FailureGroup) as exc:  # every operation's failure, then fail
            failures.append(f"{operation.label}: {exc}")
    return failures


# Every operation of the schema, a dozen examples each: longer than the suite's 300 s per test
# on a busy machine.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("username", ["officer.logrono", None], ids=["officer", "anonymous"])
def test_api_answers_fuzzed_input_as_its_schema_says(demo_processes, api_as, username, mode):
    headers = {}
    if username is not None:
        # Before the fuzzing: the test client reconnects the signal _connection_kept disconnects.
        headers = {"Authorization": api_as(username)._credentials["HTTP_AUTHORIZATION"]}
    with _connection_kept():
        failures = _run(headers=headers, mode=mode)
    if failures:
        pytest.fail(
            f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures), pytrace=False
        )

"""Officers ordering documents of one process at the same moment (PostgreSQL, threads)."""

import pytest
from rest_framework.test import APIClient

from documents.models import GeneratedDocument
from tests.concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8
ORDERS_EACH = 6


def test_documents_ordered_at_once_are_all_accepted_and_numbered_once(
    library, consultation_process
):
    """The soak found one order in ~400 answered 500: the order reloaded its document while
    another request did the same, and django-fsm's reload of a protected status is not safe
    between threads."""
    officer = library.user("officer.logrono")
    answers: list[int] = []

    def order() -> None:
        api = APIClient()
        api.force_authenticate(officer)
        for n in range(ORDERS_EACH):
            reply = api.post(
                f"/api/v1/tenders/{consultation_process.pk}/documents/",
                {"kind": ("pcap", "ppt")[n % 2]},
                format="json",
            )
            answers.append(reply.status_code)

    run_at_once(order, THREADS)

    assert answers == [202] * (THREADS * ORDERS_EACH)
    numbers = list(
        GeneratedDocument.objects.filter(tender=consultation_process, trigger="on demand")
        .order_by("kind", "number")
        .values_list("kind", "number")
    )
    half = THREADS * ORDERS_EACH // 2
    assert numbers == [("pcap", n) for n in range(1, half + 1)] + [
        ("ppt", n) for n in range(1, half + 1)
    ]

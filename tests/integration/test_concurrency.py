"""Two people firing at once: exactly one wins, the other is told the process changed."""

import threading

import pytest
from django.db import connection

from procurement.core.exceptions import Conflict
from procurement.core.models import AuditEntry
from tenders.models import Tender
from tests.factories.tenders import make_tender
from workflows.services import transition_perform

THREADS = 8


@pytest.mark.postgres
def test_the_same_transition_fired_from_many_threads_succeeds_once(live_demo):
    tender = make_tender(city=live_demo.city("logrono"))
    officer = live_demo.user("officer.logrono")
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def fire():
        process = Tender.objects.get(pk=tender.pk)  # each thread read it before anyone fired
        barrier.wait()
        try:
            transition_perform(process=process, name="validate_need", actor=officer)
            outcome = "ok"
        except Conflict as refused:
            outcome = "changed" if "changed meanwhile" in refused.message else refused.message
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=fire) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["changed"] * (THREADS - 1) + ["ok"]
    assert (
        AuditEntry.objects.filter(
            action="transition", object_id=str(tender.pk), name="validate_need"
        ).count()
        == 1
    )
    tender.refresh_from_db()
    assert tender.status == "need_validated"

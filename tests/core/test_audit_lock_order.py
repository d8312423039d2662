"""The audit chain's lock never deadlocks with row locks: a transaction's deferred foreign-key
checks run before it takes the chain lock, not at COMMIT while holding it (found by the soak on
PostgreSQL: 218 of 1,592 requests failed with "deadlock detected")."""

import threading

import pytest
from django.db import connection, transaction
from knox.models import AuthToken

from procurement.core.audit import audit_record
from procurement.core.models import AuditEntry


@pytest.mark.postgres
def test_a_row_locked_while_waiting_for_the_chain_does_not_deadlock_an_earlier_writer(live_demo):
    user = live_demo.user("supplier.acme")
    AuthToken.objects.filter(user=user).delete()
    holder_locked, writer_audited = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def holder():
        """Locks the user row, then (once the writer is in its audit) records its own step."""
        try:
            with transaction.atomic():
                type(user).objects.select_for_update().get(pk=user.pk)
                holder_locked.set()
                writer_audited.wait(2)
                audit_record(actor=None, action=AuditEntry.Action.CHANGE, target=user, name="held")
            outcome["holder"] = "ok"
        except Exception as error:
            outcome["holder"] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    def writer():
        """Inserts a row that references the locked user (checked at COMMIT by default), then
        records its step on the chain."""
        try:
            holder_locked.wait(10)
            with transaction.atomic():
                AuthToken.objects.create(user=user)
                threading.Timer(0.5, writer_audited.set).start()
                audit_record(actor=None, action=AuditEntry.Action.CHANGE, target=user, name="wrote")
                writer_audited.set()
            outcome["writer"] = "ok"
        except Exception as error:
            outcome["writer"] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == {"holder": "ok", "writer": "ok"}
    assert set(
        AuditEntry.objects.filter(name__in=["held", "wrote"]).values_list("name", flat=True)
    ) == {"held", "wrote"}

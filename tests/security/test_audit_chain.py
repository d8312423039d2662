"""The audit log is tamper-evident: every change to a past row is found by verify_audit."""

import pytest
from django.core.management import CommandError, call_command

from procurement.core.models import AuditEntry


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_the_demo_log_is_intact(demo_processes):
    assert AuditEntry.objects.count() > 100
    assert "intact" in _verify()


@pytest.mark.parametrize(
    "tamper",
    ["change_reason", "change_actor", "delete_row", "insert_row"],
)
def test_any_tampering_is_reported_at_its_row(demo_processes, tamper):
    rows = list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True))
    victim = rows[len(rows) // 2]
    if tamper == "change_reason":
        AuditEntry.objects.filter(pk=victim).update(reason="nothing to see here")
        expected = victim
    elif tamper == "change_actor":
        AuditEntry.objects.filter(pk=victim).update(actor=None)
        expected = victim
    elif tamper == "delete_row":
        AuditEntry.objects.filter(pk=victim).delete()
        expected = rows[rows.index(victim) + 1]
    else:
        forged = AuditEntry.objects.get(pk=victim)
        forged.pk = None
        forged.reason = "backdated approval"
        forged.save()
        expected = forged.pk
    with pytest.raises(CommandError) as broken:
        _verify()
    assert f"entry {expected} " in str(broken.value)


@pytest.mark.postgres
def test_concurrent_appends_keep_one_chain(live_demo):
    from procurement.core.audit import audit_record
    from tests.concurrency import run_at_once

    city = live_demo.city("logrono")

    def write():
        for _ in range(5):
            audit_record(actor=None, action="change", target=city, name="concurrent")

    run_at_once(write, threads=6)
    assert "intact" in _verify()

"""The scheduler under a deadline storm: many processes due at once are fired a chunk at a time,
each exactly once, a failing one alone is left for the next run, the audit chain stays intact and
the effects still go through the outbox.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procurement.accounts.models import City
from procurement.core.models import AuditEntry
from tenders.consultation.services import consultation_save
from tenders.models import Tender
from tests.concurrency import run_at_once
from tests.factories.tenders import make_tender
from workflows.effects import effects_dispatch
from workflows.models import PendingEffect
from workflows.registry import MACHINES
from workflows.services import fire_due_events, transition_perform

NOW = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)
OPENS = NOW + dt.timedelta(days=1)
CLOSES = NOW + dt.timedelta(days=20)


def _open_consultations(demo, count: int, city: str = "logrono") -> list[Tender]:
    """``count`` processes whose consultations opened at OPENS and all close at CLOSES."""
    officer = demo.user(f"officer.{city}")
    tenders = []
    for n in range(count):
        tender = make_tender(city=demo.city(city), state="consultation_draft")
        consultation_save(
            actor=officer, tender=tender, subject=f"Sensors {n}", opens_at=OPENS, closes_at=CLOSES
        )
        tenders.append(
            transition_perform(process=tender, name="publish_consultation", actor=officer, now=NOW)
        )
    assert fire_due_events(models=MACHINES, now=OPENS) == count
    return tenders


def _closings(tenders) -> dict[int, int]:
    """How many times each process's consultation was closed, by the audit log."""
    return {
        tender.pk: AuditEntry.objects.filter(
            object_id=str(tender.pk), name="close_consultation"
        ).count()
        for tender in tenders
    }


def _chain_intact() -> bool:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return "intact" in out.getvalue()


def test_a_storm_fires_every_process_once_across_chunks_and_keeps_the_chain(demo):
    tenders = _open_consultations(demo, 5)
    assert fire_due_events(models=MACHINES, now=CLOSES, chunk=2) == 5
    assert fire_due_events(models=MACHINES, now=CLOSES, chunk=2) == 0, "a second beat fires none"
    assert set(
        Tender.objects.filter(pk__in=[t.pk for t in tenders]).values_list("status", flat=True)
    ) == {"consultation_closed"}
    assert set(_closings(tenders).values()) == {1}
    entry = AuditEntry.objects.filter(object_id=str(tenders[0].pk), name="close_consultation").get()
    assert entry.actor is None and entry.legal_basis == "LCSP art. 115"
    assert entry.data["due_at"] == CLOSES.isoformat()
    assert _chain_intact()


def test_a_chunk_records_its_effects_in_the_outbox_and_sends_one_dispatch(
    demo, django_capture_on_commit_callbacks
):
    tenders = _open_consultations(demo, 5)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert fire_due_events(models=MACHINES, now=CLOSES, chunk=2) == 5
    dispatches = [c for c in callbacks if c.__qualname__.startswith("effects_schedule_many")]
    assert len(dispatches) == 3, "one dispatch per chunk of two, not one per process"
    closing = AuditEntry.objects.filter(
        object_id__in=[str(t.pk) for t in tenders], name="close_consultation"
    )
    effects = PendingEffect.objects.filter(audit_entry_id__in=closing.values("pk"))
    per_process = {t.pk: effects.filter(object_pk=str(t.pk)).count() for t in tenders}
    assert len(set(per_process.values())) == 1 and per_process[tenders[0].pk] >= 2
    assert set(effects.values_list("effect", flat=True)) >= {"automatic", "consultation_closed"}
    assert not effects.filter(dispatched_at__isnull=True).exists()
    assert effects_dispatch(ids=list(effects.values_list("pk", flat=True))) == 0, (
        "nothing is dispatched twice"
    )


def test_the_queries_per_fired_process_do_not_grow_with_the_number_of_processes(demo):
    few, many = _open_consultations(demo, 2), _open_consultations(demo, 6, city="terrassa")
    Tender.objects.filter(pk__in=[t.pk for t in many]).update(
        next_check=CLOSES + dt.timedelta(hours=1)
    )
    with CaptureQueriesContext(connection) as two:
        assert fire_due_events(models=MACHINES, now=CLOSES) == len(few)
    with CaptureQueriesContext(connection) as six:
        assert fire_due_events(models=MACHINES, now=CLOSES + dt.timedelta(hours=1)) == len(many)
    per_process = (len(six) - len(two)) / (len(many) - len(few))
    assert per_process <= 5, f"{per_process} queries per fired process"
    assert len(two) - 2 * per_process <= 12, "one lock, audit append and outbox insert per chunk"


def _break_updates_of(tender: Tender) -> None:
    """A database fault on one row: PostgreSQL refuses any update of this process."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION storm_refuse() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'storage fault'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER storm_refuse BEFORE UPDATE ON tenders_tender FOR EACH ROW "
            f"WHEN (OLD.id = {int(tender.pk)}) EXECUTE FUNCTION storm_refuse()"
        )


def _repair_updates() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER storm_refuse ON tenders_tender")
        cursor.execute("DROP FUNCTION storm_refuse()")


@pytest.mark.postgres
@pytest.mark.parametrize("fault", ["guard raises", "database refuses the update"])
def test_a_process_that_fails_to_fire_neither_blocks_nor_undoes_the_others(demo, fault):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    healthy = _open_consultations(demo, 4)
    (failing,) = _open_consultations(demo, 1, city="terrassa")
    if fault == "guard raises":
        # Its city's calendar cannot be built: every guard context of the process raises.
        City.objects.filter(pk=failing.city_id).update(timezone="Nowhere/Atlantis")
    else:
        _break_updates_of(failing)

    assert fire_due_events(models=MACHINES, now=CLOSES, chunk=2) == 4
    assert set(_closings(healthy).values()) == {1}
    failing.refresh_from_db()
    assert failing.status == "consultation_open"
    assert failing.next_check == CLOSES, "still due: the next run tries it again"
    assert _closings([failing]) == {failing.pk: 0}
    assert _chain_intact()

    if fault == "guard raises":
        City.objects.filter(pk=failing.city_id).update(timezone="Europe/Madrid")
    else:
        _repair_updates()
    assert fire_due_events(models=MACHINES, now=CLOSES + dt.timedelta(minutes=1)) == 1
    assert _closings([*healthy, failing]) == {t.pk: 1 for t in [*healthy, failing]}
    assert _chain_intact()


@pytest.mark.postgres
def test_schedulers_running_at_once_fire_each_process_once(live_demo):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    tenders = _open_consultations(live_demo, 8)
    counts: list[int] = []
    run_at_once(
        lambda: counts.append(fire_due_events(models=MACHINES, now=CLOSES, chunk=2)), threads=3
    )
    assert sum(counts) == 8
    assert set(_closings(tenders).values()) == {1}
    assert _chain_intact()

"""After-commit effects of transitions (STYLE rule 3), through a transactional outbox.

A transition names its effects (``Transition.effects``, e.g. "tender_notice"); apps subscribe a
handler to an effect name with ``@on_effect``. Every automatic transition also raises the effect
``"automatic"``. Scheduling writes one ``PendingEffect`` row per handler inside the transition's
transaction; after commit each is dispatched (the handler typically enqueues a Celery task). A
dispatch that fails — the broker is down — leaves the row pending for the relay
(``workflows.relay_effects``). The scheduler records a whole chunk of fired deadlines at once and
leaves their dispatch to a worker (``effects_schedule_many``).
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from workflows.models import PendingEffect

logger = logging.getLogger(__name__)

Handler = Callable[..., None]
HANDLERS: dict[str, list[Handler]] = defaultdict(list)


def _path(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def on_effect(*names: str):
    def register(handler: Handler) -> Handler:
        for name in names:
            if handler not in HANDLERS[name]:
                HANDLERS[name].append(handler)
        return handler

    return register


def _rows(*, effects: tuple[str, ...], process, audit_entry_id: int) -> list[PendingEffect]:
    return [
        PendingEffect(
            effect=name,
            handler=_path(handler),
            model=process._meta.label,
            object_pk=str(process.pk),
            audit_entry_id=audit_entry_id,
        )
        for name in effects
        for handler in HANDLERS.get(name, ())
    ]


def _insert(rows: list[PendingEffect]) -> list[int]:
    created = PendingEffect.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.pk is not None]
    if len(ids) < len(rows):  # backends that do not return ids on bulk insert
        ids = list(
            PendingEffect.objects.filter(
                audit_entry_id__in={row.audit_entry_id for row in rows}
            ).values_list("pk", flat=True)
        )
    return ids


def effects_schedule(*, effects: tuple[str, ...], process, audit_entry_id: int) -> None:
    """Record the effects in the current transaction and dispatch them after it commits.

    The dispatch runs in this process right after the commit: a person's transition has its
    documents and e-mails on their way before the page answers, and a broker outage is recorded
    on the rows (``attempts``, ``last_error``) for the relay."""
    rows = _rows(effects=effects, process=process, audit_entry_id=audit_entry_id)
    if not rows:
        return
    ids = _insert(rows)
    transaction.on_commit(lambda: effects_dispatch(ids=ids), robust=True)


def effects_schedule_many(items: list[tuple[tuple[str, ...], object, int]]) -> None:
    """Record the effects of many transitions (``(effects, process, audit_entry_id)``) in the
    current transaction with one insert; after commit, one Celery message asks a worker to
    dispatch them all (``workflows.dispatch_effects``).

    For the scheduler: a deadline storm fires thousands of processes, and dispatching inline
    would cost a message per handler per process on the firing worker's critical path. If the
    message cannot be sent, the rows stay pending for the relay, as any failed dispatch does.
    """
    rows = [
        row
        for effects, process, audit_entry_id in items
        for row in _rows(effects=effects, process=process, audit_entry_id=audit_entry_id)
    ]
    if not rows:
        return
    ids = _insert(rows)

    def send() -> None:
        from workflows.tasks import dispatch_effects_task

        dispatch_effects_task.delay(ids)

    transaction.on_commit(send, robust=True)


DISPATCH_BATCH = 100


def effects_dispatch(*, ids: list[int] | None = None) -> int:
    """Dispatch pending effects (``ids``, or every pending one); returns how many went out.

    Rows are taken in id order, a batch at a time, locked with SKIP LOCKED, so two relays never
    dispatch the same effect. A row is marked dispatched only if its handler returned; one whose
    handler raised stays pending with the error for the next relay. Should the process die in
    the middle of a batch, the batch stays pending and is dispatched again: handlers enqueue
    idempotent tasks, so that sends nothing twice.
    """
    done = 0
    after = 0
    while True:
        with transaction.atomic():
            pending = PendingEffect.objects.select_for_update(skip_locked=True).filter(
                dispatched_at__isnull=True, pk__gt=after
            )
            if ids is not None:
                pending = pending.filter(pk__in=ids)
            rows = list(pending.order_by("pk")[:DISPATCH_BATCH])
            if not rows:
                break
            sent: list[int] = []
            for row in rows:
                try:
                    handler = import_string(row.handler)
                    handler(
                        effect=row.effect,
                        model=row.model,
                        pk=_pk(row.object_pk),
                        audit_entry_id=row.audit_entry_id,
                    )
                except Exception as error:
                    row.attempts += 1
                    row.last_error = f"{type(error).__name__}: {error}"[:2000]
                    row.save(update_fields=["attempts", "last_error"])
                    logger.warning(
                        "effect %s pending after attempt %s: %s", row, row.attempts, error
                    )
                    continue
                sent.append(row.pk)
            if sent:
                PendingEffect.objects.filter(pk__in=sent).update(
                    dispatched_at=timezone.now(), attempts=F("attempts") + 1
                )
            after = rows[-1].pk
        done += len(sent)
    return done


def _pk(value: str):
    return int(value) if value.isdigit() else value

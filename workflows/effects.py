"""After-commit effects of transitions (STYLE rule 3), through a transactional outbox.

A transition names its effects (``Transition.effects``, e.g. "tender_notice"); apps subscribe a
handler to an effect name with ``@on_effect``. Every automatic transition also raises the effect
``"automatic"``. Effect names are declared once (``declare_effects``), by the app that raises
them; the system check ``workflows.checks`` refuses to start when a transition names an effect
that is not declared or that no handler takes, or a handler waits for an undeclared one, so a
misspelt name cannot silently do nothing.

Scheduling writes one ``PendingEffect`` row per handler inside the transition's transaction;
after commit each is dispatched (the handler typically enqueues a Celery task). A dispatch that
fails — the broker is down — leaves the row pending for the relay (``workflows.relay_effects``).
The scheduler records a whole chunk of fired deadlines at once and leaves their dispatch to a
worker (``effects_schedule_many``). An app may raise an effect of its own later on behalf of a
step (``effect_raise``: documents raise ``document_ready`` once a step's documents are stored).
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from procurement.core.models import AuditEntry
from workflows.models import PendingEffect

logger = logging.getLogger(__name__)

Handler = Callable[..., None]
HANDLERS: dict[str, list[Handler]] = defaultdict(list)
DECLARED: set[str] = set()


def declare_effects(*names: str) -> tuple[str, ...]:
    """Declare effect names that transitions (or an app's own services) may raise; returns them."""
    DECLARED.update(names)
    return names


# Raised by the engine itself with every automatic transition (see ``workflows.services``).
AUTOMATIC = declare_effects("automatic")[0]


def handler_path(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def on_effect(*names: str):
    def register(handler: Handler) -> Handler:
        for name in names:
            if handler not in HANDLERS[name]:
                HANDLERS[name].append(handler)
        return handler

    return register


def effects_of_step(entry) -> tuple[str, ...]:
    """The effects named by the transition that audit row ``entry`` records; none for a missing
    row or one that records no transition of a registered process model."""
    if entry is None or entry.action != AuditEntry.Action.TRANSITION:
        return ()
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
    machine = getattr(model, "machine", None)
    definition = machine.transition_by_name.get(entry.name) if machine is not None else None
    return definition.effects if definition is not None else ()


def _rows(*, effects: tuple[str, ...], process, audit_entry_id: int) -> list[PendingEffect]:
    return _rows_about(
        effects=effects, model=process._meta.label, pk=process.pk, audit_entry_id=audit_entry_id
    )


def _rows_about(
    *, effects: tuple[str, ...], model: str, pk, audit_entry_id: int
) -> list[PendingEffect]:
    return [
        PendingEffect(
            effect=name,
            handler=handler_path(handler),
            model=model,
            object_pk=str(pk),
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


def effect_raise(*, effect: str, model: str, pk, audit_entry_id: int) -> None:
    """Record ``effect`` of step ``audit_entry_id`` about object ``pk`` of ``model`` (a model
    label, e.g. "tenders.Tender") in the current transaction, and dispatch it after commit.

    For effects an app raises after a transition, on behalf of its step (``document_ready``):
    the outbox keeps one row per step, effect and handler, so raising it again for the same step
    (a document made again, two workers racing) records and sends nothing twice.
    """
    rows = _rows_about(effects=(effect,), model=model, pk=pk, audit_entry_id=audit_entry_id)
    if not rows:
        return
    PendingEffect.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        PendingEffect.objects.filter(
            audit_entry_id=audit_entry_id, effect=effect, dispatched_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if ids:
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

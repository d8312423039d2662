"""After-commit effects of transitions (STYLE rule 3), through a transactional outbox.

A transition names its effects (``Transition.effects``, e.g. "tender_notice"); apps subscribe a
handler to an effect name with ``@on_effect``. Every automatic transition also raises the effect
``"automatic"``. Scheduling writes one ``PendingEffect`` row per handler inside the transition's
transaction; after commit each is dispatched (the handler typically enqueues a Celery task). A
dispatch that fails — the broker is down — leaves the row pending for ``effects_relay``.
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
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


def effects_schedule(*, effects: tuple[str, ...], process, audit_entry_id: int) -> None:
    """Record the effects in the current transaction and dispatch them after it commits."""
    rows = [
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
    if not rows:
        return
    created = PendingEffect.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.pk is not None]
    if not ids:  # backends that do not return ids on bulk insert
        ids = list(
            PendingEffect.objects.filter(audit_entry_id=audit_entry_id).values_list("pk", flat=True)
        )
    transaction.on_commit(lambda: effects_dispatch(ids=ids), robust=True)


def effects_dispatch(*, ids: list[int] | None = None) -> int:
    """Dispatch pending effects (``ids``, or every pending one); returns how many went out.

    Each row is locked while it is dispatched, so two relays never dispatch the same effect.
    """
    pending = PendingEffect.objects.filter(dispatched_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    done = 0
    for pk in list(pending.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            row = (
                PendingEffect.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, dispatched_at__isnull=True)
                .first()
            )
            if row is None:
                continue
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
                logger.warning("effect %s pending after attempt %s: %s", row, row.attempts, error)
                continue
            row.dispatched_at = timezone.now()
            row.attempts += 1
            row.save(update_fields=["dispatched_at", "attempts"])
            done += 1
    return done


def _pk(value: str):
    return int(value) if value.isdigit() else value

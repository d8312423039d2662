from celery import shared_task

from workflows.registry import MACHINES
from workflows.services import fire_due_events


@shared_task(name="workflows.fire_due_events", ignore_result=True)
def fire_due_events_task() -> int:
    """Run every minute by beat: fire the automatic transitions that are due. Idempotent."""
    return fire_due_events(models=MACHINES)


@shared_task(name="workflows.relay_effects", ignore_result=True)
def relay_effects_task() -> int:
    """Run every minute by beat: dispatch the effects whose first dispatch failed."""
    from workflows.effects import effects_dispatch

    return effects_dispatch()


@shared_task(name="workflows.dispatch_effects", ignore_result=True)
def dispatch_effects_task(ids: list[int]) -> int:
    """Dispatch the effects a scheduler chunk recorded. Idempotent: rows already dispatched
    (by the relay, or an earlier delivery of this message) are skipped."""
    from workflows.effects import effects_dispatch

    return effects_dispatch(ids=ids)

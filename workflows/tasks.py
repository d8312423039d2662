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

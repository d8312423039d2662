"""Heartbeats of the background processes: beat writes its own as it ticks, the worker's is
written by a task that beat sends every ``HEARTBEAT_SECONDS`` (so it proves that messages get
through the broker and are run, not merely that a process exists)."""

import datetime as dt
import logging
import time

from celery.beat import PersistentScheduler
from django.db import DatabaseError
from django.utils import timezone

from procurement.core.models import Heartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30


def heartbeat_record(*, name: str, since: dt.datetime) -> None:
    """Record that the process ``name``, started at ``since``, is alive now."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now(), "since": since})


class Scheduler(PersistentScheduler):
    """Celery beat's scheduler, recording a ``beat`` heartbeat at least every
    ``HEARTBEAT_SECONDS``. A database error while recording is logged and beat goes on."""

    def setup_schedule(self) -> None:
        super().setup_schedule()
        self._started = timezone.now()
        self._beaten = 0.0

    def tick(self, *args, **kwargs) -> float:
        if time.monotonic() - self._beaten >= HEARTBEAT_SECONDS:
            try:
                heartbeat_record(name="beat", since=self._started)
                self._beaten = time.monotonic()
            except DatabaseError as error:
                logger.warning("beat heartbeat not recorded: %s", error)
        return min(super().tick(*args, **kwargs), HEARTBEAT_SECONDS)

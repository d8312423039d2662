"""How the background machinery is doing: the database, the broker, the worker's and beat's
heartbeats and the effects outbox. Read by /readyz, the administrators' status page and the
officers' banner."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core.models import Heartbeat
from workflows.models import PendingEffect


@dataclass
class BackgroundStatus:
    database: bool
    broker: bool
    queued: int | None  # messages waiting in the broker's default queue, when it says
    worker_age: float | None  # seconds since the worker's last heartbeat; None: never seen
    beat_age: float | None
    pending_effects: int
    oldest_effect_age: float | None
    problems: list[str] = field(default_factory=list)

    @property
    def stalled(self) -> bool:
        return bool(self.problems)

    def as_dict(self) -> dict:
        return {
            "status": "stalled" if self.stalled else "ok",
            "database": "ok" if self.database else "error",
            "broker": "ok" if self.broker else "error",
            "queued_messages": self.queued,
            "worker_heartbeat_age_seconds": _rounded(self.worker_age),
            "beat_last_tick_age_seconds": _rounded(self.beat_age),
            "pending_effects": self.pending_effects,
            "oldest_pending_effect_age_seconds": _rounded(self.oldest_effect_age),
            "problems": self.problems,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def _broker_queued() -> tuple[bool, int | None]:
    """(reachable, messages waiting in the default queue)."""
    from procurement.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
            try:
                channel: Any = broker.default_channel
                _name, count, _consumers = channel.queue_declare(
                    queue=app.conf.task_default_queue, passive=True
                )
            except broker.channel_errors:
                return True, 0  # the queue is declared by the first message or worker
            return True, count
    except Exception:  # any transport error: the broker cannot be reached or read
        return False, None


def background_status() -> BackgroundStatus:
    """The current state, with the reasons it counts as stalled (a worker or beat silent for
    longer than ``OPENCPI_STALLED_SECONDS``, or an effect pending that long)."""
    now = timezone.now()
    limit = settings.OPENCPI_STALLED_SECONDS
    database = _database_ok()
    broker, queued = _broker_queued()
    beats: dict[str, Heartbeat] = {}
    pending, oldest = 0, None
    if database:
        beats = {beat.name: beat for beat in Heartbeat.objects.all()}
        outbox = PendingEffect.objects.filter(dispatched_at__isnull=True).aggregate(
            n=Count("pk"), oldest=Min("created_at")
        )
        pending, oldest = outbox["n"], outbox["oldest"]

    def age(moment: dt.datetime | None) -> float | None:
        return None if moment is None else max((now - moment).total_seconds(), 0.0)

    worker, beat = beats.get("worker"), beats.get("beat")
    status = BackgroundStatus(
        database=database,
        broker=broker,
        queued=queued,
        worker_age=age(worker.at if worker else None),
        beat_age=age(beat.at if beat else None),
        pending_effects=pending,
        oldest_effect_age=age(oldest),
    )
    if not database:
        status.problems.append(_("The database cannot be reached."))
    if not broker:
        status.problems.append(_("The message broker cannot be reached."))
    if status.beat_age is not None and status.beat_age > limit:
        status.problems.append(
            _("The scheduler (beat) has not ticked for %(m)s minutes.")
            % {"m": int(status.beat_age // 60)}
        )
    # A worker never seen counts once beat has been asking for its heartbeat for too long.
    silent = status.worker_age if worker else age(beat.since if beat else None)
    if silent is not None and silent > limit:
        status.problems.append(
            _("No worker has run a task for %(m)s minutes.") % {"m": int(silent // 60)}
        )
    if status.oldest_effect_age is not None and status.oldest_effect_age > limit:
        status.problems.append(
            _("%(n)s effects have been waiting to be sent for %(m)s minutes.")
            % {"n": pending, "m": int(status.oldest_effect_age // 60)}
        )
    return status

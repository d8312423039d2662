"""The one write path for every status change, and the scheduler that fires due events.

``transition_perform`` locks the process row, checks that nobody changed it meanwhile, checks the
actor's object permission and the guards, runs the django-fsm transition (which only stamps
fields), writes related rows, computes the next deadline, saves, writes the audit row and
schedules after-commit effects — in one database transaction.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core.audit import audit_record
from procurement.core.exceptions import Conflict, NotFound, PermissionDenied
from procurement.core.models import AuditEntry
from workflows.effects import effects_schedule
from workflows.guards import GuardContext, is_input_check
from workflows.procedures import (
    STATE_BY_NAME,
    TRANSITION_BY_NAME,
    Transition,
    target_of,
    transitions_from,
)

logger = logging.getLogger(__name__)

ROLE_LABELS = {
    "officer": _("procurement officers"),
    "legal": _("the legal team"),
    "committee": _("committee members"),
}


def _perm(process, role: str) -> str:
    return f"{process._meta.app_label}.act_{role}"


def _view_perm(process) -> str:
    return f"{process._meta.app_label}.view_{process._meta.model_name}"


def user_may_fire(user, process, definition: Transition) -> bool:
    if definition.automatic or user is None or not user.is_authenticated:
        return False
    return any(user.has_perm(_perm(process, role), process) for role in definition.roles)


def evaluate_guards(
    definition: Transition, process, ctx: GuardContext, *, inputs: bool
) -> list[str]:
    reasons: list[str] = []
    for guard in definition.guards:
        if not inputs and is_input_check(guard):
            continue
        reasons.extend(str(reason) for reason in guard(process, ctx))
    return reasons


@dataclass
class TransitionOption:
    """One action a user sees on a process: may they fire it now, and if not, why not."""

    definition: Transition
    target: str
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    due_at: dt.datetime | None = None

    @property
    def name(self) -> str:
        return self.definition.name


def transition_options(*, process, user, now: dt.datetime | None = None) -> list[TransitionOption]:
    """The transitions leaving the current state, judged for ``user``.

    Automatic ones are listed with the time they fall due; ``allowed`` is false for them since
    only the scheduler fires them.
    """
    ctx = GuardContext.for_process(process, now=now)
    options = []
    for definition in transitions_from(process.procedure, process.status):
        target = target_of(definition, process.status)
        if definition.automatic:
            due = definition.due(process) if definition.due else None
            reasons = [_("Happens automatically when it falls due.")]
            reasons += evaluate_guards(definition, process, ctx, inputs=False)
            options.append(TransitionOption(definition, target, False, reasons, due))
            continue
        reasons = []
        if not user_may_fire(user, process, definition):
            roles = ", ".join(str(ROLE_LABELS.get(r, r)) for r in definition.roles)
            reasons.append(
                _("Only %(roles)s of %(city)s may do this.")
                % {"roles": roles, "city": process.city}
            )
        reasons += evaluate_guards(definition, process, ctx, inputs=False)
        options.append(TransitionOption(definition, target, not reasons, reasons))
    return options


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, dt.datetime) else value
        for key, value in data.items()
        if value is not None
    }


def next_due(process) -> dt.datetime | None:
    """The earliest time an automatic transition leaving the current state falls due."""
    times = [
        due
        for definition in transitions_from(process.procedure, process.status)
        if definition.automatic
        and definition.due is not None
        and (due := definition.due(process)) is not None
    ]
    return min(times) if times else None


def transition_perform(
    *,
    process,
    name: str,
    actor=None,
    reason: str = "",
    data: dict | None = None,
    now: dt.datetime | None = None,
):
    """Fire transition ``name`` on ``process`` as ``actor`` (``None``: the system).

    Raises ``NotFound`` when the actor may not see the process, ``PermissionDenied`` when their
    role may not fire it, ``Conflict`` (with ``reasons``) when the state changed meanwhile, the
    transition does not leave the current state, or a guard refuses; ``ApplicationError`` for
    malformed data. Returns the saved process.
    """
    model = type(process)
    seen_state = process.status
    with transaction.atomic():
        try:
            locked = model.objects.select_for_update().get(pk=process.pk)
        except model.DoesNotExist as error:
            raise NotFound(_("Process not found.")) from error
        if actor is not None and not actor.has_perm(_view_perm(locked), locked):
            raise NotFound(_("Process not found."))
        if locked.status != seen_state:
            raise Conflict(
                _("The process changed meanwhile: it is now “%(state)s”. Reload and try again.")
                % {"state": STATE_BY_NAME[locked.status].label},
                reasons=[_("The process changed meanwhile.")],
                extra={"status": locked.status},
            )
        definition = TRANSITION_BY_NAME.get(name)
        if definition is None or definition not in transitions_from(
            locked.procedure, locked.status
        ):
            raise Conflict(
                _("“%(name)s” is not possible while the process is “%(state)s”.")
                % {"name": name, "state": STATE_BY_NAME[locked.status].label},
                reasons=[_("Not possible from the current state.")],
            )
        if actor is None and not definition.automatic:
            raise PermissionDenied(_("The system fires only automatic transitions."))
        if actor is not None:
            if definition.automatic:
                raise PermissionDenied(
                    _("“%(label)s” happens automatically when it falls due.")
                    % {"label": definition.label}
                )
            if not user_may_fire(actor, locked, definition):
                roles = ", ".join(str(ROLE_LABELS.get(r, r)) for r in definition.roles)
                raise PermissionDenied(
                    _("Only %(roles)s of %(city)s may do this.")
                    % {"roles": roles, "city": locked.city}
                )
        parsed = definition.parse_data(data)
        ctx = GuardContext.for_process(locked, now=now, data=parsed, reason=reason)
        reasons = evaluate_guards(definition, locked, ctx, inputs=True)
        if reasons:
            raise Conflict(
                _("“%(label)s” is not allowed yet.") % {"label": definition.label},
                reasons=reasons,
            )

        from_state = locked.status
        due_at = definition.due(locked) if definition.automatic and definition.due else None
        getattr(locked, definition.name)(ctx)
        if definition.apply is not None:
            definition.apply(locked, ctx)
        locked.next_check = next_due(locked)
        locked.save()

        record = _jsonable(parsed)
        if due_at is not None:
            record["due_at"] = due_at.isoformat()
        entry = audit_record(
            actor=actor,
            action=AuditEntry.Action.TRANSITION,
            target=locked,
            name=definition.name,
            from_state=from_state,
            to_state=locked.status,
            reason=reason.strip(),
            legal_basis=definition.legal_basis,
            data=record,
            at=ctx.now,
        )
        effects = definition.effects + (("automatic",) if definition.automatic else ())
        effects_schedule(effects=effects, process=locked, audit_entry_id=entry.pk)
    return locked


MAX_STEPS_PER_PROCESS = 20


def process_fire_due(*, model, pk, now: dt.datetime | None = None) -> list[str]:
    """Fire every automatic transition of one process that is due at ``now``, in order.

    Idempotent and safe to run from several workers: the row is locked with SKIP LOCKED, and a
    process whose ``next_check`` is in the future (because another run fired it) is left alone.
    After downtime it catches up: a consultation both due to open and to close fires twice.
    """
    now = now or timezone.now()
    fired: list[str] = []
    for _step in range(MAX_STEPS_PER_PROCESS):
        with transaction.atomic():
            locked = (
                model.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, next_check__lte=now)
                .first()
            )
            if locked is None:
                break
            ctx = GuardContext.for_process(locked, now=now)
            candidate = None
            for definition in transitions_from(locked.procedure, locked.status):
                if not definition.automatic or definition.due is None:
                    continue
                due = definition.due(locked)
                if due is None or due > now:
                    continue
                if evaluate_guards(definition, locked, ctx, inputs=True):
                    continue
                candidate = definition
                break
            if candidate is None:
                # Due times passed but no guard lets a transition through: wait for the next
                # change of the process instead of retrying every minute.
                locked.next_check = None
                locked.save(update_fields=["next_check"])
                logger.warning(
                    "process %s %s: due but blocked in %s", model.__name__, pk, locked.status
                )
                break
            transition_perform(process=locked, name=candidate.name, actor=None, now=now)
            fired.append(candidate.name)
    return fired


def fire_due_events(*, models, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Fire what is due on every registered process model; returns how many transitions fired."""
    now = now or timezone.now()
    count = 0
    for model in models:
        while True:
            due_ids = list(
                model.objects.filter(next_check__lte=now)
                .order_by("next_check")
                .values_list("pk", flat=True)[:batch]
            )
            if not due_ids:
                break
            fired_here = 0
            for pk in due_ids:
                fired = process_fire_due(model=model, pk=pk, now=now)
                fired_here += len(fired)
            count += fired_here
            if len(due_ids) < batch or fired_here == 0:
                break
    return count

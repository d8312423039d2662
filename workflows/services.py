"""The one write path for every status change, and the scheduler that fires due events.

``transition_perform`` locks the process row, checks that nobody changed it meanwhile, checks the
actor's object permission and the guards, runs the django-fsm transition (which only stamps
fields), writes related rows, computes the next deadline, saves, writes the audit row and
schedules after-commit effects — in one database transaction, with the audit row among the last
writes (its append serialises writers until COMMIT).

``fire_due_events`` fires the deadlines that fell due a chunk of processes at a time: one
transaction, one savepoint per process, one audit append and one outbox insert per chunk.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.core import formatting
from procurement.core.audit import audit_append, audit_entry
from procurement.core.exceptions import Conflict, NotFound, PermissionDenied
from procurement.core.models import AuditEntry
from workflows.effects import AUTOMATIC, effects_schedule, effects_schedule_many
from workflows.guards import GuardContext, is_input_check
from workflows.machine import Transition, target_of

logger = logging.getLogger(__name__)

ROLE_LABELS = {
    "officer": _("procurement officers"),
    "legal": _("the legal team"),
    "committee": _("committee members"),
}


def _leaving(process) -> list[Transition]:
    """The transitions of the process's procedure that leave its current state."""
    return process.machine.transitions_from(process.procedure, process.status)


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
    for definition in _leaving(process):
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


def _with_basis(sentence: str, legal_basis: str) -> str:
    if not legal_basis:
        return f"{sentence}."
    return f"{sentence} ({formatting.legal_basis(legal_basis)})."


def out_of_order_reason(process, name: str) -> str:
    """Why transition ``name`` cannot be fired in the process's current state, said with the
    step that must come first and the transition's legal basis, read from the machine: the
    order of the steps is the law's (e.g. LCSP art. 146.2: formula envelopes after the
    value-judgement report), so the refusal cites it like any guard does."""
    machine = process.machine
    definition = machine.transition_by_name.get(name)
    if definition is None:
        return _("There is no action “%(name)s”.") % {"name": name}
    if not definition.belongs_to(process.procedure):
        return _with_basis(
            _("“%(label)s” is not a step of the procedure “%(procedure)s”")
            % {
                "label": definition.label,
                "procedure": machine.procedure(process.procedure).label,
            },
            definition.legal_basis,
        )
    before = machine.transitions_into(process.procedure, definition.sources)
    if not before:
        # A transition leaving only the initial state: nothing leads back to it.
        states = ", ".join(f"“{machine.state_by_name[s].label}”" for s in definition.sources)
        return _with_basis(
            _("“%(label)s” is possible only while the process is %(states)s")
            % {"label": definition.label, "states": states},
            definition.legal_basis,
        )
    steps = _(" or ").join(f"“{t.label}”" for t in before)
    return _with_basis(
        _("“%(label)s” comes after %(steps)s") % {"label": definition.label, "steps": steps},
        definition.legal_basis,
    )


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
        for definition in _leaving(process)
        if definition.automatic
        and definition.due is not None
        and (due := definition.due(process)) is not None
    ]
    return min(times) if times else None


def _fire(
    locked,
    definition: Transition,
    ctx: GuardContext,
    *,
    actor,
    reason: str = "",
    parsed: dict[str, Any] | None = None,
    due_at: dt.datetime | None = None,
) -> AuditEntry:
    """Run ``definition`` on the locked row, already checked, and save it.

    Returns the transition's audit row unsaved: the caller appends it (``audit_append``) as the
    last write of its transaction, since the append holds the audit chain's lock until COMMIT.
    """
    from_state = locked.status
    if due_at is None and definition.automatic and definition.due:
        due_at = definition.due(locked)
    getattr(locked, definition.name)(ctx)
    if definition.apply is not None:
        definition.apply(locked, ctx)
    locked.next_check = next_due(locked)
    locked.save()
    record = _jsonable(parsed or {})
    if due_at is not None:
        record["due_at"] = due_at.isoformat()
    return audit_entry(
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


def _effects_of(definition: Transition) -> tuple[str, ...]:
    return definition.effects + ((AUTOMATIC,) if definition.automatic else ())


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
                % {"state": locked.machine.state_by_name[locked.status].label},
                reasons=[_("The process changed meanwhile.")],
                extra={"status": locked.status},
            )
        definition = locked.machine.transition_by_name.get(name)
        if definition is None or definition not in _leaving(locked):
            raise Conflict(
                _("“%(name)s” is not possible while the process is “%(state)s”.")
                % {
                    "name": definition.label if definition else name,
                    "state": locked.machine.state_by_name[locked.status].label,
                },
                reasons=[out_of_order_reason(locked, name)],
            )
        if actor is None and not (definition.automatic or definition.by_system):
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
        entry = _fire(locked, definition, ctx, actor=actor, reason=reason, parsed=parsed)
        # Last: the append holds the audit chain's lock until COMMIT (see core.audit); only the
        # outbox rows, which need the row's id, come after it.
        (entry,) = audit_append([entry])
        effects_schedule(effects=_effects_of(definition), process=locked, audit_entry_id=entry.pk)
    return locked


MAX_STEPS_PER_PROCESS = 20
CHUNK_SIZE = 100


def _due_transition(
    process, ctx: GuardContext, now: dt.datetime
) -> tuple[Transition, dt.datetime] | None:
    """The first automatic transition of ``process`` due at ``now`` whose guards let it through."""
    for definition in _leaving(process):
        if not definition.automatic or definition.due is None:
            continue
        due = definition.due(process)
        if due is None or due > now:
            continue
        if evaluate_guards(definition, process, ctx, inputs=True):
            continue
        return definition, due
    return None


@dataclass
class _Fired:
    process: Any
    definition: Transition
    entry: AuditEntry


def _fire_due_steps(locked, now: dt.datetime) -> tuple[list[_Fired], Any]:
    """Fire, in order, the automatic transitions of the locked ``process`` due at ``now``.

    After downtime it catches up: a consultation both due to open and to close fires twice.
    The audit rows come back unsaved, for the caller to append with the rest of its chunk,
    with the process as it was left.
    """
    model = type(locked)
    fired: list[_Fired] = []
    for _step in range(MAX_STEPS_PER_PROCESS):
        ctx = GuardContext.for_process(locked, now=now)
        found = _due_transition(locked, ctx, now)
        if found is None:
            # Due times passed but no guard lets a transition through: wait for the next
            # change of the process instead of retrying every minute.
            locked.next_check = None
            locked.save(update_fields=["next_check"])
            logger.warning(
                "process %s %s: due but blocked in %s", model.__name__, locked.pk, locked.status
            )
            break
        definition, due = found
        entry = _fire(locked, definition, ctx, actor=None, due_at=due)
        fired.append(_Fired(locked, definition, entry))
        if locked.next_check is None or locked.next_check > now:
            break
        # Still due: read the row afresh (still locked by this transaction), so that nothing
        # the process cached about its related rows outlives the transition that changed them.
        locked = model.objects.select_related("city").get(pk=locked.pk)
    return fired, locked


def _fire_due_chunk(
    *, model, now: dt.datetime, size: int, skip: set, pk=None
) -> tuple[list[_Fired], int, set]:
    """Lock up to ``size`` due processes (SKIP LOCKED: another worker's are left to it) and fire
    them in one transaction.

    Each process runs in a savepoint: one that fails is rolled back alone, logged, and left due
    for the next run, while the others commit. The chunk's audit rows are appended under one
    take of the chain's lock, and its effects recorded with one insert, as its last writes.
    Returns what fired, how many processes were taken, and those still due (failed, or more
    steps due than ``MAX_STEPS_PER_PROCESS``) that this run must not take again.
    """
    fired: list[_Fired] = []
    left: set = set()
    with transaction.atomic():
        due = (
            model.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("city")
            .filter(next_check__lte=now)
        )
        if pk is not None:
            due = due.filter(pk=pk)
        if skip:
            due = due.exclude(pk__in=skip)
        processes = list(due.order_by("next_check")[:size])
        for process in processes:
            try:
                with transaction.atomic():
                    steps, final = _fire_due_steps(process, now)
            except Exception:
                logger.exception(
                    "process %s %s: firing what is due failed; left for the next run",
                    model.__name__,
                    process.pk,
                )
                left.add(process.pk)
                continue
            fired.extend(steps)
            if final.next_check is not None and final.next_check <= now:
                left.add(process.pk)
        entries = audit_append([item.entry for item in fired])
        effects_schedule_many(
            [
                (_effects_of(item.definition), item.process, entry.pk)
                for item, entry in zip(fired, entries, strict=True)
            ]
        )
    return fired, len(processes), left


def process_fire_due(*, model, pk, now: dt.datetime | None = None) -> list[str]:
    """Fire every automatic transition of one process that is due at ``now``, in order.

    Idempotent and safe to run from several workers: the row is locked with SKIP LOCKED, and a
    process whose ``next_check`` is in the future (because another run fired it) is left alone.
    Returns the names of the transitions fired.
    """
    fired, _taken, _left = _fire_due_chunk(
        model=model, now=now or timezone.now(), size=1, skip=set(), pk=pk
    )
    return [item.definition.name for item in fired]


def fire_due_events(*, models, now: dt.datetime | None = None, chunk: int = CHUNK_SIZE) -> int:
    """Fire what is due on every registered process model; returns how many transitions fired.

    Works through the due processes (found by the index on ``next_check``) a chunk at a time,
    one transaction per chunk (see ``_fire_due_chunk``). Idempotent and safe to run from several
    workers at once: nothing fires twice, since a process is fired only while locked and due.
    """
    now = now or timezone.now()
    count = 0
    for model in models:
        skip: set = set()
        while True:
            fired, taken, left = _fire_due_chunk(model=model, now=now, size=chunk, skip=skip)
            count += len(fired)
            skip |= left
            if taken < chunk:
                break
    return count

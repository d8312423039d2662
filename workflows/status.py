"""Small status machines for records that are not processes (a bid, a consultation response,
an award, a template version, a generated document, a participant), and the one write path of
their status (STYLE rule 2).

A model declares its moves next to its protected ``FSMField``::

    status = FSMField(max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    moves = StatusMachine(
        Move("bid_withdraw", sources=[Status.SUBMITTED], target=Status.WITHDRAWN,
             refusal=_("Only a submitted bid can be withdrawn.")),
    )

``StatusMachine`` gives the model one django-fsm transition method per move, named after it,
which only stamps fields. ``status_change`` moves one row (lock, check the source, stamp, save,
audit row, effects); ``status_change_many`` moves every row of a queryset with one UPDATE. These
two and the process engine (``workflows.services``) are the only code that writes a status:
``tests/workflows/test_status_machines.py`` fails on any other assignment or ``update()``.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_fsm import transition

from procurement.core.audit import audit_append, audit_entry
from procurement.core.exceptions import Conflict
from workflows.effects import effects_schedule

M = TypeVar("M", bound=models.Model)

# What a stamp writes into its field when the move is made.
NOW = "now"
ACTOR = "actor"


@dataclass(frozen=True, eq=False)
class Move:
    """One allowed change of status: from any of ``sources`` to ``target``.

    ``stamps`` maps a field to ``NOW`` or ``ACTOR``, written with the move. ``refusal`` is what
    the person is told when the status is not a source. An ``audited`` move writes its audit row
    (``action``, named after the move, with the status it left when ``audit_source``); an
    unaudited one is recorded by the act that makes it (the process's transition, for instance).
    """

    name: str
    sources: Sequence[str]
    target: str
    stamps: Mapping[str, str] = field(default_factory=dict)
    refusal: str | Promise = ""
    audited: bool = True
    action: str = "transition"
    audit_source: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(str(source) for source in self.sources))
        object.__setattr__(self, "target", str(self.target))
        unknown = set(self.stamps.values()) - {NOW, ACTOR}
        if unknown:
            raise ValueError(f"move {self.name}: a stamp writes NOW or ACTOR, not {unknown}")

    def stamp_values(self, *, now: dt.datetime, actor) -> dict[str, Any]:
        return {name: now if what == NOW else actor for name, what in self.stamps.items()}


def _method(move: Move, field_name: str, owner: str):
    def method(self, *, now: dt.datetime, actor=None) -> None:
        for name, value in move.stamp_values(now=now, actor=actor).items():
            setattr(self, name, value)

    method.__name__ = move.name
    method.__qualname__ = f"{owner}.{move.name}"
    method.__doc__ = f"{', '.join(move.sources)} → {move.target}"
    return transition(field=field_name, source=list(move.sources), target=move.target)(method)


class StatusMachine:
    """The moves of a model's status field (``field``), declared in the model's body.

    On the model it adds a django-fsm transition method per move (which only stamps) and makes
    itself known to ``status_change`` (``StatusMachine.of(model)``)."""

    def __init__(self, *moves: Move, field: str = "status") -> None:
        self.field = field
        self.moves = moves
        self.by_name = {move.name: move for move in moves}
        if len(self.by_name) != len(moves):
            raise ValueError("two moves share a name")

    def __getitem__(self, name: str) -> Move:
        return self.by_name[name]

    def __iter__(self):
        return iter(self.moves)

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        setattr(cls, name, self)
        cls._status_machine = self  # type: ignore[attr-defined]
        for move in self.moves:
            if hasattr(cls, move.name):
                raise TypeError(f"{cls.__name__}.{move.name} exists: name the move otherwise")
            setattr(cls, move.name, _method(move, self.field, cls.__qualname__))

    @staticmethod
    def of(model: type[models.Model]) -> "StatusMachine":
        machine = getattr(model, "_status_machine", None)
        if machine is None:
            raise TypeError(f"{model.__name__} declares no StatusMachine")
        return machine


def status_check(obj: models.Model, move: str) -> Move:
    """The move ``move`` of ``obj``'s model, if ``obj``'s status is one it leaves from.

    Raises ``Conflict`` with the move's refusal otherwise."""
    machine = StatusMachine.of(type(obj))
    definition = machine[move]
    current = getattr(obj, machine.field)
    if current not in definition.sources:
        raise Conflict(str(definition.refusal or _("Not possible from the current state.")))
    return definition


def _save_fields(machine: StatusMachine, move: Move, update_fields: Iterable[str] | None):
    if update_fields is None:
        return None
    return list(dict.fromkeys([machine.field, *move.stamps, *update_fields]))


def status_change(
    obj: M,
    *,
    move: str,
    actor=None,
    reason: str = "",
    data: dict | None = None,
    now: dt.datetime | None = None,
    lock: bool = True,
    update_fields: Iterable[str] | None = None,
    effects: tuple[str, ...] = (),
) -> M:
    """Make ``move`` on ``obj`` as ``actor`` (``None``: the system); returns the saved row.

    With ``lock`` the row is read again under ``SELECT … FOR UPDATE`` and that copy moves (and is
    returned); without, the caller already holds the row's lock and ``obj`` itself moves. Raises
    ``Conflict`` (the move's refusal) when the status is not a source of the move, writing
    nothing. Saves the status, the move's stamps and ``update_fields`` (``None``: every field).
    An audited move then writes its audit row (``reason``, ``data``, at ``now``) as its last
    write, since the append holds the audit chain's lock until COMMIT, and records ``effects``
    for after the commit.
    """
    model = type(obj)
    definition = StatusMachine.of(model)[move]
    if effects and not definition.audited:
        raise ValueError(f"move {move}: effects hang on an audit row, and it writes none")
    now = now or timezone.now()
    if not lock:
        # Checked before any write or transaction block: a refusal leaves the caller's
        # transaction usable.
        status_check(obj, move)
        with transaction.atomic(savepoint=False):
            return _make(obj, definition, actor, reason, data, now, update_fields, effects)
    # A savepoint when nested: a refusal rolls back only this.
    with transaction.atomic():
        row = model._default_manager.select_for_update().get(pk=obj.pk)
        status_check(row, move)
        return _make(row, definition, actor, reason, data, now, update_fields, effects)


def _make(
    row: M,
    definition: Move,
    actor,
    reason: str,
    data: dict | None,
    now: dt.datetime,
    update_fields: Iterable[str] | None,
    effects: tuple[str, ...],
) -> M:
    """Run the move's transition method on the row, checked and locked, save it, audit it."""
    machine = StatusMachine.of(type(row))
    before = getattr(row, machine.field)
    getattr(row, definition.name)(now=now, actor=actor)
    row.save(update_fields=_save_fields(machine, definition, update_fields))
    if definition.audited:
        entry = audit_entry(
            actor=actor,
            action=definition.action,
            target=row,
            name=definition.name,
            from_state=before if definition.audit_source else "",
            to_state=definition.target,
            reason=reason.strip(),
            data=data,
            at=now,
        )
        (entry,) = audit_append([entry])
        if effects:
            effects_schedule(effects=effects, process=row, audit_entry_id=entry.pk)
    return row


def status_change_many(
    queryset: models.QuerySet, *, move: str, actor=None, now: dt.datetime | None = None
) -> int:
    """Make ``move`` on every row of ``queryset`` whose status it leaves from, with one UPDATE
    (the sources are in its WHERE clause); returns how many rows moved. Rows in other statuses
    stay as they are.

    Only for unaudited moves: a bulk move is recorded by the act that makes it."""
    machine = StatusMachine.of(queryset.model)
    definition = machine[move]
    if definition.audited:
        raise ValueError(f"move {move} is audited: make it row by row with status_change")
    values = definition.stamp_values(now=now or timezone.now(), actor=actor)
    return queryset.filter(**{f"{machine.field}__in": definition.sources}).update(
        **{machine.field: definition.target, **values}
    )

"""The vocabulary of procedure definitions: states, transitions, the data a transition takes.

Generic: an app defines its procedures with these pieces and gathers them in a ``Machine``
(``tenders.procedures`` does so for the three CPI procedures); the engine asks the process's
model for its ``machine`` (see ``workflows.protocols``).
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from procurement.core.exceptions import ApplicationError
from workflows.guards import Guard, GuardContext


@dataclass(frozen=True)
class State:
    name: str
    label: Promise
    stage: str
    final: bool = False


@dataclass(frozen=True)
class DataField:
    """One item of a transition's ``data``: parsed and checked before any guard runs."""

    name: str
    kind: str  # "datetime", "text", "int", "ids", "bool", "choice"
    label: Promise
    required: bool = True
    # For "choice": the (value, label) pairs allowed, in the order a form offers them.
    choices: tuple[tuple[str, Promise], ...] = ()

    def parse(self, raw: Any) -> Any:
        if raw is None or raw == "":
            if self.required:
                raise ApplicationError(
                    _("%(field)s is required.") % {"field": self.label}, extra={"field": self.name}
                )
            return None
        if self.kind == "choice":
            allowed = [value for value, _label in self.choices]
            if raw not in allowed:
                raise ApplicationError(
                    _("%(field)s: choose one of %(choices)s.")
                    % {"field": self.label, "choices": ", ".join(allowed)},
                    extra={"field": self.name},
                )
            return raw
        try:
            return _PARSERS[self.kind](raw)
        except (TypeError, ValueError) as error:
            raise ApplicationError(
                _("%(field)s: %(why)s") % {"field": self.label, "why": error},
                extra={"field": self.name},
            ) from error


def _parse_datetime(raw: Any) -> dt.datetime:
    value: dt.datetime | None = raw if isinstance(raw, dt.datetime) else parse_datetime(str(raw))
    if value is None:
        raise ValueError(_("not a date and time (use ISO 8601, e.g. 2026-12-01T14:00:00+01:00)"))
    if value.tzinfo is None:
        raise ValueError(_("give the time zone (e.g. +01:00 or Z)"))
    # In UTC: PostgreSQL refuses offsets beyond ±15:59 that Python accepts (up to ±23:59).
    try:
        return value.astimezone(dt.UTC)
    except OverflowError as error:
        raise ValueError(_("out of range")) from error


def _parse_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(_("not a whole number"))
    return int(raw)


def _parse_ids(raw: Any) -> list[int]:
    if isinstance(raw, str):
        raw = [part for part in raw.replace(",", " ").split() if part]
    if not isinstance(raw, list | tuple):
        raise ValueError(_("a list of ids"))
    return [_parse_int(item) for item in raw]


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if str(raw).lower() in {"true", "1", "yes", "on"}:
        return True
    if str(raw).lower() in {"false", "0", "no", "off"}:
        return False
    raise ValueError(_("true or false"))


def _parse_text(raw: Any) -> str:
    text = str(raw)
    if len(text) > 20000:
        raise ValueError(_("at most 20,000 characters"))
    return text


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "datetime": _parse_datetime,
    "text": _parse_text,
    "int": _parse_int,
    "ids": _parse_ids,
    "bool": _parse_bool,
}

Stamp = Callable[[Any, GuardContext], None]


@dataclass(frozen=True)
class Transition:
    """``sources → target`` under ``name``, fired by one of ``roles`` (none: only the system).

    ``due`` says when a system transition falls due; ``stamp`` sets fields on the process while
    the transition runs; ``apply`` writes the process's related rows (participants) inside the
    same database transaction. ``effects`` name after-commit effects (documents, e-mails).
    ``by_system``: besides its ``roles``, the system (no actor) may fire it when a service
    records an event from outside the process that the law attaches the step to (an appeal
    lodged online suspends the award by law, with nobody pressing a button); the scheduler
    never fires it.
    ``optional``: a step the procedure allows but never requires of anyone (extend a deadline,
    record an appeal, cancel, declare void): the process moves on without it, so it is nobody's
    pending work.
    """

    name: str
    sources: tuple[str, ...]
    target: str
    label: Promise
    roles: tuple[str, ...] = ()
    guards: Sequence[Guard] = ()
    legal_basis: str = ""
    # Empty: every procedure of the machine it joins (``Machine`` fills them in).
    procedures: frozenset[str] = frozenset()
    due: Callable[[Any], dt.datetime | None] | None = None
    stamp: Stamp | None = None
    apply: Stamp | None = None
    needs_reason: bool = False
    data: tuple[DataField, ...] = ()
    effects: tuple[str, ...] = ()
    by_system: bool = False
    optional: bool = False

    @property
    def automatic(self) -> bool:
        return not self.roles

    def belongs_to(self, procedure: str) -> bool:
        return procedure in self.procedures

    def parse_data(self, raw: dict | None) -> dict[str, Any]:
        raw = raw or {}
        if not isinstance(raw, dict):
            raise ApplicationError(_("data must be an object."))
        known = {f.name for f in self.data}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ApplicationError(
                _("Unknown data for this action: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return {f.name: f.parse(raw.get(f.name)) for f in self.data}


@dataclass
class Procedure:
    code: str
    label: Promise
    states: list[State] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    main_line: list[str] = field(default_factory=list)


def target_of(transition: Transition, source: str) -> str:
    return source if transition.target == "=" else transition.target


class Machine:
    """The procedures of one kind of process: every state, every transition, and per procedure
    the states and transitions it uses, with the main line its diagram draws."""

    def __init__(
        self,
        *,
        states: Sequence[State],
        transitions: Sequence[Transition],
        initial: str,
        procedures: list[tuple[str, Promise]],
        main_lines: dict[str, list[str]],
    ) -> None:
        codes = frozenset(code for code, _label in procedures)
        # A transition that names no procedure belongs to every procedure of the machine.
        transitions = [t if t.procedures else replace(t, procedures=codes) for t in transitions]
        self.states = states
        self.transitions = transitions
        self.initial = initial
        self.state_by_name = {state.name: state for state in states}
        self.transition_by_name = {t.name: t for t in transitions}
        self.procedures: dict[str, Procedure] = {}
        for code, label in procedures:
            own = [t for t in transitions if t.belongs_to(code)]
            names = {initial}
            for t in own:
                names.update(t.sources)
                if t.target != "=":
                    names.add(t.target)
            self.procedures[code] = Procedure(
                code=code,
                label=label,
                states=[s for s in states if s.name in names],
                transitions=own,
                main_line=main_lines[code],
            )

    def procedure(self, code: str) -> Procedure:
        return self.procedures[code]

    def transitions_from(self, code: str, state: str) -> list[Transition]:
        """The transitions of procedure ``code`` that leave ``state``, in definition order."""
        return [t for t in self.procedures[code].transitions if state in t.sources]

    def transitions_into(self, code: str, states: Sequence[str]) -> list[Transition]:
        """The transitions of procedure ``code`` that lead into one of ``states`` from another
        state: the steps that must come before a transition leaving ``states``."""
        return [
            t
            for t in self.procedures[code].transitions
            if t.target in states and not set(t.sources) <= set(states)
        ]

"""What every guard receives, and the mark for guards that judge the actor's input.

A guard is a pure function ``(process, ctx) -> list of reasons`` (empty = allowed); a reason is
a sentence a person can act on, ending with the legal article the rule comes from. The guards
themselves belong to the procedures that use them (``tenders.procedures.guards``).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from workflows.calendars import WorkingCalendar


@dataclass
class GuardContext:
    now: dt.datetime
    calendar: WorkingCalendar
    data: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    @classmethod
    def for_process(cls, process, *, now=None, data=None, reason: str = "") -> "GuardContext":
        return cls(
            now=now or timezone.now(),
            calendar=WorkingCalendar(process.city),
            data=dict(data or {}),
            reason=reason or "",
        )


Guard = Callable[[Any, GuardContext], list[str]]


def input_check(guard: Guard) -> Guard:
    """Mark a guard that judges the actor's input (reason, data) rather than the process.

    Lists of possible actions evaluate only the other guards: before anyone has typed a deadline,
    "give the deadline" is not a reason the action is blocked.
    """
    guard.input_check = True  # type: ignore[attr-defined]
    return guard


def is_input_check(guard: Guard) -> bool:
    return getattr(guard, "input_check", False)

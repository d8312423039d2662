"""What the engine needs from a process model.

Structural: a model made with ``workflows.fsm.state_machine_model`` fits once it adds the
``procedure`` its machine's transitions belong to and the ``city`` whose working calendar and
officers it follows. The engine (``workflows.services``) reads nothing else, so an app plugs a
new kind of process in without the engine importing it.
"""

import datetime as dt
from typing import Any, ClassVar, Protocol, runtime_checkable

from workflows.machine import Machine


@runtime_checkable
class Process(Protocol):
    machine: ClassVar[Machine]
    pk: Any
    # The model's options: permission names are "<app_label>.act_<role>" and
    # "<app_label>.view_<model_name>".
    _meta: Any
    status: str
    procedure: str
    city: Any
    # When the scheduler next looks at the process (the earliest automatic transition due).
    next_check: dt.datetime | None

    def save(self, *args: Any, **kwargs: Any) -> None: ...

"""The state field and one django-fsm transition method per defined transition.

``ProcedureStateMachine`` is an abstract model: a process model inherits it and gets the
protected ``status`` field and a method per row of ``workflows.procedures.TRANSITIONS``. The
methods only stamp fields (STYLE rule 2); their django-fsm condition is that the process's
procedure has the transition. Guards with readable reasons run in ``transition_perform``, which
is the only caller of these methods.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from workflows.guards import GuardContext
from workflows.procedures import INITIAL_STATE, STATES, TRANSITIONS, Transition

STATE_CHOICES = [(state.name, state.label) for state in STATES]


def _procedure_has(definition: Transition):
    def condition(instance) -> bool:
        return instance.procedure in definition.procedures

    condition.__name__ = f"{definition.name}_in_procedure"
    return condition


def _method(definition: Transition):
    def method(self, ctx: GuardContext) -> None:
        if definition.stamp is not None:
            definition.stamp(self, ctx)

    method.__name__ = definition.name
    method.__qualname__ = f"ProcedureStateMachine.{definition.name}"
    method.__doc__ = f"{definition.label} — {definition.legal_basis}"
    return transition(
        field="status",
        source=list(definition.sources),
        target=None if definition.target == "=" else definition.target,
        conditions=[_procedure_has(definition)],
    )(method)


class ProcedureStateMachine(FSMModelMixin, models.Model):
    status = FSMField(
        _("status"), default=INITIAL_STATE, choices=STATE_CHOICES, protected=True, db_index=True
    )

    class Meta:
        abstract = True


for _definition in TRANSITIONS:
    setattr(ProcedureStateMachine, _definition.name, _method(_definition))

"""The state field and one django-fsm transition method per defined transition.

``state_machine_model(machine)`` makes an abstract model: a process model inherits it and gets
the protected ``status`` field, a method per transition of the machine, and the ``machine``
itself, which the engine reads (``workflows.protocols.Process``). The methods only stamp fields
(STYLE rule 2); their django-fsm condition is that the process's procedure has the transition.
Guards with readable reasons run in ``transition_perform``, which is the only caller of these
methods.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from workflows.guards import GuardContext
from workflows.machine import Machine, Transition


class ProtectedStatusModel(FSMModelMixin):
    """A model with a protected ``FSMField`` that may be reloaded from any thread.

    django-fsm-2's ``FSMModelMixin.refresh_from_db`` lifts the protection of the *field*, for
    every instance in the process, while it reloads, then sets it back: a request that reloads
    while another thread does the same can find the protection back in place and fail with
    "Direct status modification is not allowed" (one document order in about 400 answered 500
    in the soak). The field's guard only refuses a value already held by the instance, so this
    reload drops the instance's own value first and leaves the field alone.
    """

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        for attname in self._get_protected_fsm_fields():
            if fields is None or attname in fields:
                self.__dict__.pop(attname, None)
        models.Model.refresh_from_db(self, using=using, fields=fields, from_queryset=from_queryset)


def _procedure_has(definition: Transition):
    def condition(instance) -> bool:
        return definition.belongs_to(instance.procedure)

    condition.__name__ = f"{definition.name}_in_procedure"
    return condition


def _method(definition: Transition, owner: str):
    def method(self, ctx: GuardContext) -> None:
        if definition.stamp is not None:
            definition.stamp(self, ctx)

    method.__name__ = definition.name
    method.__qualname__ = f"{owner}.{definition.name}"
    method.__doc__ = f"{definition.label} — {definition.legal_basis}"
    return transition(
        field="status",
        source=list(definition.sources),
        target=None if definition.target == "=" else definition.target,
        conditions=[_procedure_has(definition)],
    )(method)


def state_machine_model(machine: Machine, *, name: str, module: str) -> type[models.Model]:
    """An abstract model named ``name`` (defined in ``module``) driven by ``machine``."""
    attrs = {
        "__module__": module,
        "machine": machine,
        "status": FSMField(
            _("status"),
            default=machine.initial,
            choices=[(state.name, state.label) for state in machine.states],
            protected=True,
            db_index=True,
        ),
        "Meta": type("Meta", (), {"abstract": True}),
    }
    for definition in machine.transitions:
        attrs[definition.name] = _method(definition, name)
    return type(name, (ProtectedStatusModel, models.Model), attrs)

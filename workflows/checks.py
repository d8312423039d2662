"""System checks of the engine's registries, run by every ``manage.py`` command (``check``,
``check --deploy``, ``migrate``, ``runserver``…) before it does anything.

An effect name is a string shared by three places: the transition that raises it, the app that
declares it and the handlers that take it. A misspelt or forgotten one would not fail: the
transition would commit and its document, e-mail or release would silently never exist. So the
project refuses to start until the three agree.
"""

from typing import Any

from django.core import checks

from workflows.machine import Machine


def _machine(model: Any) -> Machine:
    return model.machine


@checks.register()
def effects_declared_and_handled(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every effect a registered machine's transitions name is declared and has a handler; every
    handler waits for a declared effect."""
    from workflows import registry
    from workflows.effects import DECLARED, HANDLERS, handler_path

    errors: list[checks.CheckMessage] = []
    for model in registry.MACHINES:
        label = model._meta.label
        for transition in _machine(model).transitions:
            for name in transition.effects:
                if name not in DECLARED:
                    errors.append(
                        checks.Error(
                            f"Transition {transition.name!r} of {label} names the effect "
                            f"{name!r}, which is not declared.",
                            hint=(
                                "Correct the name, or declare it once with "
                                "workflows.effects.declare_effects() in the app that raises it."
                            ),
                            obj=label,
                            id="workflows.E001",
                        )
                    )
                elif not HANDLERS.get(name):
                    errors.append(
                        checks.Error(
                            f"Transition {transition.name!r} of {label} names the effect "
                            f"{name!r}, which no handler takes: it would do nothing.",
                            hint=(
                                f"Subscribe a handler with @on_effect({name!r}) in a module "
                                "its app imports in ready(), or remove the effect."
                            ),
                            obj=label,
                            id="workflows.E002",
                        )
                    )
    for name, handlers in sorted(HANDLERS.items()):
        if name in DECLARED:
            continue
        for handler in handlers:
            errors.append(
                checks.Error(
                    f"Handler {handler_path(handler)} takes the effect {name!r}, which is not declared: "
                    "nothing raises it.",
                    hint="Correct the name in @on_effect(), or declare the effect.",
                    obj=handler_path(handler),
                    id="workflows.E003",
                )
            )
    return errors

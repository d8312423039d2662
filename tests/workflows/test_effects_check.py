"""Effect names agree everywhere: every effect a transition names is declared and has a handler,
and every handler waits for a declared effect, or the project does not start."""

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from workflows import registry
from workflows.checks import effects_declared_and_handled
from workflows.effects import DECLARED, HANDLERS, declare_effects, on_effect
from workflows.machine import Machine, State, Transition


def _machine(*effects: str) -> Machine:
    return Machine(
        states=[State("draft", "Draft", "front"), State("done", "Done", "front", final=True)],
        transitions=[
            Transition("finish", ("draft",), "done", "Finish", roles=("officer",), effects=effects)
        ],
        initial="draft",
        procedures=[("planted", "Planted procedure")],
        main_lines={"planted": ["draft", "done"]},
    )


@pytest.fixture
def planted():
    """Registers a stand-in process model, effect names and handlers for one test, and removes
    them afterwards, so the registries are as the project left them."""
    models, names, handled = [], [], []

    def machine_with(*effects: str) -> None:
        model = type(
            "PlantedProcess",
            (),
            {"machine": _machine(*effects), "_meta": SimpleNamespace(label="tests.PlantedProcess")},
        )
        registry.register_machine(model)
        models.append(model)

    def declared(*new: str) -> None:
        names.extend(n for n in new if n not in DECLARED)
        declare_effects(*new)

    def handler_on(name: str) -> None:
        def planted_handler(*, effect, model, pk, audit_entry_id) -> None:
            return None

        on_effect(name)(planted_handler)
        handled.append((name, planted_handler))

    yield SimpleNamespace(machine_with=machine_with, declared=declared, handler_on=handler_on)
    for model in models:
        registry.MACHINES.remove(model)
    DECLARED.difference_update(names)
    for name, handler in handled:
        HANDLERS[name].remove(handler)
        if not HANDLERS[name]:
            del HANDLERS[name]


def test_the_project_s_effects_are_all_declared_and_handled():
    assert effects_declared_and_handled() == []
    call_command("check")  # raises SystemCheckError on any error


def test_the_five_document_effects_and_document_ready_have_handlers():
    for name in (
        "invitation",
        "negotiation_minutes",
        "phase_evaluation",
        "purchase_resolution",
        "documents_requested",
        "document_ready",
        "automatic",
    ):
        assert name in DECLARED and HANDLERS.get(name), name


def test_a_transition_naming_an_undeclared_effect_stops_the_project(planted):
    planted.machine_with("tender_notise")
    [error] = effects_declared_and_handled()
    assert error.id == "workflows.E001"
    assert "'finish'" in error.msg and "tests.PlantedProcess" in error.msg
    assert "'tender_notise'" in error.msg and "not declared" in error.msg
    with pytest.raises(SystemCheckError, match="tender_notise"):
        call_command("check")


def test_a_transition_naming_an_effect_nobody_handles_stops_the_project(planted):
    planted.declared("planted_unhandled")
    planted.machine_with("planted_unhandled")
    [error] = effects_declared_and_handled()
    assert error.id == "workflows.E002"
    assert "'planted_unhandled'" in error.msg and "no handler" in error.msg
    assert "@on_effect('planted_unhandled')" in error.hint


def test_a_handler_waiting_for_an_undeclared_effect_stops_the_project(planted):
    planted.handler_on("planted_undeclared")
    [error] = effects_declared_and_handled()
    assert error.id == "workflows.E003"
    assert "planted_handler" in error.msg and "'planted_undeclared'" in error.msg
    with pytest.raises(SystemCheckError, match="planted_undeclared"):
        call_command("check")


def test_a_declared_and_handled_effect_passes(planted):
    planted.declared("planted_fine")
    planted.handler_on("planted_fine")
    planted.machine_with("planted_fine", "publication")
    assert effects_declared_and_handled() == []

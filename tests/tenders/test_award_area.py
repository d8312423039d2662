"""The process reaches the award area through the interface registered at app ready."""

import inspect

import pytest
from django.core.exceptions import ImproperlyConfigured

from procurement.accounts.models import City
from tenders.award import engine
from tenders.models import Tender
from tenders.process import ports
from workflows.protocols import Process


def _members(protocol) -> list[str]:
    return sorted(
        name
        for name, value in vars(protocol).items()
        if inspect.isfunction(value) and not name.startswith("_")
    )


def test_the_award_area_registered_at_ready_is_the_award_engine():
    assert ports.award_area() is engine


def test_the_award_engine_has_every_member_of_the_award_area_with_its_parameters():
    for name in _members(ports.AwardArea):
        wanted = list(inspect.signature(getattr(ports.AwardArea, name)).parameters)[1:]
        assert list(inspect.signature(getattr(engine, name)).parameters) == wanted, name


def test_a_process_without_a_registered_award_area_says_so(monkeypatch):
    monkeypatch.setattr(ports, "_registered", {})
    with pytest.raises(ImproperlyConfigured, match="No award area is registered"):
        Tender(procedure="cpti_open").evaluation_gaps()


def test_a_tender_is_a_process_for_the_engine():
    assert isinstance(Tender(procedure="cpti_open", city=City(name="Logroño")), Process)

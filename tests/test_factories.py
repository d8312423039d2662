"""The process factory walks through the engine: every step audited, clocks left running where
the state has one, and the states no walk reaches refused with the way out."""

import datetime as dt
from itertools import pairwise

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from procurement.core.models import AuditEntry
from tenders.models import Tender
from tenders.procedures import MACHINE, target_of
from tests.factories.tenders import make_tender, place_tender_in_state_for_speed
from tests.factories.walks import Unreachable
from workflows.services import process_fire_due


def _transitions(tender: Tender):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Tender),
        object_id=str(tender.pk),
        action=AuditEntry.Action.TRANSITION,
    ).order_by("pk")


def _trail(tender: Tender) -> list[tuple[str, str, str]]:
    return list(_transitions(tender).values_list("name", "from_state", "to_state"))


@pytest.mark.parametrize(
    ("procedure", "state"),
    [
        ("cpti_open", "closed"),
        ("pcp", "closed"),
        ("innovation_partnership", "final_offers_closed"),
    ],
)
def test_the_longest_walks_are_transitions_of_the_procedure_one_after_another(
    demo, procedure, state
):
    tender = make_tender(city=demo.city("logrono"), procedure=procedure, state=state)
    assert tender.status == state
    trail = _trail(tender)
    assert trail[0][1] == "need_draft" and trail[-1][2] == state
    for (_name, _source, target), (_next, source, _target) in pairwise(trail):
        assert source == target
    for name, source, target in trail:
        definition = MACHINE.transition_by_name[name]
        assert definition.belongs_to(procedure) and source in definition.sources
        assert target_of(definition, source) == target
    times = list(_transitions(tender).values_list("at", flat=True))
    assert times == sorted(times) and times[-1] <= timezone.now()


@pytest.mark.parametrize(
    ("procedure", "state"),
    [
        ("cpti_open", "consultation_announced"),
        ("cpti_open", "consultation_open"),
        ("cpti_open", "published"),
        ("cpti_open", "documents_requested"),
        ("cpti_open", "standstill"),
        ("pcp", "call_published"),
        ("pcp", "phase2_prototype"),
        ("innovation_partnership", "notice_published"),
        ("innovation_partnership", "final_offers"),
    ],
)
def test_a_state_with_a_clock_is_left_with_it_running(demo, procedure, state):
    now = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
    tender = make_tender(city=demo.city("logrono"), procedure=procedure, state=state, now=now)
    assert tender.next_check is not None and tender.next_check > now
    assert process_fire_due(model=Tender, pk=tender.pk, now=now) == []


def test_a_state_no_walk_reaches_is_refused_with_the_way_out(demo):
    with pytest.raises(Unreachable, match="place_tender_in_state_for_speed"):
        make_tender(
            city=demo.city("logrono"), procedure="innovation_partnership", state="offers_evaluated"
        )


def test_what_the_engine_stamps_is_not_given_to_the_factory(demo):
    with pytest.raises(TypeError, match="first_published_at"):
        make_tender(city=demo.city("logrono"), state="demand_map", first_published_at=None)


def test_placing_a_state_needs_a_reason(demo):
    with pytest.raises(ValueError, match="why"):
        place_tender_in_state_for_speed(why=" ", city=demo.city("logrono"), state="rd_gate")
    tender = place_tender_in_state_for_speed(
        why="this test checks the placing helper itself",
        city=demo.city("logrono"),
        procedure="innovation_partnership",
        state="rd_gate",
    )
    assert tender.status == "rd_gate" and _trail(tender) == []


@pytest.mark.parametrize("days_back", range(7))
@pytest.mark.parametrize(
    ("procedure", "state"),
    [
        ("cpti_open", "bids_closed"),
        ("pcp", "offers_closed"),
        ("innovation_partnership", "requests_closed"),
    ],
)
def test_a_walk_through_a_call_passes_whatever_the_weekday(demo, procedure, state, days_back):
    # A call's deadline is at least its legal minimum on the city's calendar, whose last day
    # moves past a weekend or a holiday (LCSP DA 12ª): a fixed 31 days failed on some days of the
    # year (on 2026-12-03 the partnership notice's minimum ended on a Monday, after it).
    now = timezone.now() - dt.timedelta(days=days_back)
    tender = make_tender(city=demo.city("logrono"), procedure=procedure, state=state, now=now)
    assert tender.status == state

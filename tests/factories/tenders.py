"""Processes for tests, built as people build them: the real ``tender_create`` service (so
permissions are granted as in life), the city's committee assigned, and the process moved to
the state the test asks for by the engine itself (``tests.factories.walks``).

``place_tender_in_state_for_speed`` is the exception, and says so: it writes the state
directly, bypassing the engine, for the few tests that need a state no walk reaches, or a state
without what its transitions would have stamped, or very many processes. Each call gives its
reason in ``why``. Nothing outside tests ever writes a status this way.
"""

import datetime as dt
from decimal import Decimal

import factory

from procurement.accounts.models import City, Membership, User
from tenders.award.services.bids import committee_assign
from tenders.models import Tender
from tenders.procedures import CPTI, PARTNERSHIP, PCP, S
from tenders.process.services import tender_create, tender_update
from tests.factories.walks import walk_to

PROCEDURE_CPV = {
    CPTI: ["72000000-5"],
    PCP: ["73100000-3"],
    PARTNERSHIP: ["73100000-3"],
}

# What an officer writes on a process (``tender_create``, ``tender_update``); the rest of a
# process is written by its transitions.
WRITTEN_BY_PEOPLE = ("title", "description", "cpv_codes", "functional_specifications")


class TenderFactory(factory.django.DjangoModelFactory):
    """A process of ``city`` created by its officer and walked to ``state`` by the engine.

    ``now`` is the test's present: the walk happens before it (see ``walks``); ``through`` is a
    state the walk must pass (``demand_map`` for a process that was in the early demand map);
    ``consultation`` overrides what the consultation is drafted with (subject, opens_at,
    closes_at, cpv_codes...).
    """

    class Meta:
        model = Tender

    city = None
    procedure = CPTI
    state = S.NEED_DRAFT
    officer = None
    title = factory.LazyAttribute(lambda o: f"Test process {o.procedure} {o.state}")
    description = "The city needs something the market does not offer yet."
    estimated_value = Decimal("250000")
    cpv_codes = factory.LazyAttribute(lambda o: PROCEDURE_CPV[o.procedure])
    functional_specifications = ""
    now = None
    through = None
    consultation = None

    @classmethod
    def _create(
        cls,
        model_class,
        *,
        city: City,
        state: str,
        officer: User | None,
        now: dt.datetime | None,
        through: str | None,
        consultation: dict | None,
        functional_specifications: str,
        **fields,
    ) -> Tender:
        stamped = set(fields) - {"procedure", "estimated_value", *WRITTEN_BY_PEOPLE}
        if stamped:
            raise TypeError(
                f"{', '.join(sorted(stamped))}: written by the engine on the walk, not given; "
                "a test that needs them placed uses place_tender_in_state_for_speed(why=...)."
            )
        officer = officer or (
            User.objects.filter(memberships__city=city, memberships__role=Membership.Role.OFFICER)
            .order_by("pk")
            .first()
        )
        tender = tender_create(actor=officer, city=city, **fields)
        for member in User.objects.filter(
            memberships__city=city, memberships__role=Membership.Role.COMMITTEE
        ).order_by("pk"):
            committee_assign(actor=officer, tender=tender, user=member)
        if functional_specifications:
            tender = tender_update(
                actor=officer, tender=tender, functional_specifications=functional_specifications
            )
        return walk_to(tender, state, now=now, through=through, consultation=consultation)


def make_tender(
    *,
    city: City,
    procedure: str = CPTI,
    state: str = S.NEED_DRAFT,
    officer: User | None = None,
    value: Decimal = Decimal("250000"),
    **fields,
) -> Tender:
    """``TenderFactory`` with the names the tests use: ``value`` is the estimated value."""
    return TenderFactory(
        city=city,
        procedure=procedure,
        state=state,
        officer=officer,
        estimated_value=value,
        **fields,
    )


def place_tender_in_state_for_speed(
    *,
    why: str,
    city: City,
    procedure: str = CPTI,
    state: str,
    officer: User | None = None,
    value: Decimal = Decimal("250000"),
    **fields,
) -> Tender:
    """A process created at ``need_draft`` by the real service, then put in ``state`` (and given
    ``fields``) by writing the row: no transition fires, no guard is asked, no stamp or audit
    row is written. Only for a test that says ``why`` no walk through the engine will do."""
    if len(why.strip()) < 20:
        raise ValueError("Say why this test places the state instead of walking to it.")
    written = {name: fields.pop(name) for name in WRITTEN_BY_PEOPLE if name in fields}
    tender = make_tender(city=city, procedure=procedure, officer=officer, value=value, **written)
    Tender.objects.filter(pk=tender.pk).update(status=state, **fields)
    return Tender.objects.get(pk=tender.pk)

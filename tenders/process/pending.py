"""What waits on a city user: the processes in a state where one of the user's roles on them
has a step to take (only the steps the procedure requires, never the optional ones), and the
counts per stage of the user's cities' processes."""

from collections import defaultdict
from collections.abc import Callable
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db.models import Case, Count, Q, QuerySet, Value, When

from procurement.core.api import COUNT_SECONDS
from procurement.core.audit import data_version
from procurement.core.permissions import grants_q, held_q
from tenders.procedures import PROCEDURES, STATE_BY_NAME, Transition
from tenders.process.models import Tender

ROLES = ("officer", "legal", "committee")


def is_pending_work(definition: Transition) -> bool:
    """Whether a transition is a step someone must take for the process to move on: neither
    fired by the system when due nor optional (extend a deadline, record an appeal, cancel,
    declare void: ``Transition.optional``)."""
    return not definition.automatic and not definition.optional


def _work_by_role() -> dict[str, dict[tuple[str, str], list[Transition]]]:
    """For each role, the (procedure, state) pairs where that role has a step to take, with the
    steps: computed once from the procedure tables."""
    work: dict[str, dict[tuple[str, str], list[Transition]]] = {role: {} for role in ROLES}
    for code, proc in PROCEDURES.items():
        for definition in proc.transitions:
            if not is_pending_work(definition):
                continue
            for role in definition.roles:
                for source in definition.sources:
                    work[role].setdefault((code, source), []).append(definition)
    return work


WORK_BY_ROLE = _work_by_role()


def _state_filter(pairs) -> Q:
    """``(procedure, status)`` in ``pairs``, written short: a state that counts in every
    procedure it belongs to needs no condition on the procedure."""
    procedures_of = defaultdict(set)
    for code, proc in PROCEDURES.items():
        for state in proc.states:
            procedures_of[state.name].add(code)
    wanted = defaultdict(set)
    for code, state in pairs:
        wanted[state].add(code)
    everywhere = sorted(s for s, codes in wanted.items() if codes >= procedures_of[s])
    some: dict[str, list[str]] = defaultdict(list)
    for state, codes in sorted(wanted.items()):
        if state not in everywhere:
            for code in sorted(codes):
                some[code].append(state)
    return reduce(
        or_,
        (Q(procedure=code, status__in=states) for code, states in sorted(some.items())),
        Q(status__in=everywhere),
    )


STATE_FILTER_BY_ROLE = {role: _state_filter(pairs) for role, pairs in WORK_BY_ROLE.items()}


class Grants:
    """Which processes ``user`` holds ``tenders.<codename>`` on, through a user or a group grant.
    Global permissions count for nothing; a superuser holds everything.

    Pages read in index order and stop after 25 rows, so each row probes the grant tables by key
    (``held_q``); counts read every row of the user's cities, so the user's grants are read once
    and hashed (``grants_q``)."""

    def __init__(self, user) -> None:
        self.user = user
        self.superuser = user.is_superuser

    def q(self, codename: str, *, counting: bool = False) -> Q:
        if self.superuser:
            return Q()
        condition = grants_q if counting else held_q
        grants = condition(self.user, f"tenders.{codename}", Tender)
        assert grants is not None  # Tender has direct-FK permission tables
        return grants


# What a list of a user's processes shows of each (the process list, the home page's sections):
# reading the other forty columns of a process and its city cost a fifth of the list's time.
LISTED_FIELDS = (
    "title",
    "status",
    "procedure",
    "next_check",
    "created_at",
    "first_published_at",
    "city__name",
    "city__slug",
    "city__timezone",
)


def city_processes(user, grants: Grants, *, counting: bool = False) -> QuerySet[Tender]:
    """The processes of ``user``'s cities that ``user`` may read (all of them for a superuser),
    newest first: ``tender_list_for_user`` narrowed to the user's cities (the ids the navigation
    read, so that a page walks the city's processes in index order). Only ``LISTED_FIELDS`` are
    read."""
    processes = (
        Tender.objects.select_related("city").only(*LISTED_FIELDS).order_by("-created_at", "-pk")
    )
    if user.is_superuser:
        return processes
    return processes.filter(
        Q(city_id__in=sorted({m.city_id for m in user.memberships_seen if m.city_id})),
        Q(first_published_at__isnull=False) | grants.q("view_tender", counting=counting),
    )


def waiting_processes(grants: Grants, processes: QuerySet[Tender]) -> QuerySet[Tender]:
    """The processes in a state where one of ``user``'s roles on them has a step to take, each
    annotated with ``role_<role>`` telling which roles the user holds there. One query: the
    roles are guardian object permissions (``act_<role>``) read as subqueries."""
    held = {role: grants.q(f"act_{role}") for role in ROLES}
    waiting = reduce(or_, (held[role] & STATE_FILTER_BY_ROLE[role] for role in ROLES), Q(pk__in=[]))
    return processes.filter(waiting).annotate(
        **{
            f"role_{role}": Value(True)
            if grants.superuser
            else Case(When(held[role], then=Value(True)), default=Value(False))
            for role in ROLES
        }
    )


def pending_steps(tender: Tender) -> list[Transition]:
    steps: list[Transition] = []
    for role in ROLES:
        if getattr(tender, f"role_{role}", False):
            for definition in WORK_BY_ROLE[role].get((tender.procedure, tender.status), []):
                if definition not in steps:
                    steps.append(definition)
    return steps


def stage_counts(
    user, processes: Callable[[], QuerySet[Tender]], *, version: int | None = None
) -> dict[str, int]:
    """Processes per stage in one aggregate query (grouped by state, summed per stage) of the
    queryset ``processes()`` builds, built only when the figures are not kept. It reads every
    process of the user's cities, so the figures are kept for the user until the next audited
    write (``version``, the data version the caller read, or ``audit.data_version``; an
    unaudited change shows within ``COUNT_SECONDS``)."""
    key = f"stage-counts:{data_version() if version is None else version}:{user.pk}"
    counts = cache.get(key)
    if counts is None:
        counts = defaultdict(int)
        for row in processes().order_by().values("status").annotate(n=Count("pk")):
            counts[STATE_BY_NAME[row["status"]].stage] += row["n"]
        counts = dict(counts)
        cache.set(key, counts, COUNT_SECONDS)
    return counts

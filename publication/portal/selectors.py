"""What the public portal reads: only what has been published.

A process appears once first published; its consultation once the consultation is published;
the report once the report is published. Public documents are the ones marked public and ready.
Nothing here reads responses, answers, attachments or bids: the portal cannot show what it never
loads. Documents come from the ``documents`` app's model, looked up at call time, since that app
builds on processes and not the other way round.
"""

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast

from procurement.accounts.models import City, Network
from procurement.core.compiled import compiled
from procurement.core.exceptions import NotFound
from procurement.core.public_cache import content_digest
from tenders.models import (
    Award,
    Clarification,
    Consultation,
    Participant,
    PhaseContract,
    Question,
    Tender,
)
from tenders.procedures import CPTI, STAGES, STATES, Edit, S, is_editable

EARLY_STAGES = ("need", "consultation", "preparation")
TENDER_STAGES = ("tendering", "evaluation")
AWARD_STAGES = ("award", "execution")

STATES_BY_STAGE: dict[str, list[str]] = {}
for _state in STATES:
    STATES_BY_STAGE.setdefault(_state.stage, []).append(_state.name)


def _not_found() -> str:
    from django.utils.translation import gettext as _

    return _("Not found.")


def processes_public() -> QuerySet[Tender]:
    return Tender.objects.filter(first_published_at__isnull=False).select_related("city")


def _cpv_digits(cpv: str) -> str:
    return "".join(ch for ch in cpv.split("-")[0] if ch.isdigit()).rstrip("0")


def processes_search(
    *, q: str = "", cpv: str = "", city: str = "", network: str = "", stage: str = ""
) -> QuerySet[Tender]:
    """Published processes matching every filter given: words in the title, the need or the
    consultation's object; a CPV code or prefix; a city or network short name; a stage."""
    queryset = processes_public()
    if q:
        queryset = queryset.filter(
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(
                pk__in=Consultation.objects.filter(
                    published_at__isnull=False, subject__icontains=q
                ).values("tender_id")
            )
        )
    if cpv and (digits := _cpv_digits(cpv)):
        queryset = queryset.annotate(cpv_text=Cast("cpv_codes", TextField())).filter(
            cpv_text__contains=f'"{digits}'
        )
    if city:
        queryset = queryset.filter(city__slug=city)
    if network:
        # A subquery rather than a join, so no row repeats and no DISTINCT is needed: DISTINCT
        # over every column made the paginator's count scan the whole table.
        queryset = queryset.filter(
            city_id__in=City.objects.filter(networks__slug=network).values("pk")
        )
    if stage in STATES_BY_STAGE:
        queryset = queryset.filter(status__in=STATES_BY_STAGE[stage])
    return queryset.order_by("-first_published_at", "-pk")


FOUND_LIMIT = 1000


def processes_found(queryset: QuerySet) -> int:
    """How many processes a search found, counted up to ``FOUND_LIMIT + 1``: an exact count
    over every published process would read them all on each search."""
    return queryset.order_by()[: FOUND_LIMIT + 1].count()


def stage_choices() -> list[tuple[str, Any]]:
    return list(STAGES)


def cities_public() -> QuerySet[City]:
    return City.objects.prefetch_related("networks").order_by("name")


@dataclass
class CityCard:
    name: str
    slug: str
    networks: str


def city_cards() -> list[CityCard]:
    """Every city with the names of its networks, as plain data (two small queries): the
    portal's home lists them all, and model instances made that list slow to draw."""
    networks: dict[int, list[str]] = {}
    through = City.networks.through.objects.order_by("network__name")
    for city_id, name in through.values_list("city_id", "network__name"):
        networks.setdefault(city_id, []).append(name)
    return [
        CityCard(name=name, slug=slug, networks=", ".join(networks.get(pk, [])))
        for pk, name, slug in City.objects.order_by("name").values_list("pk", "name", "slug")
    ]


@dataclass
class Directory:
    """The portal home's cities (cards and search choices) and networks, with a digest of them:
    the parts of the page drawn from them are kept under that digest, so they are drawn again
    only when a city or a network changes, not after every write."""

    cities: list[CityCard]
    networks: list[dict[str, str]]
    digest: str


def directory() -> Directory:
    cities = city_cards()
    networks = list(networks_public().values("name", "slug"))
    digest = content_digest([(c.name, c.slug, c.networks) for c in cities], networks)
    return Directory(cities, networks, digest)


def networks_public() -> QuerySet[Network]:
    return Network.objects.order_by("name")


def city_get_public(*, slug: str) -> City:
    try:
        return City.objects.prefetch_related("networks").get(slug=slug)
    except City.DoesNotExist as error:
        raise NotFound(_not_found()) from error


@dataclass
class CityPortal:
    city: City
    demand_map: list[Tender] = field(default_factory=list)
    open_consultations: list[Consultation] = field(default_factory=list)
    past_consultations: list[Consultation] = field(default_factory=list)
    tenders: list[Tender] = field(default_factory=list)
    awards: list[Tender] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)


def city_portal(*, city: City) -> CityPortal:
    """A city's public face: its early demand map (published needs not yet tendered), open and
    past consultations, tenders, awards and published documents."""
    processes = list(processes_public().filter(city=city).order_by("-first_published_at", "-pk"))
    consultations = list(
        Consultation.objects.filter(tender__city=city, published_at__isnull=False)
        .select_related("tender")
        .order_by("-published_at", "-pk")
    )
    stage = {p.pk: p.state.stage for p in processes}
    portal = CityPortal(city=city)
    portal.demand_map = [p for p in processes if stage[p.pk] in EARLY_STAGES]
    portal.open_consultations = [c for c in consultations if is_editable(c.tender, Edit.RESPONSES)]
    portal.past_consultations = [
        c for c in consultations if not is_editable(c.tender, Edit.RESPONSES)
    ]
    portal.tenders = [p for p in processes if stage[p.pk] in TENDER_STAGES]
    portal.awards = [
        p for p in processes if stage[p.pk] in AWARD_STAGES or p.awarded_at or p.status == S.CLOSED
    ]
    portal.documents = list(documents_public().filter(tender__city=city)[:50])
    return portal


def documents_public():
    document_model = apps.get_model("documents", "GeneratedDocument")
    return (
        document_model.objects.filter(
            public=True, status="ready", tender__first_published_at__isnull=False
        )
        .select_related("tender")
        .order_by("-generated_at", "-pk")
    )


@dataclass
class ProcessPortal:
    tender: Tender
    consultation: Consultation | None
    questions: list[Question]
    clarifications: list[Clarification]
    documents: list[Any]
    # The published versions of the pliegos, corrections included (LCSP arts. 122.1 and 138.1).
    pliegos: list[Any]
    selected: list[Participant]
    ocids: list[str]
    # A PCP's or partnership's phases (name, objectives, duration) with, in ``signed``, the
    # suppliers whose contract for the phase is signed and, once the gate passed, their outcome.
    phases: list[Any] = field(default_factory=list)


def phases_public(tender: Tender) -> list[Any]:
    """The phases of a published PCP or partnership: what the call or the descriptive document
    made public, the suppliers taking part in each (signed phase contracts are open data) and
    the outcome of each once decided. Never an offer, a price or a contract's terms."""
    if tender.procedure == CPTI:
        return []
    signed = (
        PhaseContract.objects.filter(signed_at__isnull=False)
        .select_related("supplier")
        .only("phase_id", "supplier__name", "supplier__is_sme", "outcome", "total_points")
        .order_by("supplier__name", "pk")
    )
    return list(
        tender.phases.prefetch_related(Prefetch("contracts", queryset=signed, to_attr="signed"))
    )


def pliegos_public(*, process_id: int) -> list[Any]:
    from documents.pliego_selectors import pliegos_public as published

    return published(process_id=process_id)


def process_get_public(*, pk: Any) -> ProcessPortal:
    """A published process with its public consultation, answered clarifications (never who
    asked), public documents, and the suppliers selected or awarded. Each read is SQL built
    once per process (``compiled``): building it was half of the page's time."""
    try:
        found = _public_process(int(pk))
    except (ValueError, TypeError) as error:
        raise NotFound(_not_found()) from error
    if not found:
        raise NotFound(_not_found())
    tender = found[0]
    consultations = _published_consultation(tender.pk)
    consultation = consultations[0] if consultations else None
    selected: list = []
    if tender.procedure == CPTI:
        # CPTI winners are the lots' awards; proposals and failed requests stay internal.
        selected = [award.bid for award in _awards(tender.pk)]  # each has .supplier
    elif tender.awarded_at or tender.state.stage in AWARD_STAGES or tender.status == S.CLOSED:
        selected = _selected(tender.pk)
    ocids = list(tender.ocds_releases.order_by("ocid").values_list("ocid", flat=True).distinct())
    return ProcessPortal(
        tender=tender,
        consultation=consultation,
        questions=_questions(consultation.pk) if consultation else [],
        clarifications=_answered(consultation.pk) if consultation else [],
        documents=_documents_of(tender.pk),
        pliegos=pliegos_public(process_id=tender.pk),
        selected=selected,
        ocids=ocids,
        phases=phases_public(tender),
    )


_public_process = compiled(lambda pk: processes_public().filter(pk=pk), kinds=(int,))
_published_consultation = compiled(
    lambda tender_id: Consultation.objects.filter(
        tender_id=tender_id, published_at__isnull=False
    ).order_by("pk")[:1],
    kinds=(int,),
)
_questions = compiled(
    lambda consultation_id: Question.objects.filter(consultation_id=consultation_id),
    kinds=(int,),
)
_answered = compiled(
    lambda consultation_id: Clarification.objects.filter(
        consultation_id=consultation_id, answered_at__isnull=False
    ).only("question", "answer", "answered_at", "consultation_id"),
    kinds=(int,),
)
_awards = compiled(
    lambda tender_id: (
        Award.objects.filter(tender_id=tender_id, status=Award.Status.AWARDED)
        .select_related("bid__supplier")
        .order_by("lot__number")
    ),
    kinds=(int,),
)
_selected = compiled(
    lambda tender_id: (
        Participant.objects.filter(tender_id=tender_id, status=Participant.Status.SELECTED)
        .select_related("supplier")
        .order_by("supplier__name")
    ),
    kinds=(int,),
)
_documents_of = compiled(
    lambda tender_id: documents_public().filter(tender_id=tender_id), kinds=(int,)
)


def consultation_report_public(*, pk: Any) -> Consultation:
    """A consultation whose report was published; otherwise the same 404 as a missing one."""
    try:
        return (
            Consultation.objects.select_related("tender__city")
            .prefetch_related(Prefetch("questions"))
            .get(pk=pk, published_at__isnull=False, report_published_at__isnull=False)
        )
    except (Consultation.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_not_found()) from error


def publications_latest(*, limit: int = 50, city_id: int | None = None):
    """The newest published steps (OCDS releases), newest first, for the feed (of one city
    when ``city_id`` is given)."""
    from publication.models import OcdsRelease

    releases = OcdsRelease.objects.all()
    if city_id is not None:
        releases = releases.filter(tender__city_id=city_id)
    return (
        releases.select_related("tender__city", "audit_entry")
        .only(
            "release_id",
            "ocid",
            "tag",
            "date",
            "created_at",
            "tender__title",
            "tender__description",
            "tender__city__name",
            "audit_entry__name",
        )
        .order_by("-created_at", "-pk")[:limit]
    )

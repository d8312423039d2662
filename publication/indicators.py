"""The networks' common operational indicators, per city and per network.

Computed from published processes only (the indicators are public, and a process is private
until first published), in a fixed number of queries whatever the number of processes:

- processes by stage and by procedure;
- median days spent in each stage (a stage counts once the process has left it);
- suppliers per closed consultation (median of submitted responses) and the share of SMEs
  among the suppliers that answered;
- legal templates shared (by a city, or a network's default library) and reused (adopted by a
  city, or a network default approved by a city).

Counts of responses are given only for consultations already closed, so that nobody learns how
many answers a running consultation has.
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils import timezone

from procurement.accounts.models import City, Network
from procurement.core.models import AuditEntry
from tenders.models import Consultation, Response, Tender
from tenders.procedures import PROCEDURE_CHOICES, STAGES, STATE_BY_NAME

STAGE_CODES = [code for code, _label in STAGES]
PROCEDURE_CODES = [code for code, _label in PROCEDURE_CHOICES]


@dataclass
class Sample:
    """The raw material of one city's indicators; a network's are the pooled samples."""

    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGE_CODES, 0))
    procedures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PROCEDURE_CODES, 0))
    stage_days: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    responses_per_consultation: list[int] = field(default_factory=list)
    responding_suppliers: set[int] = field(default_factory=set)
    sme_suppliers: set[int] = field(default_factory=set)
    templates_shared: int = 0
    templates_reused: int = 0

    def add(self, other: "Sample") -> None:
        for key, value in other.stages.items():
            self.stages[key] += value
        for key, value in other.procedures.items():
            self.procedures[key] += value
        for key, values in other.stage_days.items():
            self.stage_days[key].extend(values)
        self.responses_per_consultation.extend(other.responses_per_consultation)
        self.responding_suppliers |= other.responding_suppliers
        self.sme_suppliers |= other.sme_suppliers
        self.templates_shared += other.templates_shared
        self.templates_reused += other.templates_reused

    def as_dict(self) -> dict[str, Any]:
        responding = len(self.responding_suppliers)
        return {
            "processes": sum(self.stages.values()),
            "processes_by_stage": dict(self.stages),
            "processes_by_procedure": dict(self.procedures),
            "median_days_by_stage": {
                stage: round(statistics.median(self.stage_days[stage]), 1)
                if self.stage_days.get(stage)
                else None
                for stage in STAGE_CODES
            },
            "consultations_closed": len(self.responses_per_consultation),
            "median_suppliers_per_consultation": statistics.median(self.responses_per_consultation)
            if self.responses_per_consultation
            else None,
            "responding_suppliers": responding,
            "sme_share": round(len(self.sme_suppliers) / responding, 3) if responding else None,
            "templates_shared": self.templates_shared,
            "templates_reused": self.templates_reused,
        }


def _stage_days(tender: Tender, entries: list[AuditEntry]) -> dict[str, float]:
    """Days the process spent in each stage it has left, from its transition log."""
    days: dict[str, float] = defaultdict(float)
    entered = tender.created_at
    for entry in entries:
        before = STATE_BY_NAME[entry.from_state].stage if entry.from_state else None
        after = STATE_BY_NAME[entry.to_state].stage
        if before and before != after:
            days[before] += max((entry.at - entered).total_seconds(), 0) / 86400
            entered = entry.at
        elif not before:
            entered = entry.at
    return days


def _samples(now: dt.datetime) -> dict[int, Sample]:
    samples: dict[int, Sample] = defaultdict(Sample)
    tenders = list(
        Tender.objects.filter(first_published_at__isnull=False).only(
            "pk", "city_id", "status", "procedure", "created_at"
        )
    )
    by_pk = {t.pk: t for t in tenders}
    for tender in tenders:
        sample = samples[tender.city_id]
        sample.stages[STATE_BY_NAME[tender.status].stage] += 1
        sample.procedures[tender.procedure] += 1
    log: dict[int, list[AuditEntry]] = defaultdict(list)
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Tender),
        action=AuditEntry.Action.TRANSITION,
        object_id__in=[str(pk) for pk in by_pk],
    ).only("object_id", "from_state", "to_state", "at")
    for entry in entries.order_by("at", "pk"):
        log[int(entry.object_id)].append(entry)
    for pk, tender_entries in log.items():
        tender = by_pk[pk]
        for stage, days in _stage_days(tender, tender_entries).items():
            samples[tender.city_id].stage_days[stage].append(days)

    closed = Consultation.objects.filter(
        published_at__isnull=False, closes_at__lte=now, tender__first_published_at__isnull=False
    ).annotate(submitted=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED)))
    for consultation in closed.values("tender__city_id", "submitted"):
        samples[consultation["tender__city_id"]].responses_per_consultation.append(
            consultation["submitted"]
        )
    responders = Response.objects.filter(
        status=Response.Status.SUBMITTED, consultation__in=closed.values("pk")
    ).values_list("consultation__tender__city_id", "supplier_id", "supplier__is_sme")
    for city_id, supplier_id, is_sme in responders:
        samples[city_id].responding_suppliers.add(supplier_id)
        if is_sme:
            samples[city_id].sme_suppliers.add(supplier_id)

    template = apps.get_model("documents", "DocumentTemplate")
    approval = apps.get_model("documents", "CityApproval")
    shared = template.objects.filter(city__isnull=False).filter(
        Q(shared_public=True) | Q(shared_networks__isnull=False) | Q(shared_cities__isnull=False)
    )
    for city_id in shared.distinct().values_list("city_id", flat=True):
        samples[city_id].templates_shared += 1
    adopted = template.objects.filter(city__isnull=False, adopted_from__isnull=False)
    for city_id in adopted.values_list("city_id", flat=True):
        samples[city_id].templates_reused += 1
    approved = approval.objects.values("city_id").annotate(
        n=Count("version__template", distinct=True)
    )
    for row in approved:
        samples[row["city_id"]].templates_reused += row["n"]
    return samples


def indicators_compute(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The indicators of every network and city, as JSON-ready data."""
    now = now or timezone.now()
    samples = _samples(now)
    template = apps.get_model("documents", "DocumentTemplate")
    network_defaults = dict(
        template.objects.filter(network__isnull=False)
        .values("network_id")
        .annotate(n=Count("pk"))
        .values_list("network_id", "n")
    )
    cities = list(City.objects.prefetch_related("networks").order_by("name"))
    networks = list(Network.objects.order_by("name"))
    members: dict[int, list[City]] = defaultdict(list)
    for city in cities:
        for network in city.networks.all():
            members[network.pk].append(city)
    result_networks = []
    for network in networks:
        pooled = Sample()
        for city in members[network.pk]:
            pooled.add(samples[city.pk])
        pooled.templates_shared += network_defaults.get(network.pk, 0)
        result_networks.append(
            {
                "slug": network.slug,
                "name": network.name,
                "cities": [city.slug for city in members[network.pk]],
                "indicators": pooled.as_dict(),
            }
        )
    return {
        "generated_at": now.isoformat(),
        "stages": STAGE_CODES,
        "procedures": PROCEDURE_CODES,
        "networks": result_networks,
        "cities": [
            {
                "slug": city.slug,
                "name": city.name,
                "networks": [network.slug for network in city.networks.all()],
                "indicators": samples[city.pk].as_dict(),
            }
            for city in cities
        ],
    }

"""Reads of published open data. Every stored release is public by construction."""

import datetime as dt

from django.db.models import Q, QuerySet

from procurement.core.ids import id_from_text
from publication.models import OcdsRelease


def releases_public(*, since: dt.datetime | None = None, city: str = "") -> QuerySet[OcdsRelease]:
    """Releases in the order they were recorded; ``since`` compares with that time, so a
    client polling with the time of its last read misses nothing a slow worker wrote late."""
    queryset = OcdsRelease.objects.all()
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    if city:
        queryset = queryset.filter(
            Q(tender__city_id=city_id)
            if (city_id := id_from_text(city)) is not None
            else Q(tender__city__slug=city)
        )
    return queryset.order_by("created_at", "pk")


def record_releases(*, ocid: str) -> list[dict]:
    return list(
        OcdsRelease.objects.filter(ocid=ocid).order_by("date", "pk").values_list("data", flat=True)
    )


def ocids_public(*, city: str = "") -> list[str]:
    return list(
        releases_public(city=city).order_by("ocid").values_list("ocid", flat=True).distinct()
    )

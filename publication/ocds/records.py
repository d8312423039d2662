"""Release and record packages. Records are compiled from the stored releases with
``ocdsmerge``, which follows the schema's merge rules (``omitWhenMerged``, ``wholeListMerge``)."""

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from ocdsmerge import Merger

from publication.ocds import schema as ocds_schema

VERSION = "1.1"
# The extensions whose fields releases use: lots (tender.lots, awards[].relatedLots) and the
# suppliers' size (parties[].details.scale). Planning milestones, tenderers and
# numberOfTenderers are in the OCDS 1.1 core; no release carries bids (the bids extension).
LOTS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
    "v1.1.5/extension.json"
)
SCALE_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_partyDetails_scale_extension/v1.1.5/extension.json"
)
EXTENSIONS = [LOTS_EXTENSION, SCALE_EXTENSION]


@lru_cache(maxsize=4)
def _merger(folder: str) -> Merger:
    return Merger(schema=ocds_schema.schema("release-schema.json"))


def merger() -> Merger:
    return _merger(str(ocds_schema.schema_dir()))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


def _meta(*, uri: str, published_date: str | None) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": published_date or _now(),
        "publisher": {"name": "OpenCPI", "uri": settings.OPENCPI_PUBLIC_URL + "/portal/"},
    }


def release_package(
    *, releases: Iterable[dict[str, Any]], uri: str, published_date: str | None = None
) -> dict[str, Any]:
    return {**_meta(uri=uri, published_date=published_date), "releases": list(releases)}


def record_build(*, ocid: str, releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The record of one ocid: its releases, oldest first, and their compiled release."""
    ordered = sorted(releases, key=lambda release: (release["date"], release["id"]))
    return {
        "ocid": ocid,
        "releases": ordered,
        "compiledRelease": merger().create_compiled_release(ordered),
    }


def record_package(
    *, records: Iterable[dict[str, Any]], uri: str, published_date: str | None = None
) -> dict[str, Any]:
    return {**_meta(uri=uri, published_date=published_date), "records": list(records)}

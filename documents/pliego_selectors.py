"""Reads of a process's pliegos for a user: what is published for anyone who may see the
process (free, direct and complete access, LCSP art. 138.1), drafts and approved versions for
the city's officers and legal team only."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from documents import context as contexts
from documents.models import Pliego
from procurement.core.compiled import compiled
from procurement.core.exceptions import NotFound

PUBLIC_STATUSES = (Pliego.Status.PUBLISHED, Pliego.Status.SUPERSEDED)


def _visible(process: contexts.PliegoProcess) -> QuerySet[Pliego]:
    return _versions_of(process.id, city_side=process.is_officer or process.is_legal)


def _versions_of(process_id, *, city_side: bool) -> QuerySet[Pliego]:
    pliegos = Pliego.objects.filter(tender_id=process_id).select_related("amends")
    if city_side:
        return pliegos
    # A superseded version that was never published (a draft replaced before approval) stays
    # inside the city.
    return pliegos.filter(status__in=PUBLIC_STATUSES, published_at__isnull=False)


# The process page's panel, by SQL built once per process: every version, or the published.
_city_side_versions = compiled(
    lambda process_id: _versions_of(process_id, city_side=True).order_by("kind", "-number"),
    kinds=(int,),
)
_public_versions = compiled(
    lambda process_id: _versions_of(process_id, city_side=False).order_by("kind", "-number"),
    kinds=(int,),
)


def pliegos_for_process(*, user, process_id) -> tuple[contexts.PliegoProcess, QuerySet[Pliego]]:
    """The process (the same ``NotFound`` for missing and not-yours) and its pliegos the user
    may read, by kind and newest version first."""
    process = contexts.pliego_process_for_user(user=user, process_id=process_id)
    return process, _visible(process).order_by("kind", "-number")


def pliegos_of_process(
    *, user, tender, private: bool
) -> tuple[contexts.PliegoProcess, list[Pliego]]:
    """``pliegos_for_process`` for a process already read for ``user`` through
    ``tender_get_for_user`` (``private`` is what that returned), as a list read by SQL built
    once per process (the process page's panel)."""
    process = contexts.pliego_process_of(user=user, tender=tender, private=private)
    city_side = process.is_officer or process.is_legal
    return process, (_city_side_versions if city_side else _public_versions)(process.id)


def pliego_get_for_user(*, user, process_id, pk) -> tuple[contexts.PliegoProcess, Pliego]:
    """One version the user may read; missing, of another process and not-yours alike 404."""
    process = contexts.pliego_process_for_user(user=user, process_id=process_id)
    try:
        return process, _visible(process).get(pk=pk)
    except (Pliego.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Pliego not found.")) from error


def pliegos_public(*, process_id: int) -> list[Pliego]:
    """The published versions of a public process, for the portal and open data."""
    return _public_versions(process_id)

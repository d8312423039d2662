"""Reads of a process's pliegos for a user: what is published for anyone who may see the
process (free, direct and complete access, LCSP art. 138.1), drafts and approved versions for
the city's officers and legal team only."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from documents import context as contexts
from documents.models import Pliego
from procurement.core.exceptions import NotFound

PUBLIC_STATUSES = (Pliego.Status.PUBLISHED, Pliego.Status.SUPERSEDED)


def _visible(process: contexts.PliegoProcess) -> QuerySet[Pliego]:
    pliegos = Pliego.objects.filter(tender_id=process.id).select_related("amends")
    if process.is_officer or process.is_legal:
        return pliegos
    # A superseded version that was never published (a draft replaced before approval) stays
    # inside the city.
    return pliegos.filter(status__in=PUBLIC_STATUSES, published_at__isnull=False)


def pliegos_for_process(*, user, process_id) -> tuple[contexts.PliegoProcess, QuerySet[Pliego]]:
    """The process (the same ``NotFound`` for missing and not-yours) and its pliegos the user
    may read, by kind and newest version first."""
    process = contexts.pliego_process_for_user(user=user, process_id=process_id)
    return process, _visible(process).order_by("kind", "-number")


def pliegos_of_process(
    *, user, tender, private: bool
) -> tuple[contexts.PliegoProcess, QuerySet[Pliego]]:
    """``pliegos_for_process`` for a process already read for ``user`` through
    ``tender_get_for_user`` (``private`` is what that returned)."""
    process = contexts.pliego_process_of(user=user, tender=tender, private=private)
    return process, _visible(process).order_by("kind", "-number")


def pliego_get_for_user(*, user, process_id, pk) -> tuple[contexts.PliegoProcess, Pliego]:
    """One version the user may read; missing, of another process and not-yours alike 404."""
    process = contexts.pliego_process_for_user(user=user, process_id=process_id)
    try:
        return process, _visible(process).get(pk=pk)
    except (Pliego.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Pliego not found.")) from error


def pliegos_public(*, process_id: int) -> list[Pliego]:
    """The published versions of a public process, for the portal and open data."""
    return list(
        Pliego.objects.filter(
            tender_id=process_id, status__in=PUBLIC_STATUSES, published_at__isnull=False
        )
        .select_related("amends")
        .order_by("kind", "-number")
    )

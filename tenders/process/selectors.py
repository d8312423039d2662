"""Reads on CPI processes for a given user.

A process is private to its city until it is first published (early demand map, consultation or
tender notice); after that anyone may read its public face. What only the city sees (history,
actions, file reports) needs ``tenders.view_tender`` on the process.
"""

import datetime as dt
import re

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from procurement.accounts.models import Membership
from procurement.core.audit import audit_history
from procurement.core.compiled import KeptQueries
from procurement.core.exceptions import NotFound
from procurement.core.ids import id_from_text
from procurement.core.permissions import annotate_object_perm, grants_q, objects_for_user
from tenders.procedures import STATE_BY_NAME
from tenders.process.models import Notification, Tender

_KEPT = KeptQueries()


def _base() -> QuerySet[Tender]:
    return Tender.objects.select_related("city")


def tenders_private_for_user(user) -> QuerySet[Tender]:
    return objects_for_user(user, "tenders.view_tender", _base())


def tender_list_for_user(
    *,
    user,
    status: str = "",
    procedure: str = "",
    city: str = "",
    public_only: bool = False,
    **search,
) -> QuerySet[Tender]:
    """The processes ``user`` may read: their cities' processes and every published one,
    narrowed by ``search`` (``tender_search``'s keywords)."""
    queryset = tender_search(_base(), procedure=procedure, city=city, **search)
    public = Q(first_published_at__isnull=False)
    if public_only or not user.is_authenticated:
        queryset = queryset.filter(public)
    elif not user.is_superuser:
        grants = grants_q(user, "tenders.view_tender", Tender)
        assert grants is not None  # Tender has direct-FK permission tables
        queryset = queryset.filter(public | grants)
    if status:
        queryset = queryset.filter(status__in=[s for s in status.split(",") if s])
    return queryset.order_by("-created_at", "-pk")


def cpv_digits(code: str) -> str:
    """``72000000-5`` → ``72``; ``7231`` → ``7231``: the digits of a CPV code or prefix that
    matter for matching (``""`` when it has none)."""
    digits = re.sub(r"\D", "", str(code).split("-")[0])
    stripped = digits.rstrip("0")
    return stripped if len(stripped) >= 2 else digits[:2]


def tender_search(
    queryset: QuerySet[Tender],
    *,
    text: str = "",
    cpv: str = "",
    stage: str = "",
    procedure: str = "",
    city: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Tender]:
    """``queryset`` narrowed to the processes whose title, description or reference (the
    process number, ``123`` or ``#123``) holds ``text``; with a CPV code starting with ``cpv``;
    in ``stage``; of ``procedure``; of ``city`` (its id or slug); dated (published, or recorded when not published yet) between ``date_from``
    and ``date_to``, both days included, in the server's time zone."""
    text = text.strip()
    if text:
        match = Q(title__icontains=text) | Q(description__icontains=text)
        number = id_from_text(text.lstrip("#"))
        if number is not None:
            match |= Q(pk=number)
        queryset = queryset.filter(match)
    prefix = cpv_digits(cpv) if cpv.strip() else ""
    if prefix:
        # The codes are a JSON list of strings: a code that starts with the prefix appears in
        # its text as a quote followed by the prefix.
        queryset = queryset.annotate(cpv_text=Cast("cpv_codes", TextField())).filter(
            cpv_text__contains=f'"{prefix}'
        )
    if stage:
        queryset = queryset.filter(
            status__in=[name for name, state in STATE_BY_NAME.items() if state.stage == stage]
        )
    if procedure:
        queryset = queryset.filter(procedure=procedure)
    if city:
        city_id = id_from_text(city)
        queryset = (
            queryset.filter(city__pk=city_id)
            if city_id is not None
            else queryset.filter(city__slug=city)
        )
    if date_from is not None:
        queryset = queryset.filter(
            Q(first_published_at__date__gte=date_from)
            | Q(first_published_at__isnull=True, created_at__date__gte=date_from)
        )
    if date_to is not None:
        queryset = queryset.filter(
            Q(first_published_at__date__lte=date_to)
            | Q(first_published_at__isnull=True, created_at__date__lte=date_to)
        )
    return queryset


def tender_get_for_user(*, user, pk) -> tuple[Tender, bool]:
    """The process and whether ``user`` may see its private side. Missing and not-yours raise
    the same ``NotFound``."""
    try:
        number = int(pk)
    except (ValueError, TypeError) as error:
        raise NotFound(_not_found()) from error
    # The SQL (the user's grants on the process, read with it) is built once per user.
    found = _KEPT.rows(
        ("tender-for-user", user.pk, user.is_authenticated, user.is_active, user.is_superuser),
        lambda pk: annotate_object_perm(
            user, "tenders.view_tender", _base(), "private_to_user"
        ).filter(pk=pk),
        (number,),
        (int,),
    )
    if not found:
        raise NotFound(_not_found())
    tender = found[0]
    private = bool(tender.private_to_user)  # type: ignore[attr-defined]
    if not private and not tender.is_public:
        raise NotFound(_not_found())
    return tender, private


def tender_get_private_for_user(*, user, pk) -> Tender:
    tender, private = tender_get_for_user(user=user, pk=pk)
    if not private:
        raise NotFound(_not_found())
    return tender


def tender_history(*, tender: Tender):
    return audit_history(tender)


def _not_found() -> str:
    from django.utils.translation import gettext as _

    return _("Process not found.")


# --- the bidders' inbox ------------------------------------------------------------------------


def notifications_for_user(*, user) -> QuerySet[Notification]:
    """The notifications to the suppliers ``user`` represents, newest first; none for others."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(
            supplier__memberships__user=user,
            supplier__memberships__role=Membership.Role.REPRESENTATIVE,
        )
        .select_related("tender__city", "supplier")
        .distinct()
        .order_by("-sent_at", "-pk")
    )


def notification_get_for_user(*, user, pk) -> Notification:
    """One notification to ``user``'s supplier; missing and someone else's raise the same
    ``NotFound``."""
    try:
        return notifications_for_user(user=user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError) as error:
        from django.utils.translation import gettext as _

        raise NotFound(_("Notification not found.")) from error


def notifications_of_tender(*, tender: Tender) -> QuerySet[Notification]:
    """Every notification of a process, for its city's file (the evidence of each)."""
    return tender.notifications.select_related("supplier", "tender__city").order_by("-sent_at")

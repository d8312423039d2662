"""Reads on special appeals for a user: the appellant supplier reads its own, the city's people
read the appeals against their processes; missing and not-yours give the same 404."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from procurement.accounts.models import Membership
from procurement.core.exceptions import NotFound
from tenders.appeals.models import Appeal, AppealDocument
from tenders.process.models import Tender
from tenders.process.selectors import tenders_private_for_user


def _visible_q(user) -> Q:
    own = Q(
        supplier__memberships__user=user,
        supplier__memberships__role=Membership.Role.REPRESENTATIVE,
    )
    if user.is_superuser:
        return Q()
    return own | Q(tender__in=tenders_private_for_user(user).values("pk"))


def appeals_for_user(*, user, tender: Tender | None = None) -> QuerySet[Appeal]:
    """The appeals ``user`` may read (of ``tender`` only, when given), newest first."""
    if not user.is_authenticated:
        return Appeal.objects.none()
    queryset = Appeal.objects.filter(
        pk__in=Appeal.objects.filter(_visible_q(user)).values("pk")
    ).select_related("tender__city", "supplier")
    if tender is not None:
        queryset = queryset.filter(tender=tender)
    return queryset.prefetch_related("documents").order_by("-lodged_at", "-pk")


def appeal_get_for_user(*, user, pk) -> Appeal:
    try:
        return appeals_for_user(user=user).get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("Appeal not found.")) from error


def appeal_document_get_for_user(*, user, pk) -> AppealDocument:
    if not user.is_authenticated:
        raise NotFound(_("File not found."))
    try:
        return AppealDocument.objects.select_related("appeal").get(
            pk=pk, appeal__in=Appeal.objects.filter(_visible_q(user)).values("pk")
        )
    except (AppealDocument.DoesNotExist, ValueError, TypeError) as error:
        raise NotFound(_("File not found.")) from error

"""Suppliers' subscriptions, and who is told when a consultation opens or is about to close."""

import re

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from procurement.accounts.models import City, Membership, Supplier, User
from procurement.core.exceptions import ApplicationError, NotFound
from tenders.consultation.models import Consultation, SupplierSubscription


def cpv_prefix(code: str) -> str:
    """``72000000-5`` → ``72``; ``7231`` → ``7231``: the digits that matter for matching."""
    digits = re.sub(r"\D", "", code.split("-")[0])
    stripped = digits.rstrip("0")
    return stripped if len(stripped) >= 2 else digits[:2]


@transaction.atomic
def subscription_save(
    *, actor: User, supplier: Supplier, cpv_prefixes: list[str], cities: list[City], email: str = ""
) -> SupplierSubscription:
    if not Membership.objects.filter(
        user=actor, supplier=supplier, role=Membership.Role.REPRESENTATIVE
    ).exists():
        raise NotFound(_("Supplier not found."))
    prefixes = []
    for raw in cpv_prefixes:
        prefix = cpv_prefix(str(raw))
        if not prefix.isdigit() or len(prefix) < 2:
            raise ApplicationError(
                _("“%(code)s” is not a CPV code or prefix (e.g. 72 or 72000000-5).")
                % {"code": raw},
                extra={"field": "cpv_prefixes"},
            )
        prefixes.append(prefix)
    subscription, _created = SupplierSubscription.objects.update_or_create(
        supplier=supplier, defaults={"cpv_prefixes": sorted(set(prefixes)), "email": email.strip()}
    )
    subscription.cities.set(cities)
    return subscription


def subscriptions_matching(consultation: Consultation) -> QuerySet[SupplierSubscription]:
    """Subscriptions a consultation matches: by CPV prefix and by city (empty means any)."""
    codes = consultation.cpv_codes or consultation.tender.cpv_codes
    return _matching(city_id=consultation.tender.city_id, codes=codes)


def subscriptions_for_process(tender) -> QuerySet[SupplierSubscription]:
    """Subscriptions a process's tender notice matches, as a consultation's would."""
    return _matching(city_id=tender.city_id, codes=tender.cpv_codes or [])


def _matching(*, city_id: int, codes: list[str]) -> QuerySet[SupplierSubscription]:
    digits = [re.sub(r"\D", "", code.split("-")[0]) for code in codes]
    matching = []
    for subscription in SupplierSubscription.objects.prefetch_related("cities"):
        cities = {c.pk for c in subscription.cities.all()}
        if cities and city_id not in cities:
            continue
        prefixes = subscription.cpv_prefixes
        if prefixes and not any(d.startswith(p) for d in digits for p in prefixes):
            continue
        matching.append(subscription.pk)
    return SupplierSubscription.objects.filter(pk__in=matching).select_related("supplier")


def supplier_addresses(
    supplier: Supplier, subscription: SupplierSubscription | None = None
) -> list[str]:
    if subscription is not None and subscription.email:
        return [subscription.email]
    return list(
        User.objects.filter(
            memberships__supplier=supplier, memberships__role=Membership.Role.REPRESENTATIVE
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )


def supplier_representative_ids(supplier_ids) -> dict[int, list[int]]:
    """The users who speak for each of ``supplier_ids``, by supplier (for in-app messages)."""
    users: dict[int, list[int]] = {}
    for supplier_id, user_id in Membership.objects.filter(
        supplier_id__in=list(supplier_ids), role=Membership.Role.REPRESENTATIVE
    ).values_list("supplier_id", "user_id"):
        users.setdefault(supplier_id, []).append(user_id)
    return users

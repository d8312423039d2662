"""Reads on the parties for a given user."""

from django.db.models import Prefetch, Q, QuerySet

from procurement.accounts.models import City, Membership, Network, Supplier, User
from procurement.core.permissions import object_get_for_user


def city_get_for_user(*, user, city_id: int) -> City:
    """A city's private workspace; the same ``NotFound`` for missing and not the user's."""
    return object_get_for_user(user, "accounts.view_city_workspace", City.objects.all(), pk=city_id)


def supplier_get_for_user(*, user, supplier_id: int) -> Supplier:
    return object_get_for_user(
        user, "accounts.view_supplier_workspace", Supplier.objects.all(), pk=supplier_id
    )


def organisation_members(*, organisation: City | Supplier | Network) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("role", "user__username")


def user_memberships(*, user: User) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(user.memberships.select_related("city", "supplier", "network").order_by("id"))


def user_cities(*, user: User, roles: tuple[str, ...] = ()) -> QuerySet[City]:
    """The cities the user acts for, optionally only in some roles."""
    memberships = Membership.objects.filter(user=user, city__isnull=False)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return City.objects.filter(pk__in=memberships.values("city_id"))


def public_cities() -> QuerySet[City]:
    return City.objects.prefetch_related(
        Prefetch("networks", queryset=Network.objects.order_by("name"))
    ).order_by("name")


def api_tokens_of_user(*, user):
    """The user's API tokens that have not expired, newest first."""
    from django.db.models import Q
    from django.utils import timezone
    from knox.models import AuthToken

    return AuthToken.objects.filter(
        Q(expiry__isnull=True) | Q(expiry__gte=timezone.now()), user=user
    ).order_by("-created", "token_key")


def registration_token_hash(token: str) -> str:
    """How the secret of a registration link is stored: its SHA-256, never the secret."""
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def registration_requests_pending(*, token: str, now=None):
    """The registration request whose e-mailed link holds ``token``, if it is neither
    confirmed nor expired (``settings.REGISTRATION_LINK_HOURS``)."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from procurement.accounts.models import RegistrationRequest

    now = now or timezone.now()
    return RegistrationRequest.objects.filter(
        token_hash=registration_token_hash(token),
        confirmed_at__isnull=True,
        created_at__gte=now - dt.timedelta(hours=settings.REGISTRATION_LINK_HOURS),
    ).exclude(token_hash="")


CITY_RESULTS = 20  # answers a city picker shows at most


def city_search(query: str, *, limit: int = CITY_RESULTS) -> list[dict]:
    """Member cities whose name holds ``query`` (any case), by name: ``{"id", "name"}``."""
    text = " ".join((query or "").split())[:100]
    if len(text) < 2:
        return []
    return [
        {"id": pk, "name": name}
        for pk, name in City.objects.filter(name__icontains=text)
        .order_by("name", "pk")
        .values_list("pk", "name")[:limit]
    ]


def cities_by_names(names: list[str]) -> tuple[list[int], list[str]]:
    """The ids of the cities named in ``names`` (any case), and every name that matches no city
    or more than one (a person then picks from the list rather than guessing)."""
    wanted = [name.strip() for name in names if name.strip()]
    if not wanted:
        return [], []
    query = Q()
    for name in wanted:
        query |= Q(name__iexact=name)
    by_name: dict[str, list[int]] = {}
    for pk, name in City.objects.filter(query).values_list("pk", "name"):
        by_name.setdefault(name.casefold(), []).append(pk)
    ids, unmatched = [], []
    for name in wanted:
        found = by_name.get(name.casefold(), [])
        if len(found) == 1:
            ids.append(found[0])
        else:
            unmatched.append(name)
    return ids, unmatched

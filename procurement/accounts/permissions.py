"""Per-organisation groups and the object permissions each role holds.

Every organisation has one ``auth.Group`` per role, named ``<kind>:<pk>:<role>``. Memberships add
users to those groups; objects owned by an organisation grant permissions to its groups. Nobody but
the superuser holds a global permission.
"""

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import Group
from django.db import models
from guardian.shortcuts import assign_perm

from procurement.accounts.models import City, Membership, Network, Supplier
from procurement.core.audit import audit_record
from procurement.core.models import AuditEntry

Organisation = City | Supplier | Network

# What each role holds on its own organisation's record.
ORGANISATION_PERMISSIONS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    Membership.Kind.CITY: {
        Membership.Role.OFFICER: ("accounts.view_city_workspace",),
        Membership.Role.LEGAL: ("accounts.view_city_workspace",),
        Membership.Role.COMMITTEE: ("accounts.view_city_workspace",),
        Membership.Role.ADMIN: ("accounts.view_city_workspace", "accounts.manage_city_members"),
    },
    Membership.Kind.SUPPLIER: {
        Membership.Role.REPRESENTATIVE: (
            "accounts.view_supplier_workspace",
            "accounts.manage_supplier_members",
        ),
    },
    Membership.Kind.NETWORK: {
        Membership.Role.COORDINATOR: ("accounts.view_network_workspace",),
    },
}


def organisation_kind(organisation: Organisation) -> str:
    if isinstance(organisation, City):
        return Membership.Kind.CITY
    if isinstance(organisation, Supplier):
        return Membership.Kind.SUPPLIER
    if isinstance(organisation, Network):
        return Membership.Kind.NETWORK
    raise TypeError(f"not an organisation: {organisation!r}")


def role_group_name(*, kind: str, pk: int, role: str) -> str:
    return f"{kind}:{pk}:{role}"


def role_group(*, organisation: Organisation, role: str) -> Group:
    kind = organisation_kind(organisation)
    if role not in Membership.ROLES_BY_KIND[kind]:
        raise ValueError(f"{role!r} is not a role of a {kind}")
    group, _ = Group.objects.get_or_create(
        name=role_group_name(kind=kind, pk=organisation.pk, role=role)
    )
    return group


def grant_to_roles(
    *,
    obj: models.Model,
    organisation: Organisation,
    perms_by_role: Mapping[str, Iterable[str]],
    actor=None,
    reason: str = "",
    at=None,
) -> None:
    """Grant object permissions on ``obj`` to the role groups of ``organisation``; audit it (at
    ``at``, by default now)."""
    granted: dict[str, list[str]] = {}
    for role, perms in perms_by_role.items():
        group = role_group(organisation=organisation, role=role)
        for perm in perms:
            assign_perm(perm, group, obj)
            granted.setdefault(group.name, []).append(perm)
    if granted:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.GRANT,
            target=obj,
            name="grant",
            reason=reason,
            data={"groups": granted},
            at=at,
        )


def organisation_grant_own_permissions(*, organisation: Organisation, actor=None) -> None:
    """Give each role of a new organisation its permissions on the organisation's own record."""
    grant_to_roles(
        obj=organisation,
        organisation=organisation,
        perms_by_role=ORGANISATION_PERMISSIONS[organisation_kind(organisation)],
        actor=actor,
        reason="organisation created",
    )

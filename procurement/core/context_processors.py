"""What the base layout needs to build the navigation for the user's role."""


def organisation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_membership": None, "nav_roles": set()}
    memberships = user.memberships_seen  # read once with the primary membership
    primary = user.primary_membership
    roles = {m.role for m in memberships if primary and m.organisation == primary.organisation}
    return {"nav_membership": primary, "nav_memberships": memberships, "nav_roles": roles}

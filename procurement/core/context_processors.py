"""What the base layout needs to build the navigation for the user's role."""

from django.utils.functional import SimpleLazyObject


def organisation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_membership": None, "nav_roles": set()}
    from procurement.core.inapp import inapp_unread_count

    memberships = user.memberships_seen  # read once with the primary membership
    primary = user.primary_membership
    roles = {m.role for m in memberships if primary and m.organisation == primary.organisation}
    return {
        "nav_membership": primary,
        "nav_memberships": memberships,
        "nav_roles": roles,
        # Read only when a page draws the header (one count on an index).
        "nav_unread": SimpleLazyObject(lambda: inapp_unread_count(user=user)),
    }

"""The officers' banner when background work has stalled."""

from django.core.cache import cache

BANNER_ROLES = {"officer", "admin"}
CACHE_SECONDS = 30


def background_banner(request) -> dict:
    """``background_problems``: why background work is stalled, for officers, city
    administrators and staff; empty otherwise. Checked at most every 30 s per process."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not user.is_staff and not any(
        m.role in BANNER_ROLES for m in getattr(user, "memberships_seen", ())
    ):
        return {}
    problems = cache.get("workflows:background-problems")
    if problems is None:
        from workflows.health import background_status

        problems = background_status().problems
        cache.set("workflows:background-problems", problems, CACHE_SECONDS)
    return {"background_problems": problems}

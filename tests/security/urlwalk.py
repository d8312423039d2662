"""Every URL pattern of the project, read from Django's resolver, for the permission matrix."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Left out of the matrix, with the reason:
SKIPPED_PREFIXES = {
    # Django's admin has its own staff-only permission system, tested by Django itself.
    "admin/": "Django admin: staff only, Django's own permission checks",
    # set_language only stores a language choice in the session or a cookie; it reads nothing.
    "i18n/": "the language switch (core.views.language_set): a cookie, no data",
    # Static and media files are served by the web server in production, not by a view.
    "static/": "static files",
    "media/": "media files (private uploads are served through views in the matrix)",
}


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {route}>"
            yield Endpoint(name, route, tuple(pattern.pattern.regex.groupindex))


def endpoints() -> list[Endpoint]:
    """Every named URL pattern outside ``SKIPPED_PREFIXES``, in URLconf order."""
    found = []
    for endpoint in _walk(get_resolver().url_patterns):
        route = endpoint.route.lstrip("^")
        if any(route.startswith(prefix) for prefix in SKIPPED_PREFIXES):
            continue
        found.append(endpoint)
    return found

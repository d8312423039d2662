"""Whole-page cache of the public portal, for visitors who are not logged in.

A portal page shows only published data and is the same for every anonymous visitor, so it is
rendered once and served from the cache until the data changes. "The data changes" is read from
the audit log (``procurement.core.audit.data_version``): the id of the newest audit row is part
of the cache key; the first request after a write renders the page again. A change that is not
audited (an administrator renaming a city in the admin site) shows within
``PUBLIC_PAGE_SECONDS``.

Not cached: logged-in users (the page carries their name and menu), anything but GET and HEAD,
a request with messages to show, and any answer other than 200.

Each visitor still gets a CSRF token of their own (the language form and htmx send it): the page
is stored with a placeholder in its place and the placeholder is replaced when it is served.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from procurement.core.audit import data_version

PUBLIC_PAGE_SECONDS = 60
CSRF_PLACEHOLDER = "opencpi-public-page-csrf-token-placeholder"
_RENDERING = "_opencpi_public_page_rendering"


def public_page(view):
    """Decorate a portal view whose page depends only on the URL, the language and published
    data."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = cache.get(key)
        if stored is None:
            setattr(request, _RENDERING, True)
            try:
                response = view(request, *args, **kwargs)
            finally:
                delattr(request, _RENDERING)
            if response.status_code != 200 or response.streaming:
                return response
            stored = (response["Content-Type"], response.content)
            cache.set(key, stored, PUBLIC_PAGE_SECONDS)
        content_type, content = stored
        return HttpResponse(
            content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode()),
            content_type=content_type,
        )

    return wrapper


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a public page is rendered for the cache, its CSRF token is the
    placeholder that each visitor's own token replaces."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, _RENDERING, False) else {}


def _cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    storage = getattr(request, "_messages", None)
    return storage is None or not len(storage)


def _key(request: HttpRequest) -> str:
    htmx = "htmx" if request.headers.get("HX-Request") == "true" else "page"
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-page:{data_version()}:{get_language()}:{htmx}:{path}"

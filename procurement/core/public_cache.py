"""Whole-page caches keyed on the data version: the public portal's pages for visitors who are
not logged in (``public_page``), and the busiest pages of a logged-in user, for that user alone
(``user_page``).

A portal page shows only published data and is the same for every anonymous visitor, so it is
rendered once and served from the cache until the data changes. "The data changes" is read from
the audit log (``procurement.core.audit.data_version``): the id of the newest audit row is part
of the cache key; the first request after a write renders the page again. A change that is not
audited (an administrator renaming a city in the admin site) shows within
``PUBLIC_PAGE_SECONDS``.

A user's page (the process list, a process, the consultations, the template library) is kept
the same way for that user, in that language and time zone: the next audited write anywhere
renders it again, and anything else that changes it (a deadline passing, an in-app message
the worker writes after the step, a grant changed in the admin site) shows within
``USER_PAGE_SECONDS``. What the user may do is still checked when they do it.

``settings.PAGE_CACHE`` off caches nothing (the query-count tests and the benchmark's counts
measure the pages as rendered). Not cached: anything but GET and HEAD, a request with messages to show, and any answer other
than a plain 200 (one that sets a cookie or a header of its own, htmx's say, is not kept).

Each visitor still gets a CSRF token of their own (the language form, the forms of a process's
steps and htmx send it): the page is stored with a placeholder in its place and the placeholder
is replaced when it is served.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from procurement.core.audit import data_version

PUBLIC_PAGE_SECONDS = 60
USER_PAGE_SECONDS = 30
CSRF_PLACEHOLDER = "opencpi-public-page-csrf-token-placeholder"
_RENDERING = "_opencpi_public_page_rendering"


def public_page(view):
    """Decorate a portal view whose page depends only on the URL, the language and published
    data."""
    return _cached(view, key=_public_key, seconds=PUBLIC_PAGE_SECONDS)


def user_page(view):
    """Decorate a logged-in user's page that depends only on the URL, the language, the user's
    time zone and what the user may read. Anonymous visitors pass through (``public_page``)."""
    return _cached(view, key=_user_key, seconds=USER_PAGE_SECONDS)


def _cached(view, *, key, seconds: int):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        name = key(request) if _cacheable(request) else None
        if name is None:
            return view(request, *args, **kwargs)
        stored = cache.get(name)
        if stored is None:
            setattr(request, _RENDERING, True)
            try:
                response = view(request, *args, **kwargs)
            finally:
                delattr(request, _RENDERING)
            if (
                response.status_code != 200
                or response.streaming
                or response.cookies
                or set(response.headers) - {"Content-Type"}
            ):
                return _with_token(request, response)
            stored = (response["Content-Type"], response.content)
            cache.set(name, stored, seconds)
        content_type, content = stored
        return HttpResponse(
            content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode()),
            content_type=content_type,
        )

    return wrapper


def _with_token(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A page rendered for the cache but not kept: its placeholder gets the visitor's token."""
    if not response.streaming and CSRF_PLACEHOLDER.encode() in response.content:
        response.content = response.content.replace(
            CSRF_PLACEHOLDER.encode(), get_token(request).encode()
        )
    return response


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: while a public page is rendered for the cache, its CSRF token is the
    placeholder that each visitor's own token replaces."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, _RENDERING, False) else {}


def _cacheable(request: HttpRequest) -> bool:
    if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    storage = getattr(request, "_messages", None)
    return storage is None or not len(storage)


def _public_key(request: HttpRequest) -> str | None:
    if request.user.is_authenticated:
        return None
    return f"public-page:{data_version()}:{_page(request)}"


def _user_key(request: HttpRequest) -> str | None:
    if not request.user.is_authenticated:
        return None
    zone = timezone.get_current_timezone_name()
    return f"user-page:{data_version()}:{request.user.pk}:{zone}:{_page(request)}"


def _page(request: HttpRequest) -> str:
    htmx = "htmx" if request.headers.get("HX-Request") == "true" else "page"
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{get_language()}:{htmx}:{path}"

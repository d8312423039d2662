"""Whole-page caches keyed on the data version: the public portal's pages for visitors who are
not logged in (``public_page``), the busiest pages of a logged-in user, for that user alone
(``user_page``), and the busiest API reads, for their caller alone (``user_read``).

A portal page shows only published data and is the same for every anonymous visitor, so it is
rendered once and served from the cache until the data changes. "The data changes" is read from
the audit log (``procurement.core.audit.data_version``): the id of the newest audit row is part
of the cache key; the first request after a write renders the page again. The version is read
at most once every ``PUBLIC_VERSION_SECONDS`` by each process, so a served page costs no query:
a write shows on the portal at once in the process that made it and within that second in the
others. A change that is not audited (an administrator renaming a city in the admin site)
shows within ``PUBLIC_PAGE_SECONDS``.

A user's page (the process list, a process, the consultations, the template library) is kept
the same way for that user, in that language and time zone: the next audited write anywhere
renders it again, and anything else that changes it (a deadline passing, an in-app message
the worker writes after the step, a grant changed in the admin site) shows within
``USER_PAGE_SECONDS``. What the user may do is still checked when they do it.

An API read (a process, the lists of processes, consultations and templates) is kept the same
way for its caller (a token's user, a session's user, or anyone without either), in the JSON it
was answered in: a client that reads back what it has just written gets it at once, since the
write appended an audit row. Only JSON answers are kept (not the browsable API's pages, which
carry the visitor's CSRF token).

``settings.PAGE_CACHE`` off caches nothing (the query-count tests and the benchmark's counts
measure the pages as rendered). Not cached: anything but GET and HEAD, a request with messages to show, and any answer other
than a plain 200 (one that sets a cookie or a header of its own, htmx's say, is not kept).

A page that carries a CSRF token (a logged-in user's: the forms of a process's steps, the log
out form and htmx send it) is stored with a placeholder in its place, replaced by the user's
own token when it is served. A visitor's portal page carries none: its only form, the
language's, is accepted from this site without one (``core.views.language_set``).

Parts of a page that depend on a few rows only (the portal's cities, a list's rows) are kept
under a digest of those rows' content (``content_digest`` and Django's ``{% cache %}``): read on
every render, they are drawn again only when what they show changes, not after every write.

A visitor who brings no session and no message cookie (a first visit, a crawler, a feed reader)
is served a kept portal page by ``KeptPageMiddleware``, near the top of the middleware stack,
before authentication, the second factor, messages and the URL resolver run: with the headers
the rest of the stack gave the page when it was rendered. Such a request is anonymous and has
no message to show, so nothing those layers do could change its answer; a visitor with a
session (logged in, or with a message waiting) goes the whole way.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from rest_framework.request import Request
from rest_framework.response import Response

from procurement.core.audit import data_version
from procurement.core.middleware import is_api, messages_may_wait

PUBLIC_PAGE_SECONDS = 60
# How late a portal page may show a write made by another process (a web worker, the worker):
# its key's data version is read from the database at most this often per process.
PUBLIC_VERSION_SECONDS = 1.0
USER_PAGE_SECONDS = 30


def content_digest(*parts) -> str:
    """A digest of ``parts`` (plain values: texts, numbers, dates, tuples and lists of them),
    for keying a fragment drawn from them and from nothing else but the language. Every value
    the fragment shows must be among ``parts``: a value left out would be shown stale."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


CSRF_PLACEHOLDER = "opencpi-public-page-csrf-token-placeholder"
_RENDERING = "_opencpi_public_page_rendering"
_KEPT = "_opencpi_public_page_kept"
_VERSION = "_opencpi_public_version"
_EXACT_VERSION = "_opencpi_data_version"
# What the middleware under KeptPageMiddleware add to a kept page, stored beside it; the
# cookies (CSRF's) and the length are the outer middleware's and the server's business.
_NOT_KEPT_HEADERS = {"Content-Type", "Content-Length", "Set-Cookie"}


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
        setattr(request, _KEPT, (name, stored))
        return _served(request, stored)

    return wrapper


def _served(request: HttpRequest, stored: tuple) -> HttpResponse:
    content_type, content, *headers = stored
    if CSRF_PLACEHOLDER.encode() in content:
        content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    response = HttpResponse(content, content_type=content_type)
    for header, value in headers[0] if headers else ():
        response.headers[header] = value
    return response


class KeptPageMiddleware:
    """Serve a kept portal page to a visitor without a session or a message cookie, before the
    rest of the stack runs (see the module's docstring). Put it right under Django's CSRF
    middleware, which gives the visitor a token: what is above it runs for such a page as for
    any other; what is under it ran once, when the page was rendered, and its headers are
    stored with the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._fast(request):
            return self.get_response(request)
        # Keyed without the data version, which is stored with the page: a path no page is
        # kept for costs a cache miss here, never a query.
        name = f"public-whole:{_page(request)}"
        stored = cache.get(name)
        if stored is not None and stored[0] == _public_version(request):
            response = _served(request, stored[1:])
            # What a page is depends on the session (a logged-in user's is another), which the
            # session middleware says when the page reads it; this one did not need to.
            patch_vary_headers(response, ("Cookie",))
            return response
        response = self.get_response(request)
        kept = getattr(request, _KEPT, None)
        if (
            kept is not None
            and kept[0] == _public_key(request)  # the version the page was rendered at
            and response.status_code == 200
            and not response.cookies
        ):
            headers = [(h, v) for h, v in response.items() if h not in _NOT_KEPT_HEADERS]
            cache.set(name, (_public_version(request), *kept[1], headers), PUBLIC_PAGE_SECONDS)
        return response

    @staticmethod
    def _fast(request: HttpRequest) -> bool:
        return (
            settings.PAGE_CACHE
            and request.method in ("GET", "HEAD")
            and not is_api(request)
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and CookieStorage.cookie_name not in request.COOKIES
        )


def user_read(get):
    """Decorate a DRF view's ``get``: its JSON answer is kept for the caller, in that language and
    time zone, until the next audited write or ``USER_PAGE_SECONDS``. A hit is answered once
    DRF has authenticated the caller and checked the view's permissions, without running the
    view. Put it under ``extend_schema``."""

    @wraps(get)
    def wrapper(view, request: Request, *args, **kwargs) -> HttpResponse:
        name = _read_key(request) if _read_cacheable(request) else None
        if name is None:
            return get(view, request, *args, **kwargs)
        stored = cache.get(name)
        if stored is None:
            response = get(view, request, *args, **kwargs)
            if (
                type(response) is not Response
                or response.status_code != 200
                or response.exception
                or response.cookies
                or set(response.headers) - {"Content-Type"}
            ):
                return response
            renderer = request.accepted_renderer
            content = renderer.render(
                response.data, request.accepted_media_type, view.get_renderer_context()
            )
            stored = (renderer.media_type, content)
            cache.set(name, stored, USER_PAGE_SECONDS)
        content_type, content = stored
        return HttpResponse(content, content_type=content_type)

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
    return not messages_may_wait(request) or not len(request._messages)


def _read_cacheable(request: Request) -> bool:
    return (
        settings.PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and getattr(request, "accepted_renderer", None) is not None
        and request.accepted_renderer.format == "json"
    )


def _public_key(request: HttpRequest) -> str | None:
    if request.user.is_authenticated:
        return None
    return f"public-page:{_public_version(request)}:{_page(request)}"


def _public_version(request: HttpRequest) -> int:
    """The data version a portal page is kept at, read once for the request."""
    version = getattr(request, _VERSION, None)
    if version is None:
        version = data_version(within=PUBLIC_VERSION_SECONDS)
        setattr(request, _VERSION, version)
    return version


def request_data_version(request: HttpRequest) -> int:
    """The data version (exact: ``audit.data_version``) as read once for ``request``: a user's
    page is kept at it, and what the page keeps of its own (``pending.stage_counts``) may key
    on it without asking the database again."""
    version = getattr(request, _EXACT_VERSION, None)
    if version is None:
        version = data_version()
        setattr(request, _EXACT_VERSION, version)
    return version


def _user_key(request: HttpRequest) -> str | None:
    if not request.user.is_authenticated:
        return None
    zone = timezone.get_current_timezone_name()
    return f"user-page:{request_data_version(request)}:{request.user.pk}:{zone}:{_page(request)}"


def _read_key(request: Request) -> str:
    who = request.user.pk if request.user.is_authenticated else 0
    zone = timezone.get_current_timezone_name()
    # An API token's read brought the data version with it (accounts.authentication).
    version = getattr(request.auth, "data_version", None)
    if version is None:
        version = data_version()
    return f"user-read:{version}:{who}:{zone}:{request.accepted_media_type}:{_page(request)}"


def _page(request: HttpRequest) -> str:
    htmx = "htmx" if request.headers.get("HX-Request") == "true" else "page"
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{get_language()}:{htmx}:{path}"

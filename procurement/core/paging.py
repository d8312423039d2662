"""Pages of a web list, read without counting the list (``partials/pager.html`` shows them).

``size + 1`` rows are read to know whether a next page exists: a ``COUNT(*)`` over a network's
hundred thousand processes on every page view made lists slower as data grew (issue #8).
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from procurement.core.compiled import KeptQueries

PAGE_SIZE = 25
MAX_PAGE = 100_000
_KEPT = KeptQueries()


@dataclass
class Pager:
    """One page of a list, read without counting the whole list."""

    rows: list[Any]
    number: int
    previous_url: str = ""
    next_url: str = ""

    @property
    def has_other_pages(self) -> bool:
        return bool(self.previous_url or self.next_url)


def page_rows(
    request,
    queryset: QuerySet | Callable[[], QuerySet],
    *,
    param: str = "page",
    size: int = PAGE_SIZE,
    kept: Hashable | None = None,
) -> Pager:
    """Page ``?<param>=`` of ``queryset`` (a malformed or missing number is page 1).

    ``queryset`` may be a function that builds it. With ``kept``, a key naming everything the
    queryset is built from (see ``KeptQueries``), each page's SQL is built once per process and
    key, and the queryset only when it is not kept yet."""
    try:
        number = max(1, min(int(request.GET.get(param, 1)), MAX_PAGE))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    stop = start + size + 1

    def build() -> QuerySet:
        return (queryset() if callable(queryset) else queryset)[start:stop]

    rows = list(build()) if kept is None else _KEPT.rows((kept, start, stop), build)
    pager = Pager(rows=rows[:size], number=number)

    def url(page: int) -> str:
        query = request.GET.copy()
        query[param] = str(page)
        return "?" + query.urlencode()

    if number > 1:
        pager.previous_url = url(number - 1)
    if len(rows) > size:
        pager.next_url = url(number + 1)
    return pager

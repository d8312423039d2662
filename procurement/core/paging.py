"""Pages of a web list, read without counting the list (``partials/pager.html`` shows them).

``size + 1`` rows are read to know whether a next page exists: a ``COUNT(*)`` over a network's
hundred thousand processes on every page view made lists slower as data grew (issue #8).
"""

from dataclasses import dataclass
from typing import Any

PAGE_SIZE = 25
MAX_PAGE = 100_000


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


def page_rows(request, queryset, *, param: str = "page", size: int = PAGE_SIZE) -> Pager:
    """Page ``?<param>=`` of ``queryset`` (a malformed or missing number is page 1)."""
    try:
        number = max(1, min(int(request.GET.get(param, 1)), MAX_PAGE))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
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

"""A user's work: what the home page shows after login.

Each app registers, at ready time, the sections of work it knows about (the processes' steps,
the clarifications to answer, the templates to review…): the parties and the home page live
below the apps and may not import them, so the apps come to the home page rather than the other
way round. A section reads a bounded number of rows (``WORK_ITEMS``) and counts the rest.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise

# The items a section lists on the home page; its count says how many there are in all.
WORK_ITEMS = 10


@dataclass
class WorkItem:
    """One thing to do: ``action`` on ``subject``, done at ``url``."""

    subject: str
    url: str
    action: str | Promise = ""
    detail: str | Promise = ""
    due: dt.datetime | None = None


@dataclass
class WorkSection:
    """A kind of work (``key``), its first items and how many there are in all."""

    key: str
    heading: str | Promise
    items: list[WorkItem] = field(default_factory=list)
    count: int = 0
    more_url: str = ""
    # Work that waits on the user (steps, answers owed) rather than things to look at (calls
    # matching the supplier's alerts, its bids): the home page counts only the former as "to do".
    to_do: bool = True


WorkProvider = Callable[..., list[WorkSection]]
_providers: list[WorkProvider] = []


def work_provider_register(provider: WorkProvider) -> WorkProvider:
    """Make ``provider(user=…)`` part of every user's home page (once; usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def work_for_user(*, user) -> list[WorkSection]:
    """The sections of work of ``user`` that hold anything, in the order the apps registered
    them; none for a visitor."""
    if not user.is_authenticated:
        return []
    sections: list[WorkSection] = []
    for provider in _providers:
        sections.extend(section for section in provider(user=user) if section.count)
    return sections

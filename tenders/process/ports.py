"""What a process needs from the award area built on top of it, provided when the app is ready.

The award area (bids, evaluation, awards) imports ``Tender``, while the procedure's guards read
the state of the bids and its transitions move the awards. So that the models never import
award services or evaluation, the award area registers an implementation of ``AwardArea`` in
``TendersConfig.ready()``, and ``Tender``'s methods reach it through ``award_area()``.
"""

import datetime as dt
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from workflows.calendars import WorkingCalendar


class AwardArea(Protocol):
    """The award area's reads and writes on one process (``tender``) that the engine needs."""

    def live_bid_count(self, tender: Any) -> int:
        """Submitted bids neither excluded nor rejected as abnormally low."""
        ...

    def evaluation_gaps(self, tender: Any) -> dict[str, str]:
        """What each evaluation step still misses, in words ("" when complete)."""
        ...

    def abnormal_candidate_count(self, tender: Any) -> int:
        """Offers presumed abnormally low by the PCAP's parameter (envelope C open)."""
        ...

    def ranking(self, tender: Any) -> list[int]:
        """Ids of the live admitted bids, best first (all lots)."""
        ...

    def awards_step(self, *, tender: Any, step: str, at: dt.datetime) -> None:
        """Move the live awards of every lot one step."""
        ...

    def abnormal_flag(self, *, tender: Any, at: dt.datetime, calendar: WorkingCalendar) -> None:
        """Flag the offers presumed abnormally low and ask their bidders to justify them."""
        ...

    def award_documents_missing(self, tender: Any) -> list[str]:
        """Lots whose proposed awardee, asked for its documents, has delivered none."""
        ...

    def notification_periods_restart(self, *, notification: Any) -> dt.datetime | None:
        """A bidder opened ``notification``: the period it gave runs from now (LCSP DA 15ª);
        the period's new end, or ``None``."""
        ...


_registered: dict[str, AwardArea] = {}


def award_area_register(area: AwardArea) -> None:
    """Make ``area`` the award area every process uses (called once, at app ready)."""
    _registered["award"] = area


def award_area() -> AwardArea:
    """The registered award area; refuses to guess when the tenders app is not ready."""
    try:
        return _registered["award"]
    except KeyError:
        raise ImproperlyConfigured(
            "No award area is registered: TendersConfig.ready() registers tenders.award.engine."
        ) from None

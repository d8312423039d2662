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


_registered: dict[str, Any] = {}


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


class PhaseArea(Protocol):
    """The phases area's reads and writes on one PCP or partnership (``tender``) that its
    transitions need (``tenders.phases.engine``). Every method is a no-op, or finds nothing
    missing, for a process whose call defines no phases."""

    def offers_open(self, *, tender: Any, at: dt.datetime) -> None:
        """The call closed: the suppliers whose offers were submitted become its applicants."""
        ...

    def contract_gaps(self, tender: Any, *, phase: int, suppliers: list[int]) -> list[str]:
        """What keeps the phase contracts of ``suppliers`` from being signed, in words."""
        ...

    def contracts_draft(
        self, *, tender: Any, phase: int, suppliers: list[int], at: dt.datetime
    ) -> None:
        """Draft the phase contracts of ``suppliers`` at their offered prices, for the officer
        to set their milestones and IPR terms before they are signed."""
        ...

    def contracts_sign(
        self, *, tender: Any, phase: int, suppliers: list[int], at: dt.datetime, ends_at
    ) -> None:
        """Sign the phase contracts of ``suppliers`` for ``phase`` (drafted when missing)."""
        ...

    def score_gaps(self, tender: Any, *, phase: int) -> list[str]:
        """Scores the committee still owes for the phase, in words."""
        ...

    def evaluation_record(self, *, tender: Any, phase: int, at: dt.datetime) -> None:
        """Total each supplier's scores for the phase and record who reached the thresholds."""
        ...

    def gate_gaps(self, tender: Any, *, phase: int, keep: list[int]) -> list[str]:
        """What keeps the gate after ``phase`` from keeping ``keep``, in words."""
        ...

    def gate_apply(self, *, tender: Any, phase: int, keep: list[int], at: dt.datetime) -> None:
        """Record who was kept at the gate and notify every supplier of the phase its scores."""
        ...

    def phase_count(self, tender: Any) -> int:
        """How many phases the call (or the partnership's descriptive document) defines."""
        ...

    def final_offer_gaps(self, tender: Any) -> list[str] | None:
        """The scores a partnership's final offers submitted on the platform still miss, in
        words; ``None`` when none was submitted there."""
        ...

    def partners_gaps(self, tender: Any, *, partners: list[int]) -> list[str]:
        """What keeps ``partners`` from being awarded the partnership, in words."""
        ...

    def purchase_gaps(self, tender: Any, *, supplier: int | None, amount: str | None) -> list[str]:
        """What keeps the purchase of ``supplier``'s results at ``amount``, in words."""
        ...


def phase_area_register(area: PhaseArea) -> None:
    """Make ``area`` the phases area every process uses (called once, at app ready)."""
    _registered["phases"] = area


def phase_area() -> PhaseArea:
    try:
        return _registered["phases"]
    except KeyError:
        raise ImproperlyConfigured(
            "No phases area is registered: TendersConfig.ready() registers tenders.phases.engine."
        ) from None

"""Working days per city: national, regional and local holidays, and the deadline calculator.

Días hábiles exclude Saturdays, Sundays and holidays (Ley 39/2015 art. 30.2). A deadline in days
ends at the end of its last day in the city's time zone and is stored in UTC. A calendar-day
deadline whose last day is not a working day moves to the next working day (LCSP DA 12ª).

``deadline_compute`` is the one place a period is counted: the engine's deadlines
(``WorkingCalendar.add_working_days`` / ``add_calendar_days``) and the calculator officers use
before typing a date (web and API) both call it, so they cannot disagree.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

import holidays as holidays_lib
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from procurement.accounts.models import City
from procurement.core.exceptions import ApplicationError
from workflows.models import CityHoliday

# A period longer than this is a typing error, and bounds the day-by-day count.
MAX_PERIOD_DAYS = 1000


class DayKind(StrEnum):
    WORKING = "working"  # días hábiles (Ley 39/2015 art. 30.2)
    CALENDAR = "calendar"  # días naturales, the LCSP's default (LCSP DA 12ª)


DAY_KIND_CHOICES = (
    (DayKind.CALENDAR.value, _lazy("calendar days")),
    (DayKind.WORKING.value, _lazy("working days")),
)


class Scope(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"
    LOCAL = "local"


# The languages the ``holidays`` package names Spanish holidays in, by Django language.
_HOLIDAY_LANGUAGES = {"es": "es", "en": "en_US", "ca": "ca"}


def _holiday_language() -> str | None:
    return _HOLIDAY_LANGUAGES.get((translation.get_language() or "")[:2])


@lru_cache(maxsize=512)
def _official_holidays(
    country: str, region: str, year: int, language: str | None = None
) -> dict[dt.date, str]:
    """The holidays of ``country`` (and ``region``, when given) in ``year``, with their names."""
    try:
        calendar = holidays_lib.country_holidays(
            country, subdiv=region or None, years=year, language=language
        )
    except NotImplementedError:
        return {}
    return dict(calendar.items())


@dataclass(frozen=True)
class SkippedDay:
    date: dt.date
    name: str
    scope: str  # Scope


@dataclass(frozen=True)
class Deadline:
    """A period counted on a city's calendar: when it ends and which holidays it went over.

    ``skipped`` lists the holidays that did not count (working days) or that the end moved over
    (calendar days, LCSP DA 12ª); ``moved_from`` is the calendar-day end before that move.
    """

    start: dt.date
    days: int
    kind: str
    end: dt.date
    end_at: dt.datetime
    skipped: list[SkippedDay] = field(default_factory=list)
    weekend_days_skipped: int = 0
    moved_from: dt.date | None = None
    legal_basis: str = ""


class WorkingCalendar:
    """A city's calendar; build one per operation (it caches the local holidays it reads)."""

    def __init__(self, city: City):
        self.city = city
        self.zone = zoneinfo.ZoneInfo(city.timezone)
        self._local: dict[dt.date, str] | None = None

    def _local_holidays(self) -> dict[dt.date, str]:
        if self._local is None:
            self._local = dict(
                CityHoliday.objects.filter(city_id=self.city.pk).values_list("date", "name")
            )
        return self._local

    def holiday(self, day: dt.date) -> SkippedDay | None:
        """The holiday ``day`` is in the city, with its name and whose it is, or ``None``."""
        language = _holiday_language()
        country, region = self.city.country, self.city.region
        # The region's calendar is the one that counts (a region may move a national holiday);
        # the country's alone tells which of its days are national.
        official = _official_holidays(country, region, day.year, language)
        if day in official:
            national = region == "" or day in _official_holidays(country, "", day.year, language)
            return SkippedDay(day, official[day], Scope.NATIONAL if national else Scope.REGIONAL)
        local = self._local_holidays()
        if day in local:
            return SkippedDay(day, local[day], Scope.LOCAL)
        return None

    def is_holiday(self, day: dt.date) -> bool:
        return (
            day in _official_holidays(self.city.country, self.city.region, day.year)
            or day in self._local_holidays()
        )

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """The last instant of ``day`` in the city, as an aware UTC datetime."""
        local = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=self.zone)
        return local.astimezone(dt.UTC)

    def deadline(self, start: dt.date, days: int, kind: str) -> Deadline:
        """``days`` days of ``kind`` counted from the day after ``start`` (day after = day 1).

        Working days skip weekends and holidays (Ley 39/2015 art. 30.2); a calendar-day period
        counts every day and, when its last day is not a working day, ends on the next working
        day (LCSP DA 12ª).
        """
        if kind not in (DayKind.WORKING, DayKind.CALENDAR):
            raise ValueError(f"unknown kind of days: {kind!r}")
        if not 0 <= days <= MAX_PERIOD_DAYS:
            raise ValueError(f"a period of 0 to {MAX_PERIOD_DAYS} days, not {days}")
        skipped: list[SkippedDay] = []
        weekend = 0

        def skip(day: dt.date) -> None:
            nonlocal weekend
            holiday = self.holiday(day)
            if holiday is not None:
                skipped.append(holiday)
            elif day.weekday() >= 5:
                weekend += 1

        day, moved_from = start, None
        if kind == DayKind.WORKING:
            counted = 0
            while counted < days:
                day += dt.timedelta(days=1)
                if self.is_working_day(day):
                    counted += 1
                else:
                    skip(day)
            basis = "Ley 39/2015 art. 30.2"
        else:
            day = start + dt.timedelta(days=days)
            if not self.is_working_day(day):
                moved_from = day
                while not self.is_working_day(day):
                    skip(day)
                    day += dt.timedelta(days=1)
            basis = "LCSP DA 12ª; Ley 39/2015 art. 30.5"
        return Deadline(
            start=start,
            days=days,
            kind=kind,
            end=day,
            end_at=self.end_of_day(day),
            skipped=skipped,
            weekend_days_skipped=weekend,
            moved_from=moved_from,
            legal_basis=basis,
        )

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The end of the ``days``-th working day after the day of ``start`` (day after = day 1)."""
        return self.deadline(self.local_date(start), days, DayKind.WORKING).end_at

    def add_calendar_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """``days`` calendar days from the day after ``start``; a non-working last day moves to
        the next working day (LCSP DA 12ª)."""
        return self.deadline(self.local_date(start), days, DayKind.CALENDAR).end_at

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working days strictly after the day of ``start`` up to and including that of ``end``."""
        day, last = self.local_date(start), self.local_date(end)
        count = 0
        while day < last:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def deadline_calculate(*, city: str, start: str, days: str, kind: str) -> tuple[City, Deadline]:
    """The calculator's question as typed (a city id, ``YYYY-MM-DD``, a whole number of days,
    ``working`` or ``calendar``), answered on that city's calendar.

    Raises ``ApplicationError`` naming the field for anything it cannot read: cities and their
    holidays are public, so an unknown city is bad input like any other.
    """

    def refuse(message: str, name: str) -> ApplicationError:
        return ApplicationError(message, extra={"field": name})

    try:
        city_id = int(city)
    except (TypeError, ValueError):
        raise refuse(_("Choose a city (its id)."), "city") from None
    found = City.objects.filter(pk=city_id).first()
    if found is None:
        raise refuse(_("There is no city %(id)s.") % {"id": city_id}, "city")
    try:
        first = dt.date.fromisoformat(str(start or "").strip())
    except ValueError:
        raise refuse(_("Give the start date as YYYY-MM-DD."), "start") from None
    if not 2000 <= first.year <= 2100:
        raise refuse(_("Give a start date between the years 2000 and 2100."), "start")
    try:
        count = int(str(days or "").strip())
    except ValueError:
        raise refuse(_("Give the period as a whole number of days."), "days") from None
    if not 1 <= count <= MAX_PERIOD_DAYS:
        raise refuse(_("Give a period of 1 to %(max)d days.") % {"max": MAX_PERIOD_DAYS}, "days")
    if kind not in (DayKind.WORKING, DayKind.CALENDAR):
        raise refuse(
            _("Say whether the days are “working” (Ley 39/2015 art. 30.2) or “calendar” days."),
            "kind",
        )
    return found, WorkingCalendar(found).deadline(first, count, kind)

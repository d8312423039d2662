"""Working days per city: national, regional and local holidays.

Días hábiles exclude Saturdays, Sundays and holidays (Ley 39/2015 art. 30.2). A deadline in days
ends at the end of its last day in the city's time zone and is stored in UTC. A calendar-day
deadline whose last day is not a working day moves to the next working day (LCSP DA 12ª).
"""

import datetime as dt
import zoneinfo
from functools import lru_cache

import holidays as holidays_lib

from procurement.accounts.models import City
from workflows.models import CityHoliday


@lru_cache(maxsize=256)
def _official_holidays(country: str, region: str, year: int) -> frozenset[dt.date]:
    try:
        calendar = holidays_lib.country_holidays(country, subdiv=region or None, years=year)
    except NotImplementedError:
        return frozenset()
    return frozenset(calendar.keys())


class WorkingCalendar:
    """A city's calendar; build one per operation (it caches the local holidays it reads)."""

    def __init__(self, city: City):
        self.city = city
        self.zone = zoneinfo.ZoneInfo(city.timezone)
        self._local: set[dt.date] | None = None

    def _local_holidays(self) -> set[dt.date]:
        if self._local is None:
            self._local = set(
                CityHoliday.objects.filter(city_id=self.city.pk).values_list("date", flat=True)
            )
        return self._local

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

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The end of the ``days``-th working day after the day of ``start`` (day after = day 1)."""
        day = self.local_date(start)
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return self.end_of_day(day)

    def add_calendar_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """``days`` calendar days from the day after ``start``; a non-working last day moves to
        the next working day (LCSP DA 12ª)."""
        day = self.local_date(start) + dt.timedelta(days=days)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return self.end_of_day(day)

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working days strictly after the day of ``start`` up to and including that of ``end``."""
        day, last = self.local_date(start), self.local_date(end)
        count = 0
        while day < last:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

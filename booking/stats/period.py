"""The period a statistics page covers: local calendar days, converted to UTC instants once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from booking.timeutil import local_day_bounds


@dataclass(frozen=True)
class Period:
    """Local days `first` .. `last` inclusive; `start_at` / `end_at` their UTC bounds."""

    first: date
    last: date

    @property
    def start_at(self) -> datetime:
        return local_day_bounds(self.first)[0]

    @property
    def end_at(self) -> datetime:
        return local_day_bounds(self.last)[1]

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def months(self) -> list[date]:
        """The first day of each month the period touches."""
        months, month = [], self.first.replace(day=1)
        while month <= self.last:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months


def month_period(month: date) -> Period:
    first = month.replace(day=1)
    return Period(first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))


def quarter_period(year: int, quarter: int) -> Period:
    first = date(year, 3 * (quarter - 1) + 1, 1)
    return Period(first, month_period(first.replace(month=first.month + 2)).last)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))

"""Open hours of resources over a period: weekly opening hours minus closures, in local time.

Each resource's own opening hours, else its site's. The count is arithmetic: each
weekday's ranges (merged, local wall-clock length) times the number of that weekday in
the period, corrected on the period's few clock-change days, where the ranges are turned
into real UTC instants (02:00-04:00 is one hour on the last Sunday of March, three on the
last of October). Closures (of the site or the resource) are then cut out per resource:
the local days a closure only partly covers are expanded, the whole days inside it are
counted arithmetically again. `expand` (day by day) is kept as the plain reference the
tests compare with. This reads opening hours and closures only, never bookings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import or_, select

from booking.extensions import db
from booking.resources.models import Closure, OpeningHours, Resource
from booking.stats.period import Period
from booking.timeutil import local_datetime, local_day_bounds, to_local

Interval = tuple[datetime, datetime]
WeekPattern = tuple[tuple[int, time, time], ...]
DAY = 86400.0


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def expand(pattern: WeekPattern, period: Period) -> list[Interval]:
    """The UTC intervals a weekly pattern is open during the period, merged and sorted."""
    by_weekday: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for weekday, opens, closes in pattern:
        by_weekday[weekday].append((opens, closes))
    intervals = []
    for day in period.days():
        for opens, closes in by_weekday.get(day.weekday(), ()):
            intervals.append((local_datetime(day, opens), local_datetime(day, closes)))
    return _merge((start.astimezone(UTC), end.astimezone(UTC)) for start, end in intervals)


def _seconds(intervals: Sequence[Interval]) -> float:
    return sum((end - start).total_seconds() for start, end in intervals)


@lru_cache(maxsize=64)
def clock_change_days(first: date, last: date) -> tuple[date, ...]:
    """The local days of [first, last] that do not last 24 hours (once per period)."""
    days = []
    day = first
    while day <= last:
        start, end = local_day_bounds(day)
        if (end - start).total_seconds() != DAY:
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def _weekday_counts(first: date, last: date) -> list[int]:
    """How many Mondays, Tuesdays ... Sundays [first, last] holds."""
    total = (last - first).days + 1
    if total <= 0:
        return [0] * 7
    weeks, rest = divmod(total, 7)
    counts = [weeks] * 7
    for offset in range(rest):
        counts[(first.weekday() + offset) % 7] += 1
    return counts


class Week:
    """A weekly pattern, ready to count: ranges per weekday, merged in local time."""

    def __init__(self, pattern: WeekPattern, clock_changes: Sequence[date]) -> None:
        by_weekday: dict[int, list[tuple[time, time]]] = defaultdict(list)
        for weekday, opens, closes in pattern:
            by_weekday[weekday].append((opens, closes))
        self.ranges = {w: _merge_times(ranges) for w, ranges in by_weekday.items()}
        self.nominal = [
            sum(_wall_seconds(opens, closes) for opens, closes in self.ranges.get(w, ()))
            for w in range(7)
        ]
        self.clock_changes = clock_changes

    def day(self, day: date) -> list[Interval]:
        """The day's open intervals as UTC instants (merged, as `expand` makes them)."""
        return _merge(
            (
                local_datetime(day, opens).astimezone(UTC),
                local_datetime(day, closes).astimezone(UTC),
            )
            for opens, closes in self.ranges.get(day.weekday(), ())
        )

    def seconds(self, first: date, last: date) -> float:
        """Open seconds of the local days [first, last]: weekday counts x wall-clock
        lengths, plus the real length minus the wall-clock one on clock-change days."""
        if last < first:
            return 0.0
        counts = _weekday_counts(first, last)
        total = sum(count * length for count, length in zip(counts, self.nominal, strict=True))
        for day in self.clock_changes:
            if first <= day <= last:
                total += _seconds(self.day(day)) - self.nominal[day.weekday()]
        return total

    def seconds_within(self, cut: Interval) -> float:
        """Open seconds inside the UTC interval `cut`: its partly covered local days are
        expanded, the whole days between them counted."""
        start, end = cut
        first, last = to_local(start).date(), to_local(end - timedelta(microseconds=1)).date()
        edges = [first] if first == last else [first, last]
        total = 0.0
        for day in edges:
            for opens, closes in self.day(day):
                overlap = (min(closes, end) - max(opens, start)).total_seconds()
                if overlap > 0:
                    total += overlap
        return total + self.seconds(first + timedelta(days=1), last - timedelta(days=1))


def _merge_times(ranges: Iterable[tuple[time, time]]) -> list[tuple[time, time]]:
    merged: list[tuple[time, time]] = []
    for opens, closes in sorted(ranges):
        if closes <= opens:
            continue
        if merged and opens <= merged[-1][1]:
            if closes > merged[-1][1]:
                merged[-1] = (merged[-1][0], closes)
        else:
            merged.append((opens, closes))
    return merged


def _wall_seconds(opens: time, closes: time) -> float:
    return float(
        (closes.hour - opens.hour) * 3600
        + (closes.minute - opens.minute) * 60
        + (closes.second - opens.second)
        + (closes.microsecond - opens.microsecond) / 1e6
    )


def open_seconds(resources: Sequence[Resource], period: Period) -> dict[int, float]:
    """Seconds each resource is open during the period, closures taken out."""
    if not resources:
        return {}
    resource_ids = [r.id for r in resources]
    site_ids = sorted({r.site_id for r in resources})
    hours = db.session.execute(
        select(
            OpeningHours.resource_id,
            OpeningHours.site_id,
            OpeningHours.weekday,
            OpeningHours.opens_at,
            OpeningHours.closes_at,
        ).where(or_(OpeningHours.resource_id.in_(resource_ids), OpeningHours.site_id.in_(site_ids)))
    ).all()
    own: dict[int, list] = defaultdict(list)
    of_site: dict[int, list] = defaultdict(list)
    for resource_id, site_id, weekday, opens, closes in hours:
        target = own[resource_id] if resource_id is not None else of_site[site_id]
        target.append((weekday, opens, closes))
    closures = db.session.execute(
        select(Closure.resource_id, Closure.site_id, Closure.start_at, Closure.end_at).where(
            or_(Closure.resource_id.in_(resource_ids), Closure.site_id.in_(site_ids)),
            Closure.start_at < period.end_at,
            Closure.end_at > period.start_at,
        )
    ).all()
    closed_resource: dict[int, list[Interval]] = defaultdict(list)
    closed_site: dict[int, list[Interval]] = defaultdict(list)
    for resource_id, site_id, start_at, end_at in closures:
        target = closed_resource[resource_id] if resource_id is not None else closed_site[site_id]
        target.append((max(start_at, period.start_at), min(end_at, period.end_at)))

    clock_changes = clock_change_days(period.first, period.last)
    weeks: dict[WeekPattern, tuple[Week, float]] = {}
    result: dict[int, float] = {}
    for resource in resources:
        pattern = tuple(sorted(own.get(resource.id) or of_site.get(resource.site_id, ())))
        if pattern not in weeks:
            week = Week(pattern, clock_changes)
            weeks[pattern] = (week, week.seconds(period.first, period.last))
        week, total = weeks[pattern]
        cuts = _merge(closed_resource.get(resource.id, []) + closed_site.get(resource.site_id, []))
        result[resource.id] = total - sum(week.seconds_within(cut) for cut in cuts)
    return result


def is_open_at(ranges: Iterable[OpeningHours], closures: Iterable[Closure], at: datetime) -> bool:
    """Whether weekly opening hours (local) include the instant and no closure covers it."""
    if any(closure.start_at <= at < closure.end_at for closure in closures):
        return False
    local = to_local(at)
    for item in ranges:
        if item.weekday == local.weekday():
            opens = local_datetime(local.date(), item.opens_at)
            if opens <= at < local_datetime(local.date(), item.closes_at):
                return True
    return False

"""Open hours of resources over a period: weekly opening hours minus closures, in local time.

Each resource's own opening hours, else its site's. Every range is turned into UTC
instants for each local day, so a range across a clock change counts its real length
(02:00-04:00 is one hour on the last Sunday of March, three on the last of October).
Ranges are expanded once per distinct week pattern, not once per resource; closures
(of the site or the resource) are then cut out per resource. This reads opening hours
and closures only, never bookings.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time

from sqlalchemy import or_, select

from booking.extensions import db
from booking.resources.models import Closure, OpeningHours, Resource
from booking.stats.period import Period
from booking.timeutil import local_datetime, to_local

Interval = tuple[datetime, datetime]
WeekPattern = tuple[tuple[int, time, time], ...]


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


def _overlap(intervals: Sequence[Interval], starts: Sequence[datetime], cut: Interval) -> float:
    """Seconds of the sorted, disjoint `intervals` inside `cut`."""
    total = 0.0
    index = max(bisect_right(starts, cut[0]) - 1, 0)
    while index < len(intervals) and intervals[index][0] < cut[1]:
        start, end = intervals[index]
        overlap = (min(end, cut[1]) - max(start, cut[0])).total_seconds()
        if overlap > 0:
            total += overlap
        index += 1
    return total


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
        target.append((start_at, end_at))

    expanded: dict[WeekPattern, tuple[list[Interval], list[datetime], float]] = {}
    result: dict[int, float] = {}
    for resource in resources:
        pattern = tuple(sorted(own.get(resource.id) or of_site.get(resource.site_id, ())))
        if pattern not in expanded:
            intervals = expand(pattern, period)
            expanded[pattern] = (intervals, [i[0] for i in intervals], _seconds(intervals))
        intervals, starts, total = expanded[pattern]
        cuts = _merge(closed_resource.get(resource.id, []) + closed_site.get(resource.site_id, []))
        result[resource.id] = total - sum(_overlap(intervals, starts, cut) for cut in cuts)
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

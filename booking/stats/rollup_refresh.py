"""Summing the statistics rollup again (`booking/stats/models.py`): a resource's year of
bookings, grouped by the database and folded by local month, day and hour here, then written.

A resource's year is summed again when its calendar version or `updated_at` no longer match
the rollup's (any change to its bookings raises the version in the same transaction). The new
sums are used at once by the request that made them (`booking/stats/rollup.py`) and written in
a SAVEPOINT of its transaction, committed after the answer (`keep_rollup`): a write that meets
another request writing the same rows gives up, and the next request tries again. No foreign
key, no lock on resources: the rollup stays outside the booking lock order.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import Flask, current_app, g
from sqlalchemy import ColumnElement, and_, case, delete, func, insert, or_, select, text
from sqlalchemy.exc import DBAPIError

from booking.bookings.models import MAX_BOOKING_SPAN, Booking, BookingState
from booking.extensions import db
from booking.resources.models import Resource
from booking.stats.models import DAYS, HOURS, STATES, stats_heat, stats_month, stats_rollup
from booking.stats.queries import seconds_between
from booking.timeutil import local_day_bounds, to_local

log = logging.getLogger(__name__)

APPROVED, REFUSED, RELEASED = (
    BookingState.APPROVED.value,
    BookingState.REFUSED.value,
    BookingState.RELEASED.value,
)
MONTH_COUNTS = (*STATES, "attendees", "checked_in", "decided")
MONTH_SECONDS = ("approved_seconds", "seat_seconds", "released_seconds")
PENDING_FLAG = "stats_rollup_pending"


def _month_start(year: int, month: int) -> datetime:
    return local_day_bounds(date(year, month, 1))[0]


def _year_bounds(year: int) -> list[datetime]:
    """The UTC instants at which the year's local months start, and the next year's."""
    return [_month_start(year, month) for month in range(1, 13)] + [_month_start(year + 1, 1)]


@dataclass
class YearSums:
    """One resource's rollup of one year, in memory (just summed, or read back)."""

    months: dict[date, dict[str, float]] = field(default_factory=dict)
    heat: dict[tuple[date, int], list[int]] = field(default_factory=dict)
    served: dict[int, int] = field(default_factory=dict)
    crossing: list[list] = field(default_factory=list)

    def month(self, month: date) -> dict[str, float]:
        found = self.months.get(month)
        if found is None:
            found = self.months[month] = dict.fromkeys(MONTH_COUNTS + MONTH_SECONDS + DAYS, 0)
        return found


def _released_seconds() -> ColumnElement:
    return case(
        (
            Booking.state == BookingState.RELEASED,
            seconds_between(Booking.cancelled_at, Booking.end_at),
        )
    )


def sum_year(resource_ids: Sequence[int], year: int) -> dict[int, YearSums]:
    """Sum the bookings of these resources starting in the local year, and list those that
    run across one of its months' bounds: two queries over the statistics index."""
    bounds = _year_bounds(year)
    first, last = bounds[0], bounds[-1]
    every_state = Booking.state.in_(list(BookingState))
    seconds = seconds_between(Booking.start_at, Booking.end_at)
    grouped = (
        select(
            Booking.resource_id,
            Booking.state,
            Booking.association_id,
            Booking.start_at,
            func.count(),
            func.coalesce(func.sum(seconds), 0),
            func.coalesce(func.sum(seconds * Booking.attendees), 0),
            func.coalesce(func.sum(Booking.attendees), 0),
            func.count(Booking.checked_in_at),
            func.coalesce(func.sum(_released_seconds()), 0),
            func.count(Booking.decided_at),
        )
        .where(
            Booking.resource_id.in_(resource_ids),
            every_state,
            Booking.start_at >= first,
            Booking.start_at < last,
        )
        .group_by(Booking.resource_id, Booking.state, Booking.association_id, Booking.start_at)
    )
    sums: dict[int, YearSums] = {rid: YearSums() for rid in resource_ids}
    local_of: dict[datetime, datetime] = {}
    for (
        rid,
        state,
        association_id,
        start_at,
        count,
        secs,
        seats,
        people,
        checked,
        released,
        decided,
    ) in db.session.connection().execute(grouped):
        state = BookingState(state).value
        local = local_of.get(start_at)
        if local is None:
            local = local_of[start_at] = to_local(start_at)
        year_sums = sums[rid]
        month = date(local.year, local.month, 1)
        row = year_sums.month(month)
        row[state] += count
        row["checked_in"] += checked
        heat = year_sums.heat.setdefault((month, local.weekday()), [0] * 24)
        heat[local.hour] += count
        if state == APPROVED:
            row["approved_seconds"] += float(secs)
            row["seat_seconds"] += float(seats)
            row["attendees"] += int(people)
            row[DAYS[local.day - 1]] += float(secs)
            if association_id is not None:
                served = year_sums.served
                served[association_id] = served.get(association_id, 0) | 1 << (local.month - 1)
        if state in (APPROVED, REFUSED):
            row["decided"] += decided
        if state == RELEASED:
            row["released_seconds"] += float(released)

    across = or_(*(and_(Booking.start_at < at, Booking.end_at > at) for at in bounds))
    crossing = select(
        Booking.id,
        Booking.resource_id,
        Booking.state,
        Booking.association_id,
        Booking.start_at,
        Booking.end_at,
        Booking.attendees,
        Booking.checked_in_at.is_not(None),
        Booking.decided_at.is_not(None),
        _released_seconds(),
    ).where(
        Booking.resource_id.in_(resource_ids),
        every_state,
        Booking.start_at >= first - MAX_BOOKING_SPAN,
        Booking.start_at < last,
        Booking.end_at > first,
        across,
    )
    for (
        bid,
        rid,
        state,
        association_id,
        start_at,
        end_at,
        people,
        checked,
        decided,
        released,
    ) in db.session.connection().execute(crossing):
        sums[rid].crossing.append(
            [
                bid,
                BookingState(state).value,
                association_id,
                start_at.astimezone(UTC).isoformat(),
                end_at.astimezone(UTC).isoformat(),
                int(people or 0),
                int(bool(checked)),
                int(bool(decided)),
                float(released or 0),
            ]
        )
    return sums


def _store(year: int, versions: dict[int, tuple], sums: dict[int, YearSums]) -> None:
    """Replace these resources' rollup of the year, in a SAVEPOINT (see the module's doc)."""
    ids = sorted(sums)
    months = [date(year, m, 1) for m in range(1, 13)]
    state_rows = [
        {
            "resource_id": rid,
            "year": year,
            "calendar_version": versions[rid][0],
            "resource_updated_at": versions[rid][1],
            "served": {str(a): bits for a, bits in sorted(sums[rid].served.items())},
            "crossing": sums[rid].crossing,
        }
        for rid in ids
    ]
    month_rows = [
        {"resource_id": rid, "month": month, **sums[rid].months[month]}
        for rid in ids
        for month in months
        if month in sums[rid].months
    ]
    heat_rows = [
        {
            "resource_id": rid,
            "month": month,
            "weekday": weekday,
            **dict(zip(HOURS, hours, strict=True)),
        }
        for rid in ids
        for (month, weekday), hours in sorted(sums[rid].heat.items())
    ]
    try:
        with db.session.begin_nested():
            if db.session.get_bind().dialect.name == "postgresql":
                db.session.execute(text("SET LOCAL lock_timeout = '1s'"))
            db.session.execute(
                delete(stats_rollup).where(
                    stats_rollup.c.resource_id.in_(ids), stats_rollup.c.year == year
                )
            )
            for table in (stats_month, stats_heat):
                db.session.execute(
                    delete(table).where(
                        table.c.resource_id.in_(ids), table.c.month.between(months[0], months[-1])
                    )
                )
            for table, rows in (
                (stats_rollup, state_rows),
                (stats_month, month_rows),
                (stats_heat, heat_rows),
            ):
                if rows:
                    db.session.execute(insert(table), rows)
    except DBAPIError as error:  # another request wrote them first, or holds them: it will do
        log.info("statistics rollup of %s not kept: %s", year, error.__class__.__name__)
        return
    g.setdefault(PENDING_FLAG, True)


def keep_rollup(app: Flask) -> None:
    """Commit the rollup rows a read request summed, once its answer is ready."""

    @app.after_request
    def _commit(response):
        if g.pop(PENDING_FLAG, False) and response.status_code < 400:
            try:
                db.session.commit()
            except DBAPIError as error:
                db.session.rollback()
                log.info("statistics rollup not kept: %s", error.__class__.__name__)
        return response


def stale_years(resources: Iterable[Resource], years: Iterable[int]) -> list[tuple[int, int]]:
    """(resource id, year) pairs whose rollup these resources' calendars have outgrown."""
    versions = {r.id: (r.calendar_version, r.updated_at) for r in resources}
    years = list(years)
    if not versions or not years:
        return []
    kept = db.session.execute(
        select(
            stats_rollup.c.resource_id,
            stats_rollup.c.year,
            stats_rollup.c.calendar_version,
            stats_rollup.c.resource_updated_at,
        ).where(stats_rollup.c.resource_id.in_(list(versions)), stats_rollup.c.year.in_(years))
    )
    fresh = {
        (rid, year)
        for rid, year, version, updated_at in kept
        if (version, updated_at) == versions[rid]
    }
    return [(rid, year) for year in years for rid in versions if (rid, year) not in fresh]


def refresh(
    resources: Sequence[Resource], stale: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], YearSums]:
    """Sum again, and write, these resources' years; returns the new sums."""
    versions = {r.id: (r.calendar_version, r.updated_at) for r in resources}
    by_year: dict[int, list[int]] = defaultdict(list)
    for rid, year in stale:
        by_year[year].append(rid)
    summed: dict[tuple[int, int], YearSums] = {}
    for year, ids in sorted(by_year.items()):
        sums = sum_year(ids, year)
        _store(year, versions, sums)
        summed.update(((rid, year), found) for rid, found in sums.items())
    return summed


def refresh_all(years: Sequence[int], batch: int = 50) -> int:
    """Bring every resource's rollup of these years up to date, `batch` resources per
    transaction (the CLI's `refresh-stats`); returns how many resource-years were summed."""
    summed = 0
    ids = list(db.session.scalars(select(Resource.id).order_by(Resource.id)))
    for first in range(0, len(ids), batch):
        resources = list(
            db.session.scalars(select(Resource).where(Resource.id.in_(ids[first : first + batch])))
        )
        stale = stale_years(resources, years)
        refresh(resources, stale)
        db.session.commit()
        summed += len(stale)
    return summed


def budget() -> int:
    """How many resource-years one request may sum again (STATS_ROLLUP_BUDGET): each is
    about a thousand bookings; beyond it the request counts the bookings themselves and
    `flask refresh-stats` (or the next requests) catch up."""
    return int(current_app.config["STATS_ROLLUP_BUDGET"])

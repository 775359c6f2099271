"""The statistics of a period made of whole local months, read from the rollup.

The rollup (`booking/stats/models.py`) sums each resource's bookings by the local month in
which they start. A period of whole months then takes:

- the sums of its months, for the bookings starting inside it (whole lengths);
- the bookings that run across its start (from before it) or its end, kept whole in the
  rollup, clipped here: they add their part inside the period, or give back their part
  after it.

Every figure is the one the plain aggregates (`booking/stats/queries.py`) give for the
same period; `tests/stats/test_equivalence.py` holds both to a reference.

The years whose rollup is out of date are summed again first (`booking/stats/rollup_refresh.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select

from booking.extensions import db
from booking.resources.models import Resource
from booking.stats.models import DAYS, HOURS, STATES, stats_heat, stats_month, stats_rollup
from booking.stats.period import Period
from booking.stats.queries import empty_figures
from booking.stats.rollup_refresh import (
    APPROVED,
    MONTH_COUNTS,
    MONTH_SECONDS,
    REFUSED,
    RELEASED,
    budget,
    refresh,
    stale_years,
)
from booking.timeutil import to_local


def covers(period: Period) -> bool:
    """Whether the period is made of whole local months (a month, a quarter, a year...)."""
    return period.first.day == 1 and (period.last + timedelta(days=1)).day == 1


@dataclass
class PeriodSums:
    """A period's figures from the rollup, in the shapes the plain aggregates give."""

    counts: dict[int, dict]  # per resource, as queries.per_resource
    pairs: set[tuple[int, int]]  # (resource, association) served
    days: dict[date, float]  # approved seconds by local day of start (clipped to the period)
    heat: list[list[int]]  # requests by [weekday][local hour] of start


def _empty_counts() -> dict:
    return {**empty_figures(), **dict.fromkeys(STATES, 0)}


def _add_month(counts: dict, row: dict) -> None:
    for name in MONTH_COUNTS:
        counts[name] += int(row[name] or 0)
    for name in MONTH_SECONDS:
        counts[name] += float(row[name] or 0)


def period_sums(resources: Sequence[Resource], period: Period) -> PeriodSums | None:
    """Every figure of `covers(period)` that the rollup holds, for these resources; None
    when more of their years are out of date than one request may sum again (`budget`):
    it sums that many and leaves the period to the plain aggregates."""
    years = range(period.first.year, period.last.year + 1)
    stale = stale_years(resources, years)
    allowed = budget()
    if len(stale) > allowed:
        if allowed > 0:
            refresh(resources, stale[:allowed])
        return None
    summed = refresh(resources, stale)
    ids = [r.id for r in resources]
    months = period.months()
    counts: dict[int, dict] = defaultdict(_empty_counts)
    days: dict[date, float] = defaultdict(float)
    heat = [[0] * 24 for _ in range(7)]
    served: dict[tuple[int, int], dict[int, int]] = {}
    crossing: dict[int, tuple[int, list]] = {}

    # The years summed just now, from memory.
    for (rid, year), sums in summed.items():
        served[(rid, year)] = sums.served
        for booking in sums.crossing:
            crossing[booking[0]] = (rid, booking)
        for month in months:
            row = sums.months.get(month)
            if row is not None:
                _add_month(counts[rid], row)
                for n, name in enumerate(DAYS):
                    if row[name]:
                        days[month + timedelta(days=n)] += row[name]
            for weekday in range(7):
                for hour, requests in enumerate(sums.heat.get((month, weekday), ())):
                    heat[weekday][hour] += requests

    # The others, summed by the database.
    kept = _kept_condition(ids, summed, years)
    if kept is not None:
        _read_kept(kept, months, counts, days, heat, served, crossing)

    wanted = {year: _month_bits(months, year) for year in years}
    pairs = {
        (rid, int(association))
        for (rid, year), bits_of in served.items()
        for association, bits in bits_of.items()
        if bits & wanted[year]
    }
    _clip_crossing(crossing.values(), period, counts, pairs, days)
    for rid, pairs_of in _by_resource(pairs).items():
        counts[rid]["associations"] = len(pairs_of)
    for found in counts.values():
        found["no_shows"] = found[RELEASED]
    return PeriodSums(
        counts={rid: found for rid, found in counts.items() if any(found[s] for s in STATES)},
        pairs=pairs,
        days=dict(days),
        heat=heat,
    )


def _month_bits(months: Sequence[date], year: int) -> int:
    return sum(1 << (m.month - 1) for m in months if m.year == year)


def _by_resource(pairs: set[tuple[int, int]]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for rid, association in pairs:
        found[rid].add(association)
    return found


def _kept_condition(ids: Sequence[int], summed: dict, years: Iterable[int]):
    """Rows of stats_month / stats_heat / stats_rollup not summed again just now."""
    parts = []
    for year in years:
        kept = [rid for rid in ids if (rid, year) not in summed]
        if kept:
            parts.append((year, kept))
    return parts or None


def _read_kept(parts, months, counts, days, heat, served, crossing) -> None:
    def where(table, by_year: bool = False):
        return or_(
            *(
                and_(
                    table.c.resource_id.in_(kept),
                    table.c.year == year
                    if by_year
                    else table.c.month.in_([m for m in months if m.year == year]),
                )
                for year, kept in parts
            )
        )

    m = stats_month.c
    per_resource = (
        select(
            m.resource_id, *(func.sum(m[name]).label(name) for name in MONTH_COUNTS + MONTH_SECONDS)
        )
        .where(where(stats_month))
        .group_by(m.resource_id)
    )
    for row in db.session.execute(per_resource).mappings():
        _add_month(counts[row["resource_id"]], row)
    per_day = (
        select(m.month, *(func.sum(m[name]) for name in DAYS))
        .where(where(stats_month))
        .group_by(m.month)
    )
    for month, *seconds in db.session.execute(per_day):
        for n, value in enumerate(seconds):
            if value:
                days[month + timedelta(days=n)] += float(value)
    h = stats_heat.c
    per_hour = (
        select(h.weekday, *(func.sum(h[name]) for name in HOURS))
        .where(where(stats_heat))
        .group_by(h.weekday)
    )
    for weekday, *requests in db.session.execute(per_hour):
        for hour, value in enumerate(requests):
            heat[weekday][hour] += int(value or 0)
    r = stats_rollup.c
    for rid, year, bits_of, bookings in db.session.execute(
        select(r.resource_id, r.year, r.served, r.crossing).where(where(stats_rollup, True))
    ):
        served[(rid, year)] = bits_of
        for booking in bookings:
            crossing[booking[0]] = (rid, booking)


def _clip_crossing(bookings, period: Period, counts: dict, pairs: set, days: dict) -> None:
    """Bookings across the period's start come in (their part inside it); those that start
    inside it and end after it give back their part after its end."""
    start_at, end_at = period.start_at, period.end_at
    for rid, (
        _id,
        state,
        association_id,
        start,
        end,
        people,
        checked,
        decided,
        released,
    ) in bookings:
        begins, ends = datetime.fromisoformat(start), datetime.fromisoformat(end)
        if begins < start_at < ends:  # from before the period
            found = counts[rid]
            inside = (min(ends, end_at) - start_at).total_seconds()
            found[state] += 1
            found["checked_in"] += checked
            if state in (APPROVED, REFUSED):
                found["decided"] += decided
            if state == RELEASED:
                found["released_seconds"] += released
            if state == APPROVED:
                found["approved_seconds"] += inside
                found["seat_seconds"] += inside * people
                found["attendees"] += people
                if association_id is not None:
                    pairs.add((rid, association_id))
                days[period.first] += inside
        elif start_at <= begins < end_at < ends and state == APPROVED:
            after = (ends - end_at).total_seconds()
            found = counts[rid]
            found["approved_seconds"] -= after
            found["seat_seconds"] -= after * people
            days[to_local(begins).date()] -= after

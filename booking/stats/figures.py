"""A statistics report: the aggregate queries' rows put together for pages and exports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from booking.bookings.models import BookingState
from booking.extensions import db
from booking.resources.models import Resource, ResourceKind
from booking.stats import checkins, queries, rollup
from booking.stats.cache import cached, calendar_keys
from booking.stats.openhours import open_seconds
from booking.stats.period import Period
from booking.stats.queries import ResourceFigures, Scope
from booking.timeutil import to_local

HOUR = 3600.0


@dataclass
class Report:
    period: Period
    rows: list[ResourceFigures]
    associations: int
    reasons: list[tuple]
    median_decision_seconds: float | None
    series: list[tuple[date, float]]  # (first day of the week or month, approved hours)
    series_by: str  # "week" or "month"
    heat: list[list[int]]  # requests per [weekday][local hour]
    totals: ResourceFigures = field(init=False)

    def __post_init__(self) -> None:
        self.totals = ResourceFigures(resource=None)  # type: ignore[arg-type]
        for row in self.rows:
            for name in (
                "open_seconds",
                "approved_seconds",
                "seat_seconds",
                "approved",
                "pending",
                "refused",
                "cancelled",
                "expired",
                "waitlisted",
                "attendees",
                "no_shows",
                "released_seconds",
            ):
                setattr(self.totals, name, getattr(self.totals, name) + getattr(row, name))
        self.totals.associations = self.associations

    @property
    def occupancy(self) -> float | None:
        """Approved booked hours / open hours of the rooms and machines (not open-lab seats)."""
        exclusive = [r for r in self.rows if r.resource.kind is not ResourceKind.OPEN_LAB]
        open_total = sum(r.open_seconds for r in exclusive)
        if open_total <= 0:
            return None
        return sum(r.approved_seconds for r in exclusive) / open_total

    @property
    def bookings(self) -> int:
        """Bookings made in the period: approved, and those refused, cancelled or expired."""
        t = self.totals
        return t.approved + t.pending + t.refused + t.cancelled + t.expired + t.waitlisted

    @property
    def checkins(self) -> checkins.CheckinSummary:
        """Checked-in and no-show rates, hours released and re-booked (bookings/checkin.py)."""
        return checkins.summary(self.rows)

    @property
    def peak_load(self) -> float | None:
        """Busiest weekday x hour cell of requests / the average of the cells with any."""
        cells = [count for day in self.heat for count in day if count]
        if not cells:
            return None
        return max(cells) / (sum(cells) / len(cells))

    @property
    def heat_max(self) -> int:
        return max((count for day in self.heat for count in day), default=0)

    @property
    def machines(self) -> list[ResourceFigures]:
        return [r for r in self.rows if r.resource.kind is ResourceKind.MACHINE]

    @property
    def open_labs(self) -> list[ResourceFigures]:
        return [r for r in self.rows if r.resource.kind is ResourceKind.OPEN_LAB]


def _start_of(day: date, by: str) -> date:
    return day - timedelta(days=day.weekday()) if by == "week" else day.replace(day=1)


def _figures(resources: list[Resource], scope: Scope, period: Period) -> dict:
    """The aggregate queries' results (plain data, cacheable) for these resources: from the
    rollup for a period of whole months (stats/rollup.py), else from the bookings."""
    ids = [r.id for r in resources]
    sums = None
    if rollup.covers(period) and not scope.association_id:
        sums = rollup.period_sums(resources, period)
    if sums is not None:
        counts = sums.counts
        associations = len({association for _rid, association in sums.pairs})
        over_time = _days_over_time(sums.days, sums.heat, period)
    else:
        counts = queries.per_resource(ids, period, scope)
        associations = queries.distinct_associations(ids, period, scope)
        over_time = _over_time(queries.hourly(ids, period, scope), period)
    decided = sum(found["decided"] for found in counts.values())
    return {
        "counts": counts,
        "open": open_seconds(resources, period),
        "associations": associations,
        "reasons": [(str(s), r, n) for s, r, n in queries.reasons(ids, period, scope)],
        "median": queries.median_decision_seconds(ids, period, scope, decided),
        "rebooked": checkins.rebooked(ids, period, scope),
        **over_time,
    }


def _series_by(period: Period) -> str:
    return "week" if (period.last - period.first).days <= 92 else "month"


def _days_over_time(days: dict[date, float], heat: list[list[int]], period: Period) -> dict:
    """Approved seconds per local day of start as weeks (or months) of booked hours (days
    before the period count in its first week or month)."""
    by = _series_by(period)
    series: dict[date, float] = defaultdict(float)
    for day, seconds in days.items():
        series[_start_of(max(day, period.first), by)] += seconds / HOUR
    starts = sorted({_start_of(day, by) for day in period.days()})
    return {"by": by, "series": [(s, series.get(s, 0.0)) for s in starts], "heat": heat}


def _over_time(hourly: list, period: Period) -> dict:
    """Hourly UTC buckets as local days of approved seconds and a weekday x hour heat map of
    requests, then as weeks (or months) of booked hours (`_days_over_time`)."""
    days: dict[date, float] = defaultdict(float)
    heat = [[0] * 24 for _ in range(7)]
    start_at = period.start_at
    for hour, requests, seconds in hourly:
        local: datetime = to_local(hour)
        if hour >= start_at:  # when it was asked for: bookings starting in the period
            heat[local.weekday()][local.hour] += requests
        days[local.date()] += seconds
    return _days_over_time(days, heat, period)


def build_report(
    scope: Scope, period: Period, resources: Sequence[Resource] | None = None
) -> Report:
    """Every figure of the statistics pages for the scope and the period. `resources`: the
    scope's resources (`queries.visible_resources`), when the caller has loaded them."""
    if resources is None:
        resources = list(db.session.scalars(queries.visible_resources(scope)))
    resources = list(resources)
    key = (period, scope.association_id, calendar_keys(resources))
    data = cached("report", key, lambda: _figures(resources, scope, period))
    rows = []
    for resource in resources:
        found = data["counts"].get(resource.id, {})
        row = ResourceFigures(resource=resource, open_seconds=data["open"].get(resource.id, 0.0))
        row.approved_seconds = float(found.get("approved_seconds", 0))
        row.seat_seconds = float(found.get("seat_seconds", 0))
        row.attendees = int(found.get("attendees", 0))
        row.associations = int(found.get("associations", 0))
        for state in BookingState:
            setattr(row, state.value, int(found.get(state.value, 0)))
        rows.append(row)
    checkins.fill_rows(rows, data["counts"], data["rebooked"])

    return Report(
        period=period,
        rows=rows,
        associations=data["associations"],
        reasons=data["reasons"],
        median_decision_seconds=data["median"],
        series=list(data["series"]),
        series_by=data["by"],
        heat=[list(day) for day in data["heat"]],  # copies: a Report never changes the cache
    )

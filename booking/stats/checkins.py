"""Check-in figures: checked-in and no-show rates, hours released and re-booked after release.

Two aggregate queries over the period's bookings (same window as `queries.py`), grouped by
resource; no booking is loaded into Python. A no-show is a booking *released* by
`bookings/checkin.py`; the hours released run from the release (`cancelled_at`) to the
booking's end; hours re-booked are the parts of that freed time taken again by an approved
booking requested (or promoted from a waiting list) after the release.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from booking.stats.period import Period
from booking.stats.queries import ResourceFigures, Scope, booking_window, seconds_between


def per_resource(resource_ids: Sequence[int], period: Period, scope: Scope | None) -> dict:
    """{resource id: {checked_in, no_shows, released_seconds, rebooked_seconds}}."""
    if not resource_ids:
        return {}
    released = Booking.state == BookingState.RELEASED
    counts = select(
        Booking.resource_id,
        func.count(case((Booking.checked_in_at.is_not(None), 1))).label("checked_in"),
        func.count(case((released, 1))).label("no_shows"),
        func.coalesce(
            func.sum(case((released, seconds_between(Booking.cancelled_at, Booking.end_at)))), 0
        ).label("released_seconds"),
    ).where(*booking_window(resource_ids, period, scope))
    found = {
        row.resource_id: {
            "checked_in": int(row.checked_in),
            "no_shows": int(row.no_shows),
            "released_seconds": float(row.released_seconds or 0),
            "rebooked_seconds": 0.0,
        }
        for row in db.session.execute(counts.group_by(Booking.resource_id))
    }
    for resource_id, seconds in _rebooked(resource_ids, period, scope):
        found.setdefault(resource_id, {})["rebooked_seconds"] = float(seconds or 0)
    return found


def _rebooked(resource_ids: Sequence[int], period: Period, scope: Scope | None) -> list:
    """Seconds of released time taken again, per resource (a self-join on the window)."""
    gone, taken = Booking, aliased(Booking)
    dialect = db.session.get_bind().dialect.name
    greatest = func.greatest if dialect == "postgresql" else func.max
    least = func.least if dialect == "postgresql" else func.min
    overlap = seconds_between(
        greatest(taken.start_at, gone.cancelled_at), least(taken.end_at, gone.end_at)
    )
    stmt = (
        select(gone.resource_id, func.sum(overlap))
        .join(
            taken,
            and_(
                taken.resource_id == gone.resource_id,
                taken.state == BookingState.APPROVED,
                taken.start_at < gone.end_at,
                taken.end_at > gone.cancelled_at,
                or_(taken.created_at >= gone.cancelled_at, taken.decided_at >= gone.cancelled_at),
            ),
        )
        .where(*booking_window(resource_ids, period, scope), gone.state == BookingState.RELEASED)
        .group_by(gone.resource_id)
    )
    return list(db.session.execute(stmt))


def fill_rows(rows: Iterable[ResourceFigures], figures: dict) -> None:
    """Put the figures in the report's rows (the columns the statistics kept for them)."""
    for row in rows:
        found = figures.get(row.resource.id, {})
        row.no_shows = int(found.get("no_shows", 0))
        row.released_seconds = float(found.get("released_seconds", 0.0))
        row.extra["checked_in"] = int(found.get("checked_in", 0))
        row.extra["rebooked_seconds"] = float(found.get("rebooked_seconds", 0.0))


@dataclass(frozen=True)
class CheckinSummary:
    checked_in: int
    no_shows: int
    released_seconds: float
    rebooked_seconds: float

    @property
    def checked_in_rate(self) -> float | None:
        """Checked in / bookings whose check-in was settled (checked in or released)."""
        settled = self.checked_in + self.no_shows
        return self.checked_in / settled if settled else None

    @property
    def no_show_rate(self) -> float | None:
        settled = self.checked_in + self.no_shows
        return self.no_shows / settled if settled else None


def summary(rows: Iterable[ResourceFigures]) -> CheckinSummary:
    rows = list(rows)
    return CheckinSummary(
        checked_in=sum(r.extra.get("checked_in", 0) for r in rows),
        no_shows=sum(r.no_shows for r in rows),
        released_seconds=sum(r.released_seconds for r in rows),
        rebooked_seconds=sum(r.extra.get("rebooked_seconds", 0.0) for r in rows),
    )

"""Check-in figures: checked-in and no-show rates, hours released and re-booked after release.

A no-show is a booking *released* by `bookings/checkin.py`; the hours released run from
the release (`cancelled_at`) to the booking's end; hours re-booked are the parts of that
freed time taken again by an approved booking requested (or promoted from a waiting list)
after the release. The counts and the hours released come with the period's one scan of
its bookings (`queries.per_resource`); only the hours re-booked need a query of their own,
a self-join that starts from the period's released bookings alone. No booking is loaded
into Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from booking.stats.period import Period
from booking.stats.queries import ResourceFigures, Scope, booking_window, seconds_between


def rebooked(resource_ids: Sequence[int], period: Period, scope: Scope | None) -> dict:
    """{resource id: seconds of released time taken again} (a self-join from the
    window's released bookings)."""
    if not resource_ids:
        return {}
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
        .where(*booking_window(resource_ids, period, scope, [BookingState.RELEASED]))
        .group_by(gone.resource_id)
    )
    return {resource_id: float(seconds or 0) for resource_id, seconds in db.session.execute(stmt)}


def fill_rows(rows: Iterable[ResourceFigures], counts: dict, rebooked_seconds: dict) -> None:
    """Put the figures in the report's rows (the columns the statistics kept for them):
    `counts` from `queries.per_resource`, `rebooked_seconds` from `rebooked`."""
    for row in rows:
        found = counts.get(row.resource.id, {})
        row.no_shows = int(found.get("no_shows", 0))
        row.released_seconds = float(found.get("released_seconds", 0.0))
        row.extra["checked_in"] = int(found.get("checked_in", 0))
        row.extra["rebooked_seconds"] = float(rebooked_seconds.get(row.resource.id, 0.0))


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

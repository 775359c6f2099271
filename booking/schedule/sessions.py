"""Open-lab sessions in the calendars: one row per session with its seats, not half-hour cells."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from booking.bookings.seats import Session, sessions_on
from booking.resources.models import Resource
from booking.schedule.grid import booking_link, reservation_base


def session_rows(
    resource: Resource, days: Sequence[date], now: datetime
) -> list[tuple[Session, str]] | None:
    """Each session of the days with the booking form's link; None for other kinds."""
    if resource.is_exclusive:
        return None
    base = reservation_base()
    return [
        (session, booking_link(base, resource, session.start_at, session.end_at))
        for session in sessions_on(resource, days, now)
    ]

"""Open-lab sessions: seats, the waiting list and promotion when a seat frees.

A session is one opening range of an open-lab resource on a date; a seat booking
covers exactly that range (`rules.check_session`). `capacity` is the number of
seats; each booking takes `attendees` seats. When the session is full, new
requests wait (state *waitlisted*); when seats free, the oldest waiting requests
are promoted in order while they fit. Callers hold the resource lock
(`locking.lock_resource`) so that two requests never take the last seat together,
and the waiting list is re-read under it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select

from booking.bookings import events
from booking.bookings.locking import fresh
from booking.bookings.models import Booking, BookingState
from booking.bookings.transitions import change_state
from booking.extensions import db
from booking.resources.models import Resource


def _session_filter(resource: Resource, start_at: datetime, end_at: datetime) -> tuple:
    return (
        Booking.resource_id == resource.id,
        Booking.start_at == start_at,
        Booking.end_at == end_at,
    )


def seats_taken(
    resource: Resource, start_at: datetime, end_at: datetime, exclude_ids: Iterable[int] = ()
) -> int:
    stmt = select(func.coalesce(func.sum(Booking.attendees), 0)).where(
        *_session_filter(resource, start_at, end_at), Booking.state == BookingState.APPROVED
    )
    excluded = [i for i in exclude_ids if i is not None]
    if excluded:
        stmt = stmt.where(Booking.id.not_in(excluded))
    return int(db.session.scalar(stmt) or 0)


def seats_left(
    resource: Resource, start_at: datetime, end_at: datetime, exclude_ids: Iterable[int] = ()
) -> int:
    return max(resource.capacity - seats_taken(resource, start_at, end_at, exclude_ids), 0)


def waiting_list(resource: Resource, start_at: datetime, end_at: datetime) -> list[Booking]:
    """Waiting requests of a session, first come first served."""
    stmt = (
        select(Booking)
        .where(
            *_session_filter(resource, start_at, end_at), Booking.state == BookingState.WAITLISTED
        )
        .order_by(Booking.created_at, Booking.id)
    )
    return list(db.session.scalars(fresh(stmt)))


def promote_waiting(
    resource: Resource, start_at: datetime, end_at: datetime, *, now: datetime
) -> list[Booking]:
    """Give freed seats to the oldest waiting requests, in order, while they fit.

    The queue is strict: a request needing more seats than are free blocks the
    ones behind it, so nobody overtakes. Each promotion is audited and announced
    with `seat_promoted`.
    """
    if now >= start_at:
        return []
    db.session.flush()
    free = seats_left(resource, start_at, end_at)
    promoted: list[Booking] = []
    for booking in waiting_list(resource, start_at, end_at):
        if booking.attendees > free:
            break
        change_state(booking, BookingState.APPROVED, actor=None, action="promoted", now=now)
        free -= booking.attendees
        promoted.append(booking)
    db.session.flush()
    for booking in promoted:
        events.seat_promoted.send(None, bookings=[booking], actor=None)
    return promoted

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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import ngettext
from sqlalchemy import func, select

from booking.auth.models import User
from booking.bookings import events
from booking.bookings.errors import BookingRefused
from booking.bookings.locking import fresh
from booking.bookings.models import Booking, BookingState
from booking.bookings.rules import closures_between, opening_ranges
from booking.bookings.transitions import change_state
from booking.extensions import db
from booking.resources.models import Resource
from booking.timeutil import to_local, to_utc


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


def seats_held_by(resource: Resource, start_at: datetime, end_at: datetime, user_id: int) -> int:
    """Seats a person holds or waits for in one session."""
    stmt = select(func.coalesce(func.sum(Booking.attendees), 0)).where(
        *_session_filter(resource, start_at, end_at),
        Booking.requester_id == user_id,
        Booking.state.in_((BookingState.APPROVED, BookingState.WAITLISTED)),
    )
    return int(db.session.scalar(stmt) or 0)


def check_seats_per_person(
    actor: User, resource: Resource, start_at: datetime, end_at: datetime, attendees: int
) -> None:
    """At most `max_seats_per_person` seats (held or waited for) per person and session.

    Depends on other rows: call under the resource lock.
    """
    limit = resource.max_seats_per_person
    if seats_held_by(resource, start_at, end_at, actor.id) + attendees > limit:
        raise BookingRefused(
            ngettext(
                "You already have a seat in this session of %(resource)s: one seat per person.",
                "You already have %(num)d seats in this session of %(resource)s, the most one person may take.",
                limit,
                resource=resource.name,
            ),
            rule="seats_per_person",
            field="slot",
        )


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
    resource: Resource,
    start_at: datetime,
    end_at: datetime,
    *,
    now: datetime,
    started_ok: bool = False,
) -> list[Booking]:
    """Give freed seats to the oldest waiting requests, in order, while they fit.

    The queue is strict: a request needing more seats than are free blocks the
    ones behind it, so nobody overtakes. Each promotion is audited and announced
    with `seat_promoted`. A started session gets no promotion, unless `started_ok` (a
    no-show's seat released after the start: bookings/checkin.py).
    """
    if now >= end_at or (now >= start_at and not started_ok):
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


@dataclass(frozen=True, slots=True)
class Session:
    """One session of an open-lab resource, as the calendars show it."""

    start_at: datetime
    end_at: datetime
    seats_left: int
    waiting: int  # requests on the waiting list
    is_bookable: bool  # not started, past the notice, within the horizon, not closed
    closed: str | None = None  # the closure's label, when closed
    is_past: bool = False  # started already

    @property
    def is_full(self) -> bool:
        return self.seats_left <= 0


def sessions_on(resource: Resource, days: Sequence[date], now: datetime) -> list[Session]:
    """The sessions of the given local days, with their seats: three queries in all."""
    periods = [
        (to_utc(datetime.combine(day, opens)), to_utc(datetime.combine(day, closes)))
        for day in days
        for opens, closes in opening_ranges(resource, day)
    ]
    if not periods:
        return []
    first, last = min(p[0] for p in periods), max(p[1] for p in periods)
    counts = db.session.execute(
        select(Booking.start_at, Booking.end_at, Booking.state, func.sum(Booking.attendees))
        .where(
            Booking.resource_id == resource.id,
            Booking.start_at >= first,
            Booking.end_at <= last,
            Booking.state.in_((BookingState.APPROVED, BookingState.WAITLISTED)),
        )
        .group_by(Booking.start_at, Booking.end_at, Booking.state)
    ).all()
    taken: dict[tuple[datetime, datetime], int] = {}
    waiting: dict[tuple[datetime, datetime], int] = {}
    for start_at, end_at, state, seats in counts:
        target = taken if state == BookingState.APPROVED else waiting
        target[(start_at, end_at)] = int(seats or 0)
    closures = closures_between(resource, first, last)
    earliest = now + timedelta(minutes=resource.min_notice_minutes)
    last_day = to_local(now).date() + timedelta(days=resource.horizon_days)
    found = []
    for start_at, end_at in periods:
        closure = next((c for c in closures if c.start_at < end_at and c.end_at > start_at), None)
        found.append(
            Session(
                start_at=start_at,
                end_at=end_at,
                seats_left=max(resource.capacity - taken.get((start_at, end_at), 0), 0),
                waiting=waiting.get((start_at, end_at), 0),
                is_bookable=closure is None
                and start_at >= earliest
                and to_local(start_at).date() <= last_day,
                closed=closure.label if closure is not None else None,
                is_past=start_at <= now,
            )
        )
    return found

"""Check-in and no-show release.

On a resource with `checkin_required`, someone checks in for an approved booking
between `WINDOW_OPENS_BEFORE` before its start and `checkin_grace_minutes` after
it (the window is half-open: at start + grace exactly, check-in is refused and the
booking is due for release). Who may check in is `Resource.checkin_by`: "members"
(any member of the booking's association, and the managers) or "managers" only;
`Booking.can_check_in` says so.

`release_no_shows(now)` turns every approved booking still not checked in at start +
grace, and not yet over, into *released*: audited, SEQUENCE raised (its feed entry
becomes STATUS:CANCELLED), the requester told by email (signal `booking_released`),
the resource's calendar version raised by the database triggers so grids, feeds
and ETags change at once. Each occurrence of a series is a booking of its own:
releasing one date never touches the others. The freed slot then goes to whoever
waits for it (`offer_freed_slot`):

* an open-lab session: the first requests of its waiting list get the seats, in
  order while they fit (as when a seat is cancelled, even though the session has
  started: the person is usually at the door);
* a room or a machine: the earliest request for an overlapping time that is still
  pending, or that was refused only because this booking was approved (refused at
  the very instant of its approval). Nothing is approved behind anyone's back: the
  requester gets an email saying the slot is free, with a link to book it
  (signal `slot_offered`); first come, first served from there.

Release runs from requests (a periodic job, booking/periodic.py, every
`CHECKIN_RELEASE_SECONDS`) and from `flask --app wsgi release-no-shows`: idempotent,
and under the lock order of `locking.py` (resources, then the bookings re-read), so a
check-in and a release of the same booking run one after the other and exactly one
wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask_babel import format_datetime, format_time
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from booking import audit
from booking.auth.models import User
from booking.bookings import events
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.locking import fresh, lock_booking, lock_resources
from booking.bookings.models import MAX_BOOKING_SPAN, Booking, BookingState
from booking.bookings.seats import promote_waiting
from booking.bookings.services import state_refusal
from booking.bookings.transitions import change_state
from booking.extensions import db
from booking.periodic import Job
from booking.resources.models import Resource
from booking.timeutil import to_local

#: Check-in opens this long before the start (people arrive a little early).
WINDOW_OPENS_BEFORE = timedelta(minutes=15)
RELEASE_JOB = "release-no-shows"


def checkin_window(booking: Booking) -> tuple[datetime, datetime]:
    """[opens, closes): from 15 minutes before the start to start + the resource's grace."""
    grace = timedelta(minutes=booking.resource.checkin_grace_minutes)
    return booking.start_at - WINDOW_OPENS_BEFORE, booking.start_at + grace


def needs_checkin(booking: Booking, now: datetime) -> bool:
    """Check-in required, approved, nobody checked in yet, and the window open now."""
    if not booking.resource.checkin_required:
        return False
    if booking.state != BookingState.APPROVED or booking.checked_in_at is not None:
        return False
    opens, closes = checkin_window(booking)
    return opens <= now < closes


def is_unreleased_no_show(booking: Booking, now: datetime) -> bool:
    """Due for release at `now` but not yet released: check-in required, approved, nobody
    checked in, the grace over and the booking not. (`release_no_shows` picks the same.)"""
    if not booking.resource.checkin_required:
        return False
    if booking.state != BookingState.APPROVED or booking.checked_in_at is not None:
        return False
    return checkin_window(booking)[1] <= now < booking.end_at


def _moment(instant: datetime, now: datetime) -> str:
    """A time of today, or a date and time otherwise (local time, current language)."""
    if to_local(instant).date() == to_local(now).date():
        return format_time(instant, "short")
    return format_datetime(instant, "short")


def checkin_refusal(booking: Booking, actor: User | None, now: datetime) -> BookingRefused | None:
    """Why `actor` cannot check in for `booking` now, in words; None when they can (or
    already did). Pure: the check-in page asks it on GET, `check_in` again under the lock."""
    resource = booking.resource
    if not resource.checkin_required:
        return BookingRefused(
            _("%(resource)s does not need a check-in.", resource=resource.name),
            rule="checkin_not_required",
        )
    if not booking.can_check_in(actor):
        return NotAllowed(
            _("Only the managers of %(resource)s can check in here.", resource=resource.name)
        )
    if booking.checked_in_at is not None:
        return None
    if booking.state == BookingState.RELEASED:
        return BookingRefused(
            _(
                "Too late: nobody checked in within %(num)d minutes of the start, so the "
                "booking was released and the slot offered to others.",
                num=resource.checkin_grace_minutes,
            ),
            rule="released",
        )
    if booking.state != BookingState.APPROVED:
        return state_refusal(booking)
    opens, closes = checkin_window(booking)
    if now < opens:
        return BookingRefused(
            _("Too early: check-in opens at %(time)s.", time=_moment(opens, now)),
            rule="too_early",
        )
    if now >= closes:
        return BookingRefused(
            _(
                "Too late: check-in closed at %(time)s, and the booking is being released.",
                time=_moment(closes, now),
            ),
            rule="too_late",
        )
    return None


def check_in(booking_id: int, actor: User, now: datetime) -> Booking:
    """Record that the booking's people are there, or raise the refusal in words.

    Checking in again is harmless (the first check-in is kept).
    """
    booking = db.session.get(Booking, booking_id)
    if booking is None or not booking.can_view(actor):
        raise NotAllowed(_("This booking does not exist or is not yours."), rule="not_found")
    lock_booking(booking)  # the resource row, then the booking re-read: a release waits
    problem = checkin_refusal(booking, actor, now)
    if problem is not None:
        raise problem
    if booking.checked_in_at is not None:
        return booking
    booking.checked_in_at = now
    booking.checked_in_by_id = actor.id
    audit.record("booking", booking.id, "checked_in", actor_id=actor.id)
    db.session.flush()
    return booking


# --- Release --------------------------------------------------------------------------


def _awaiting(now: datetime) -> tuple:
    """Approved, not checked in, started and not over, on a resource requiring check-in.

    `start_at > now - MAX_BOOKING_SPAN` bounds the index scan (ix_booking_resource_window).
    """
    return (
        Resource.checkin_required.is_(True),
        Booking.state == BookingState.APPROVED,
        Booking.checked_in_at.is_(None),
        Booking.start_at <= now,
        Booking.start_at > now - MAX_BOOKING_SPAN,
        Booking.end_at > now,
    )


def _is_due(booking: Booking, now: datetime) -> bool:
    return booking.start_at + timedelta(minutes=booking.resource.checkin_grace_minutes) <= now


def release_no_shows(now: datetime) -> int:
    """Release the no-shows due at `now`; how many. Flushes, the caller commits."""
    rows = db.session.execute(
        select(Booking.id, Booking.resource_id, Booking.start_at, Resource.checkin_grace_minutes)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(*_awaiting(now))
    ).all()
    due = [row for row in rows if row.start_at + timedelta(minutes=row[3]) <= now]
    if not due:
        return 0
    lock_resources(row.resource_id for row in due)
    locked = {row.resource_id for row in due}
    db.session.scalars(fresh(select(Resource).where(Resource.id.in_(locked)))).all()  # re-read
    stmt = (
        select(Booking)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(Booking.id.in_([row.id for row in due]), *_awaiting(now))
        .order_by(Booking.start_at, Booking.id)
    )
    released = [b for b in db.session.scalars(fresh(stmt)) if _is_due(b, now)]
    for booking in released:
        change_state(booking, BookingState.RELEASED, actor=None, action="released", now=now)
    db.session.flush()
    for booking in released:
        events.booking_released.send(None, bookings=[booking])
        offer_freed_slot(booking, now)
    return len(released)


def offer_freed_slot(released: Booking, now: datetime) -> list[Booking]:
    """Give the freed seats of an open-lab session, or offer a freed room, to who waits."""
    if not released.exclusive:
        return promote_waiting(
            released.resource, released.start_at, released.end_at, now=now, started_ok=True
        )
    waiting = first_waiting_request(released, now)
    if waiting is None:
        return []
    audit.record("booking", waiting.id, "slot_offered", actor_id=None)
    db.session.flush()
    events.slot_offered.send(None, bookings=[waiting], released=released, now=now)
    return [waiting]


def first_waiting_request(released: Booking, now: datetime) -> Booking | None:
    """The earliest request for a time overlapping what is left of the released slot:
    still pending, or refused at the instant the released booking was approved."""
    waiting = [Booking.state == BookingState.PENDING]
    if released.decided_at is not None:
        waiting.append(
            and_(Booking.state == BookingState.REFUSED, Booking.decided_at == released.decided_at)
        )
    return db.session.scalar(
        select(Booking)
        .where(
            Booking.resource_id == released.resource_id,
            Booking.id != released.id,
            Booking.start_at < released.end_at,
            Booking.end_at > max(now, released.start_at),
            Booking.start_at > released.start_at - MAX_BOOKING_SPAN,
            or_(*waiting),
        )
        .order_by(Booking.created_at, Booking.id)
        .limit(1)
    )


def periodic_jobs(app: Flask) -> list[Job]:
    """The release job, run from requests every CHECKIN_RELEASE_SECONDS (0: cron only)."""
    seconds = int(app.config.get("CHECKIN_RELEASE_SECONDS", 60))
    if seconds <= 0:
        return []
    return [Job(RELEASE_JOB, timedelta(seconds=seconds), release_no_shows)]

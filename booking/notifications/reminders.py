"""Reminders: the day before a booking, the day-of check-in, requests waiting too long.

Each is sent once: `reminder_sent_at`, `checkin_reminder_sent_at` and
`manager_reminder_sent_at` on the booking record that it was done, in the same transaction as the outbox rows.
Writing them follows the lock order of `booking/bookings/locking.py` (the
calendar trigger locks the resource row after any booking update): the
resources of the due bookings first, in id order, then the bookings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.auth.models import User
from booking.bookings.checkin import WINDOW_OPENS_BEFORE, checkin_window
from booking.bookings.locking import lock_resources
from booking.bookings.models import Booking, BookingState
from booking.db import utcnow
from booking.extensions import db
from booking.notifications.emails import managers_of, notify, requester_side, user_recipient
from booking.notifications.sending import AFTER_REQUEST_BATCH, send_due
from booking.periodic import Job
from booking.resources.models import Resource
from booking.timeutil import local_day_bounds, to_local

CHECKIN_REMINDER_JOB = "send-checkin-reminders"
#: The largest check-in grace a resource may have (its CHECK constraint checkin_grace_range).
_MAX_GRACE = timedelta(minutes=240)


def _lock_resources_of(due: tuple) -> bool:
    """Lock the resources of the bookings `due` selects (it may name Resource columns), in
    id order; whether there were any."""
    resource_ids = db.session.scalars(
        select(Booking.resource_id)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(*due)
        .distinct()
    ).all()
    lock_resources(resource_ids)
    return bool(resource_ids)


def send_day_before_reminders(*, now: datetime | None = None) -> int:
    """Remind requesters of their approved bookings of tomorrow (local date). Flushes."""
    now = now or utcnow()
    tomorrow = to_local(now).date() + timedelta(days=1)
    start, end = local_day_bounds(tomorrow)
    due = (
        Booking.state == BookingState.APPROVED,
        Booking.reminder_sent_at.is_(None),
        Booking.start_at >= start,
        Booking.start_at < end,
    )
    _lock_resources_of(due)
    stmt = (
        select(Booking)
        .where(*due)
        .order_by(Booking.start_at, Booking.id)
        .with_for_update(skip_locked=True, of=Booking)
    )
    count = 0
    for booking in db.session.scalars(stmt):
        notify("reminder", requester_side(booking, preference="reminder"), [booking], now=now)
        booking.reminder_sent_at = now
        count += 1
    db.session.flush()
    return count


def _checkin_due(now: datetime) -> tuple:
    """Approved, check-in required, not checked in nor reminded, window opened at `now`
    and possibly still open (the resource's grace is checked in Python, as it varies).

    The `start_at` range keeps it to a few index rows (ix_booking_resource_window per
    check-in resource) whatever the history: cheap when nothing is due."""
    return (
        Resource.checkin_required.is_(True),
        Booking.state == BookingState.APPROVED,
        Booking.checked_in_at.is_(None),
        Booking.checkin_reminder_sent_at.is_(None),
        Booking.start_at <= now + WINDOW_OPENS_BEFORE,
        Booking.start_at > now - _MAX_GRACE,
    )


def send_checkin_reminders(now: datetime | None = None) -> int:
    """When its check-in window opens, tell the requester of each due booking to check in,
    with the link and the deadline; once, never after the window closed. Flushes.

    Lock order of locking.py: the resources of the due bookings, then the bookings with
    SKIP LOCKED, so a concurrent run waits, then sees them reminded and sends nothing."""
    now = now or utcnow()
    due = _checkin_due(now)
    if not _lock_resources_of(due):
        return 0
    stmt = (
        select(Booking)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(*due)
        .order_by(Booking.start_at, Booking.id)
        .with_for_update(skip_locked=True, of=Booking)
    )
    count = 0
    for booking in db.session.scalars(stmt):
        opens, closes = checkin_window(booking)
        if not opens <= now < closes:
            continue  # its window closed: the release job takes it from here
        requester = booking.requester  # the one who checks in; the contact had the day-before
        wants = requester is not None and requester.is_active and requester.notify_reminders
        recipients = [user_recipient(requester)] if wants else []
        notify("checkin_reminder", recipients, [booking], now=now, closes=closes)
        booking.checkin_reminder_sent_at = now
        count += 1
    db.session.flush()
    return count


def periodic_jobs(app: Flask) -> list[Job]:
    """The check-in reminder, run from requests as often as the no-show release
    (CHECKIN_RELEASE_SECONDS; 0: only `flask --app wsgi send-checkin-reminders`)."""
    seconds = int(app.config.get("CHECKIN_RELEASE_SECONDS", 60))
    if seconds <= 0:
        return []
    return [Job(CHECKIN_REMINDER_JOB, timedelta(seconds=seconds), _remind_then_send)]


def _remind_then_send(now: datetime) -> int:
    """The periodic job: a check-in reminder is due within minutes, so it is sent at once
    (as a request's own emails are, MAIL_SEND_AFTER_REQUEST), not at the next send-mail."""
    count = send_checkin_reminders(now)
    db.session.commit()
    if count and current_app.config.get("MAIL_SEND_AFTER_REQUEST"):
        send_due(limit=AFTER_REQUEST_BATCH)
    return count


def overdue_pending(*, now: datetime | None = None, days: int | None = None) -> list[Booking]:
    """Pending requests created more than `days` days ago whose date has not come."""
    now = now or utcnow()
    days = current_app.config["PENDING_REMINDER_DAYS"] if days is None else days
    due = (
        Booking.state == BookingState.PENDING,
        Booking.manager_reminder_sent_at.is_(None),
        Booking.created_at < now - timedelta(days=days),
        Booking.start_at > now,
    )
    _lock_resources_of(due)
    stmt = (
        select(Booking)
        .where(*due)
        .options(selectinload(Booking.resource))
        .order_by(Booking.created_at, Booking.id)
        .with_for_update(skip_locked=True, of=Booking)
    )
    return list(db.session.scalars(stmt))


def send_pending_reminders(*, now: datetime | None = None, days: int | None = None) -> int:
    """One email per manager listing the requests waiting too long; each booking once."""
    now = now or utcnow()
    overdue = overdue_pending(now=now, days=days)
    per_manager: dict[int, tuple[User, list[Booking]]] = {}
    for booking in overdue:
        for manager in managers_of(booking):
            per_manager.setdefault(manager.id, (manager, []))[1].append(booking)
        booking.manager_reminder_sent_at = now
    for manager, bookings in per_manager.values():
        if manager.notify_reminders:
            notify(
                "pending_reminder",
                [user_recipient(manager)],
                bookings,
                now=now,
                count=len(bookings),
            )
    db.session.flush()
    return len(overdue)

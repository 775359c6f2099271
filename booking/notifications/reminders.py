"""Reminders, meant for cron: the day before a booking, and requests waiting too long.

Each is sent once: `reminder_sent_at` and `manager_reminder_sent_at` on the
booking record that it was done, in the same transaction as the outbox rows.
Writing them follows the lock order of `booking/bookings/locking.py` (the
calendar trigger locks the resource row after any booking update): the
resources of the due bookings first, in id order, then the bookings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.auth.models import User
from booking.bookings.locking import lock_resources
from booking.bookings.models import Booking, BookingState
from booking.db import utcnow
from booking.extensions import db
from booking.notifications.emails import managers_of, notify, requester_side, user_recipient
from booking.timeutil import local_day_bounds, to_local


def _lock_resources_of(due: tuple) -> None:
    lock_resources(db.session.scalars(select(Booking.resource_id).where(*due).distinct()))


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

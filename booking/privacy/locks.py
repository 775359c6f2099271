"""Anonymising bookings follows the one lock order: their resources first, in id order.

Writing a booking row fires the calendar-version trigger, which locks the booking's
resource row; a transition holding that resource and waiting for the booking would
deadlock with us if we wrote the bookings first (bookings/locking.py, DESIGN.md).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from booking.bookings.locking import lock_resources
from booking.bookings.models import Booking
from booking.extensions import db


def lock_resources_of(bookings_where: ColumnElement[bool]) -> None:
    """Lock the resources of the bookings matching the condition, in id order."""
    lock_resources(db.session.scalars(select(Booking.resource_id).where(bookings_where).distinct()))

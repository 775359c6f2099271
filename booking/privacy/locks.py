"""Anonymising bookings follows the one lock order: their resources first, in id order.

Writing a booking row fires the calendar-version trigger, which locks the booking's
resource row; a transition holding that resource and waiting for the booking would
deadlock with us if we wrote the bookings first (DESIGN.md, "One lock order").
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from booking.bookings.models import Booking
from booking.extensions import db
from booking.resources.models import Resource


def lock_resources_of(bookings_where: ColumnElement[bool]) -> None:
    """SELECT … FOR UPDATE the resources of the bookings matching the condition, by id."""
    touched = select(Booking.resource_id).where(bookings_where).distinct()
    db.session.execute(
        select(Resource.id).where(Resource.id.in_(touched)).order_by(Resource.id).with_for_update()
    )

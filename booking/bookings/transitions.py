"""Changing a booking's state, always the same way: fields, SEQUENCE, audit trail."""

from __future__ import annotations

from datetime import datetime

from booking import audit
from booking.auth.models import User
from booking.bookings.models import Booking, BookingState


def change_state(
    booking: Booking,
    to_state: BookingState,
    *,
    actor: User | None,
    action: str,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Move a booking to a new state, bump its iCalendar SEQUENCE and record who and why.

    The booking must have an id (flushed) so that the audit event can name it.
    """
    from_state = booking.state
    booking.state = to_state
    booking.sequence = (booking.sequence or 0) + 1
    if to_state in (BookingState.APPROVED, BookingState.REFUSED):
        booking.decided_by_id = actor.id if actor else None
        booking.decided_at = now
        booking.decision_reason = reason
    elif to_state in (BookingState.CANCELLED, BookingState.RELEASED):
        # A release is an end like a cancellation (feeds show both as STATUS:CANCELLED
        # from `cancelled_at`), by the system when `actor` is None.
        booking.cancelled_by_id = actor.id if actor else None
        booking.cancelled_at = now
        booking.cancel_reason = reason
    audit.record(
        "booking",
        booking.id,
        action,
        actor_id=actor.id if actor else None,
        from_state=str(from_state) if from_state else None,
        to_state=str(to_state),
        reason=reason,
    )

"""Signals the booking services send after changing state.

The booking layer cannot import the notification layer above it; it announces
what happened and `booking.notifications` listens, adding emails to the outbox
in the same transaction. Every signal is sent with `sender=None` and keyword
arguments: `bookings` (a list, one item for a single booking, all the affected
occurrences for a series), `actor` (the acting User or None for the system) and,
where it applies, `reason` or `comment`.
"""

from blinker import Namespace

_signals = Namespace()

request_created = _signals.signal("request-created")  # bookings, actor
booking_approved = _signals.signal("booking-approved")  # bookings, actor
booking_refused = _signals.signal("booking-refused")  # bookings, actor, reason, automatic
booking_cancelled = _signals.signal("booking-cancelled")  # bookings, actor, reason, was_approved
booking_expired = _signals.signal("booking-expired")  # bookings
booking_rescheduled = _signals.signal("booking-rescheduled")  # bookings, actor
seat_promoted = _signals.signal("seat-promoted")  # bookings (the promoted one)
booking_released = _signals.signal("booking-released")  # bookings (a no-show released)
slot_offered = _signals.signal("slot-offered")  # bookings (the waiting request), released
comment_added = _signals.signal("comment-added")  # bookings, actor, comment

"""Signal listeners: each booking event becomes emails in the outbox, same transaction.

The booking services send the signals of `booking.bookings.events`; these
listeners decide who is told and compose the emails. Nothing is sent here:
the outbox rows commit (or roll back) with the change they announce.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlencode

from flask import current_app

from booking.auth.models import User
from booking.bookings import events
from booking.bookings.models import Booking, BookingState, Comment
from booking.notifications.emails import manager_side, notify, requester_side
from booking.resources.models import Resource
from booking.timeutil import to_local, to_utc


def _groups(bookings: Sequence[Booking]) -> list[list[Booking]]:
    """Split the bookings of one signal by who is told: one email per series or booking."""
    grouped: dict[tuple, list[Booking]] = {}
    for booking in sorted(bookings, key=lambda b: (b.start_at, b.id or 0)):
        key = (booking.association_id, booking.requester_id, booking.resource_id)
        grouped.setdefault(key, []).append(booking)
    return list(grouped.values())


def _acts_for_association(actor: User | None, booking: Booking) -> bool:
    """The actor speaks for the requesting side (a member), not as a manager."""
    return actor is not None and actor.is_member_of(booking.association_id)


def on_request_created(_sender, *, bookings: Sequence[Booking], actor: User | None = None, **_kw):
    """Pending requests go to the managers; bookings approved on arrival (trusted
    association, no approval needed, a free open-lab seat) send the requester the
    invitation straight away."""
    pending = [b for b in bookings if b.state == BookingState.PENDING]
    for group in _groups(pending):
        notify("new_request", manager_side(group[0], exclude=actor), group)
    approved = [b for b in bookings if b.state == BookingState.APPROVED]
    for group in _groups(approved):
        notify("approved", requester_side(group[0]), group, ics_method="REQUEST", actor=actor)


def on_booking_approved(_sender, *, bookings: Sequence[Booking], actor: User | None = None, **_kw):
    for group in _groups(bookings):
        notify("approved", requester_side(group[0]), group, ics_method="REQUEST", actor=actor)


def on_booking_refused(
    _sender,
    *,
    bookings: Sequence[Booking],
    actor: User | None = None,
    reason: str | None = None,
    automatic: bool = False,
    **_kw,
):
    for group in _groups(bookings):
        notify(
            "refused",
            requester_side(group[0]),
            group,
            actor=actor,
            reason=reason or group[0].decision_reason or "",
            automatic=automatic,
        )


def on_booking_cancelled(
    _sender,
    *,
    bookings: Sequence[Booking],
    actor: User | None = None,
    reason: str | None = None,
    was_approved: bool = True,
    **_kw,
):
    for group in _groups(bookings):
        first = group[0]
        why = reason or first.cancel_reason or ""
        if _acts_for_association(actor, first):
            # The association cancelled: managers hear of it when time was freed.
            if was_approved:
                notify(
                    "cancelled_by_association",
                    manager_side(first, exclude=actor),
                    group,
                    actor=actor,
                    reason=why,
                )
        else:
            # A manager (or the system) cancelled: the association is told why, and the
            # event leaves its calendar.
            notify(
                "cancelled",
                requester_side(first),
                group,
                ics_method="CANCEL" if was_approved else None,
                actor=actor,
                reason=why,
            )


def on_booking_rescheduled(
    _sender,
    *,
    bookings: Sequence[Booking],
    actor: User | None = None,
    previous: Sequence[tuple[datetime, datetime]] = (),
    was_approved: Sequence[bool] = (),
    previous_resources: Sequence[Resource] = (),
    **_kw,
):
    """Approved bookings moved: the invitation is sent again (same UID, higher SEQUENCE) so
    the calendar follows. A move that needs a new decision goes to the managers; if the
    booking was approved, the requester's calendar gets a CANCEL of the old time (same
    UID, higher SEQUENCE) until a new approval sends a new invitation. A move to another
    room: its managers hear of a booking approved there, and the old room's of the slot
    it frees."""
    approved = [b for b in bookings if b.state == BookingState.APPROVED]
    for group in _groups(approved):
        notify("rescheduled", requester_side(group[0]), group, ics_method="REQUEST", actor=actor)
    pending = [b for b in bookings if b.state == BookingState.PENDING]
    for group in _groups(pending):
        notify("new_request", manager_side(group[0], exclude=actor), group)
    old_times = {b.id: period for b, period in zip(bookings, previous, strict=False)}
    withdrawn = [
        b
        for b, approved_before in zip(bookings, was_approved, strict=False)
        if approved_before and b.state != BookingState.APPROVED
    ]
    for group in _groups(withdrawn):
        notify(
            "rescheduled_pending",
            requester_side(group[0]),  # the mover's own calendar holds the old time too
            group,
            ics_method="CANCEL",
            ics_times=[old_times[b.id] for b in group],
            actor=actor,
        )
    _tell_rooms(bookings, previous_resources, was_approved, actor)


def _tell_rooms(
    bookings: Sequence[Booking],
    previous_resources: Sequence[Resource],
    was_approved: Sequence[bool],
    actor: User | None,
) -> None:
    """The managers of both rooms when bookings change room (pending ones already went to
    the new room's managers as a request)."""
    moves = [
        (b, old, before)
        for b, old, before in zip(bookings, previous_resources, was_approved, strict=False)
        if old.id != b.resource_id
    ]
    arrived = [b for b, _old, _before in moves if b.state == BookingState.APPROVED]
    for group in _groups(arrived):
        notify("moved_in", manager_side(group[0], exclude=actor), group, actor=actor)
    by_room: dict[int, tuple[Resource, list[Booking], bool]] = {}
    for booking, old, before in moves:
        room, moved, freed = by_room.setdefault(old.id, (old, [], False))
        moved.append(booking)
        by_room[old.id] = (room, moved, freed or before)
    for room, moved, freed in by_room.values():
        for group in _groups(moved):
            notify(
                "moved_out",
                manager_side(group[0], exclude=actor, resource=room),
                group,
                actor=actor,
                former_name=room.name,
                freed=freed,
            )


def on_booking_expired(_sender, *, bookings: Sequence[Booking], **_kw):
    for group in _groups(bookings):
        notify("expired", requester_side(group[0]), group)


def on_seat_promoted(_sender, *, bookings: Sequence[Booking], **_kw):
    for group in _groups(bookings):
        notify("promoted", requester_side(group[0]), group, ics_method="REQUEST")


def on_booking_released(_sender, *, bookings: Sequence[Booking], **_kw):
    """A no-show released: the requester is told, and the event leaves their calendar."""
    for group in _groups(bookings):
        notify("released", requester_side(group[0]), group, ics_method="CANCEL")


def on_slot_offered(
    _sender, *, bookings: Sequence[Booking], released: Booking, now: datetime, **_kw
):
    """The first person waiting for a released room hears it is free, with a link to book
    what is left of their own time (from the next slot step)."""
    for booking in bookings:
        step = timedelta(minutes=booking.resource.slot_step_minutes)
        free_from = max(booking.start_at, released.start_at, _ceil(now, step))
        free_until = min(booking.end_at, released.end_at)
        if free_from >= free_until:
            continue
        notify(
            "slot_offered",
            requester_side(booking),
            [booking],
            free_from=free_from,
            free_until=free_until,
            book_link=_booking_form_link(booking, free_from, free_until),
        )


def _ceil(instant: datetime, step: timedelta) -> datetime:
    """The instant rounded up to a multiple of `step` past the local hour."""
    local = to_local(instant)
    hour = local.replace(minute=0, second=0, microsecond=0)
    steps = -(-(local - hour) // step)
    return to_utc(hour + steps * step)


def _booking_form_link(booking: Booking, start_at: datetime, end_at: datetime) -> str:
    query = urlencode(
        {
            "resource": booking.resource.slug,
            "date": to_local(start_at).date().isoformat(),
            "start": to_local(start_at).strftime("%H:%M"),
            "end": to_local(end_at).strftime("%H:%M"),
        }
    )
    return f"{current_app.config['BASE_URL'].rstrip('/')}/reservations/new?{query}"


def on_comment_added(
    _sender,
    *,
    bookings: Sequence[Booking],
    actor: User | None = None,
    comment: Comment | None = None,
    **_kw,
):
    for group in _groups(bookings):
        first = group[0]
        if _acts_for_association(actor, first):
            recipients = manager_side(first, preference="comment", exclude=actor)
        else:
            recipients = requester_side(first, preference="comment", exclude=actor)
        notify("comment", recipients, group, actor=actor, comment=comment)


_CONNECTIONS = (
    (events.request_created, on_request_created),
    (events.booking_approved, on_booking_approved),
    (events.booking_refused, on_booking_refused),
    (events.booking_cancelled, on_booking_cancelled),
    (events.booking_rescheduled, on_booking_rescheduled),
    (events.booking_expired, on_booking_expired),
    (events.seat_promoted, on_seat_promoted),
    (events.booking_released, on_booking_released),
    (events.slot_offered, on_slot_offered),
    (events.comment_added, on_comment_added),
)


def connect_listeners() -> None:
    """Connect every listener (idempotent: blinker keeps one connection per receiver)."""
    for signal, receiver in _CONNECTIONS:
        signal.connect(receiver)

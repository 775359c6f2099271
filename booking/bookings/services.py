"""The booking services: request, approve, refuse, cancel, reschedule, expire, comment.

Every function takes the acting user as a parameter and `now` where time
matters; it flushes, never commits (the view or the CLI commits once). A refusal
raises `BookingRefused` (or `NotAllowed`) with a translated message naming the
rule. Every state change bumps the booking's SEQUENCE, records an `AuditEvent`
and sends the matching signal of `booking.bookings.events`:

* `request_created` for every new booking, whatever state it arrives in
  (pending, approved on arrival, or waitlisted for an open-lab seat);
* `booking_approved`, `booking_refused` (`automatic=True` when refused because an
  overlapping request was approved), `booking_cancelled`, `booking_expired`,
  `booking_rescheduled` (with `previous`, the former (start_at, end_at) of each booking, and
  `was_approved`, whether each was approved before the move), `seat_promoted`,
  `comment_added`.

Every service follows the lock order of `locking.py` (the resource row first,
then the bookings re-read, then the rules that count other rows, then the
writes); writes that may make a booking approved run inside its overlap guard.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from booking import audit
from booking.auth.models import Association, User
from booking.bookings import events
from booking.bookings.equipment import check_equipment_free
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.locking import (
    LockedReads,
    fresh,
    lock_and_read,
    lock_booking,
    lock_resource,
    lock_resources,
    overlap_guard,
)
from booking.bookings.models import (
    MAX_BOOKING_SPAN,
    Booking,
    BookingEquipment,
    BookingState,
    Comment,
)
from booking.bookings.quotas import check_quota, check_quota_of
from booking.bookings.rules import (
    BookingRequest,
    check_closures,
    check_overlap,
    check_request,
)
from booking.bookings.seats import check_seats_per_person, promote_waiting, seats_left
from booking.bookings.transitions import change_state
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Resource

__all__ = [
    "AUTO_REFUSAL_REASON",
    "BookingRequest",
    "add_comment",
    "approve",
    "cancel",
    "expire_pending",
    "refuse",
    "request_booking",
    "state_refusal",
]

#: Stored as the decision reason of pending requests refused because an overlapping one
#: was approved (in the language of the moment; listeners get `automatic=True`).
AUTO_REFUSAL_REASON = _l("Another request for this time slot has been approved.")

MAX_TITLE_LENGTH = 200


def approves_on_arrival(
    resource: Resource, association: Association, trusted: bool | None = None
) -> bool:
    """No approval needed, or the association is trusted for this resource (`trusted`:
    already known, else read)."""
    if not resource.requires_approval:
        return True
    return trusted if trusted is not None else resource.is_trusted(association)


def clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise BookingRefused(_("Give the booking a title."), rule="title", field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise BookingRefused(
            _("The title is too long (at most %(max)s characters).", max=MAX_TITLE_LENGTH),
            rule="title",
            field="title",
        )
    return title


def state_refusal(booking: Booking) -> BookingRefused:
    """The booking is no longer in a state the change applies to: say which, in words.

    Someone else (a manager, the requester, the expiry job) usually changed it since
    the page was loaded, so the message names what happened rather than a permission.
    """
    messages = {
        BookingState.APPROVED: _("This request has already been approved."),
        BookingState.REFUSED: _("This request has already been refused."),
        BookingState.CANCELLED: _("This booking has already been cancelled."),
        BookingState.EXPIRED: _("This request has expired: no decision was made before its start."),
        BookingState.RELEASED: _(
            "This booking was released: nobody checked in in time, so the slot is free again."
        ),
    }
    message = messages.get(BookingState(booking.state)) or _(
        "This booking cannot be changed any more (it is %(state)s).",
        state=state_label(booking.state),
    )
    return BookingRefused(message, rule="state")


def state_label(state: BookingState) -> str:
    labels = {
        BookingState.PENDING: _("pending"),
        BookingState.APPROVED: _("approved"),
        BookingState.REFUSED: _("refused"),
        BookingState.CANCELLED: _("cancelled"),
        BookingState.EXPIRED: _("expired"),
        BookingState.WAITLISTED: _("on the waiting list"),
        BookingState.RELEASED: _("released"),
    }
    return labels[BookingState(state)]


def _reason_or_none(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    return reason or None


def require_reason(reason: str | None, message: str) -> str:
    cleaned = _reason_or_none(reason)
    if cleaned is None:
        raise BookingRefused(message, rule="reason", field="reason")
    return cleaned


# --- Creating ---------------------------------------------------------------------------


def build_booking(actor: User, req: BookingRequest, title: str) -> Booking:
    booking = Booking(
        resource=req.resource,
        association=req.association,
        requester_id=actor.id,
        title=title,
        purpose=(req.purpose or "").strip() or None,
        attendees=req.attendees,
        is_public=req.is_public,
        state=BookingState.PENDING,
        exclusive=req.resource.is_exclusive,
        start_at=req.start_at,
        end_at=req.end_at,
        sequence=0,
    )
    # Always set, even empty: the emails read it, and an untouched collection of a new
    # booking would be fetched from the database once flushed.
    booking.equipment = [
        BookingEquipment(equipment_id=equipment_id, quantity=quantity)
        for equipment_id, quantity in sorted(req.equipment.items())
    ]
    return booking


def wanted_equipment(booking: Booking) -> dict[int, int]:
    return {item.equipment_id: item.quantity for item in booking.equipment}


def arrival_state(
    actor: User, req: BookingRequest, read: LockedReads | None = None
) -> BookingState:
    """The state a checked request arrives in, from the rules that count other rows
    (quota, overlap, seats); call under the resource lock (`read`: what `lock_and_read`
    read with it, else read here)."""
    resource = req.resource
    if read is None:
        check_quota(resource, req.association, req.start_at, req.end_at)
    else:
        check_quota_of(read.quota, resource, req.association, req.start_at, req.end_at)
    if resource.is_exclusive:
        check_overlap(resource, req.start_at, req.end_at)
    check_equipment_free(resource, req.start_at, req.end_at, req.equipment)
    if resource.is_exclusive:
        trusted = read.trusted if read is not None else None
        if approves_on_arrival(resource, req.association, trusted):
            return BookingState.APPROVED
        return BookingState.PENDING
    check_seats_per_person(actor, resource, req.start_at, req.end_at, req.attendees)
    if seats_left(resource, req.start_at, req.end_at) >= req.attendees:
        return BookingState.APPROVED
    return BookingState.WAITLISTED


def insert_booking(
    actor: User,
    req: BookingRequest,
    state: BookingState,
    *,
    now: datetime,
    series_id: int | None = None,
) -> Booking:
    """Write a checked request in the given state and record it (no signal)."""
    booking = build_booking(actor, req, clean_title(req.title))
    booking.state = state
    booking.series_id = series_id
    if state is BookingState.APPROVED:
        booking.decided_at = now
    if state is BookingState.APPROVED and booking.exclusive:
        with overlap_guard(req.resource, req.start_at, req.end_at):
            db.session.add(booking)
    else:
        # Only an approved booking of an exclusive resource meets the exclusion
        # constraint: no SAVEPOINT (two round trips) around the other inserts.
        db.session.add(booking)
        db.session.flush()
    audit.record(
        "booking",
        booking.id,
        "requested",
        actor_id=actor.id,
        to_state=str(state),
    )
    return booking


def request_booking(actor: User, req: BookingRequest, *, now: datetime | None = None) -> Booking:
    """Check a request against every rule and store it.

    Exclusive resources: *approved* on arrival when the resource needs no approval
    or trusts the association (overlapping pending requests are then refused),
    else *pending*. Open-lab sessions: an *approved* seat, or *waitlisted* when full.
    """
    now = now or utcnow()
    clean_title(req.title)
    check_request(actor, req, now, check_conflicts=False)
    read = lock_and_read(req)
    state = arrival_state(actor, req, read)  # quota, overlap and seats: after the lock
    booking = insert_booking(actor, req, state, now=now)
    events.request_created.send(None, bookings=[booking], actor=actor)
    if state is BookingState.APPROVED and booking.exclusive:
        refuse_overlapping_pending(actor, booking, now=now)
    return booking


# --- Deciding ---------------------------------------------------------------------------


def _require_decider(actor: User, booking: Booking) -> None:
    if not booking.can_decide(actor):
        raise NotAllowed(
            _(
                "Only the managers of %(resource)s can decide on its requests.",
                resource=booking.resource.name,
            )
        )


def refuse_overlapping_pending(
    actor: User | None, booking: Booking, *, now: datetime
) -> list[Booking]:
    """Refuse the pending requests an approved booking now overlaps, with the standard reason."""
    if not booking.exclusive:
        return []
    stmt = (
        select(Booking)
        .where(
            Booking.resource_id == booking.resource_id,
            Booking.state == BookingState.PENDING,
            Booking.exclusive.is_(True),
            Booking.id != booking.id,
            Booking.start_at < booking.end_at,
            Booking.end_at > booking.start_at,
            Booking.start_at > booking.start_at - MAX_BOOKING_SPAN,
        )
        .order_by(Booking.start_at, Booking.id)
    )
    refused = list(db.session.scalars(fresh(stmt)))
    reason = str(AUTO_REFUSAL_REASON)
    for other in refused:
        change_state(
            other, BookingState.REFUSED, actor=actor, action="refused", now=now, reason=reason
        )
    db.session.flush()
    for other in refused:
        events.booking_refused.send(
            None, bookings=[other], actor=actor, reason=reason, automatic=True
        )
    return refused


def approve_one(actor: User, booking: Booking, *, now: datetime) -> list[Booking]:
    """Approve under the resource lock (already taken by the caller); no signal."""
    resource = booking.resource
    db.session.refresh(booking)
    # The conflict first: the loser of a race learns who got the slot, even if
    # the winner's approval has meanwhile refused its request.
    if booking.exclusive:
        check_overlap(resource, booking.start_at, booking.end_at, exclude_ids=[booking.id])
    allowed = {BookingState.PENDING}
    if not booking.exclusive:
        allowed.add(BookingState.WAITLISTED)
    if booking.state not in allowed:
        raise state_refusal(booking)
    if booking.start_at <= now:
        raise BookingRefused(_("This booking has already started."), rule="past")
    check_closures(resource, booking.start_at, booking.end_at)
    if (
        not booking.exclusive
        and seats_left(resource, booking.start_at, booking.end_at) < booking.attendees
    ):
        raise BookingRefused(
            _("No seat is left in this session of %(resource)s.", resource=resource.name),
            rule="capacity",
            field="attendees",
        )
    check_equipment_free(
        resource, booking.start_at, booking.end_at, wanted_equipment(booking), [booking.id]
    )
    with overlap_guard(resource, booking.start_at, booking.end_at, booking.id):
        change_state(booking, BookingState.APPROVED, actor=actor, action="approved", now=now)
    return refuse_overlapping_pending(actor, booking, now=now)


def approve(actor: User, booking: Booking, *, now: datetime | None = None) -> list[Booking]:
    """Approve a pending request, re-checked atomically against approved bookings.

    Returns the pending requests refused automatically because they now overlap.
    """
    now = now or utcnow()
    _require_decider(actor, booking)
    lock_resource(booking.resource)
    refused = approve_one(actor, booking, now=now)
    events.booking_approved.send(None, bookings=[booking], actor=actor)
    return refused


def refuse(actor: User, booking: Booking, reason: str, *, now: datetime | None = None) -> None:
    """Refuse a pending (or waiting) request; the reason is required and sent to the requester."""
    now = now or utcnow()
    _require_decider(actor, booking)
    reason = require_reason(reason, _("Say why the request is refused."))
    lock_booking(booking)
    if booking.state not in (BookingState.PENDING, BookingState.WAITLISTED):
        raise state_refusal(booking)
    change_state(
        booking, BookingState.REFUSED, actor=actor, action="refused", now=now, reason=reason
    )
    db.session.flush()
    events.booking_refused.send(
        None, bookings=[booking], actor=actor, reason=reason, automatic=False
    )


# --- Cancelling -------------------------------------------------------------------------


def cancel_one(actor: User, booking: Booking, reason: str | None, *, now: datetime) -> bool:
    """Cancel with permission and reason checked; no signal. Returns whether it was approved.

    The caller holds the resource lock and has re-read the booking (`lock_booking`).
    """
    if not booking.can_cancel(actor):
        if booking.state not in (
            BookingState.PENDING,
            BookingState.APPROVED,
            BookingState.WAITLISTED,
        ):
            raise state_refusal(booking)
        raise NotAllowed(_("You cannot cancel this booking."))
    as_manager = not actor.is_member_of(booking.association_id)
    reason = _reason_or_none(reason)
    if as_manager and reason is None:
        raise BookingRefused(
            _("Say why you cancel the booking: the association will be told."),
            rule="reason",
            field="reason",
        )
    if booking.end_at <= now:
        raise BookingRefused(_("This booking is already over."), rule="past")
    was_approved = booking.state is BookingState.APPROVED
    change_state(
        booking, BookingState.CANCELLED, actor=actor, action="cancelled", now=now, reason=reason
    )
    db.session.flush()
    return was_approved


def cancel(
    actor: User, booking: Booking, reason: str | None = None, *, now: datetime | None = None
) -> None:
    """Cancel a booking or request. A member of the association may give a reason; a
    manager cancelling someone else's booking must. A freed open-lab seat goes to
    the first person waiting."""
    now = now or utcnow()
    lock_booking(booking)
    was_approved = cancel_one(actor, booking, reason, now=now)
    events.booking_cancelled.send(
        None,
        bookings=[booking],
        actor=actor,
        reason=booking.cancel_reason,
        was_approved=was_approved,
    )
    if was_approved and not booking.exclusive:
        promote_waiting(booking.resource, booking.start_at, booking.end_at, now=now)


# --- Housekeeping -----------------------------------------------------------------------


def expire_pending(*, now: datetime | None = None) -> list[Booking]:
    """Requests still pending (or waiting) when their time has come expire.

    Their resources are locked first (in id order), then the requests re-read.
    """
    now = now or utcnow()
    due = (
        Booking.state.in_((BookingState.PENDING, BookingState.WAITLISTED)),
        Booking.start_at <= now,
    )
    resource_ids = list(db.session.scalars(select(Booking.resource_id).where(*due).distinct()))
    if not resource_ids:
        return []
    lock_resources(resource_ids)
    stmt = (
        select(Booking)
        .where(*due, Booking.resource_id.in_(resource_ids))
        .order_by(Booking.start_at, Booking.id)
    )
    expired = list(db.session.scalars(fresh(stmt)))
    for booking in expired:
        change_state(booking, BookingState.EXPIRED, actor=None, action="expired", now=now)
    db.session.flush()
    for booking in expired:
        events.booking_expired.send(None, bookings=[booking])
    return expired


def add_comment(actor: User, booking: Booking, body: str) -> Comment:
    """A message between the association and the managers, on the booking."""
    if not booking.can_comment(actor):
        raise NotAllowed(_("You cannot comment on this booking."))
    body = (body or "").strip()
    if not body:
        raise BookingRefused(_("Write a message."), rule="comment", field="body")
    comment = Comment(booking=booking, author_id=actor.id, body=body)
    db.session.add(comment)
    db.session.flush()
    audit.record("booking", booking.id, "commented", actor_id=actor.id)
    events.comment_added.send(None, bookings=[booking], actor=actor, comment=comment)
    return comment

"""Moving a booking: another time, another room, or both (issue 13, item 6).

The same rules as a new request in the resource it moves to (`rules.check_request`,
plus `rules.check_same_kind`); both resources are locked in id order before the
booking is re-read (`locking.py`). The move raises the booking's SEQUENCE, and the
calendar-version triggers raise both resources' versions, so feeds, ETags and
grids of the old and the new room change. `events.booking_rescheduled` carries the
former periods, states and resources: the listeners tell the requester, the
managers of the new room and, for the freed slot, those of the old one.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from booking import audit
from booking.auth.models import User
from booking.bookings import events
from booking.bookings.equipment import check_equipment_free
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.locking import lock_resources, overlap_guard
from booking.bookings.models import Booking, BookingSeries, BookingState
from booking.bookings.quotas import check_quota
from booking.bookings.rules import as_request, check_overlap, check_request, check_same_kind
from booking.bookings.seats import promote_waiting, seats_left
from booking.bookings.series import Occurrence, problem_dates_refusal, series_bookings
from booking.bookings.services import (
    approves_on_arrival,
    refuse_overlapping_pending,
    state_refusal,
    wanted_equipment,
)
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Resource
from booking.timeutil import to_local, to_utc


def _require_editor(actor: User, booking: Booking) -> None:
    if not (actor.is_member_of(booking.association_id) or booking.resource.can_approve(actor)):
        raise NotAllowed(_("You cannot change this booking."))


def rescheduled_state(
    actor: User,
    booking: Booking,
    start_at: datetime,
    end_at: datetime,
    resource: Resource | None = None,
) -> BookingState:
    """The state after moving (under the lock), in `resource` (default: its own):
    re-approval is needed unless the resource approves on arrival or one of its
    managers moves an approved booking."""
    resource = resource or booking.resource
    exclusive = resource.is_exclusive
    if exclusive:
        check_overlap(resource, start_at, end_at, exclude_ids=[booking.id])
    check_equipment_free(resource, start_at, end_at, wanted_equipment(booking), [booking.id])
    if not exclusive:
        if seats_left(resource, start_at, end_at, exclude_ids=[booking.id]) >= booking.attendees:
            return BookingState.APPROVED
        return BookingState.WAITLISTED
    if approves_on_arrival(resource, booking.association):
        return BookingState.APPROVED
    if booking.state is BookingState.APPROVED and resource.can_approve(actor):
        return BookingState.APPROVED
    return BookingState.PENDING


def move_booking(
    actor: User,
    booking: Booking,
    start_at: datetime,
    end_at: datetime,
    state: BookingState,
    *,
    now: datetime,
    resource: Resource | None = None,
) -> None:
    """Write the new period, resource and state; SEQUENCE += 1; audited; no signal.

    A new period or room calls for a new day-before reminder, and a request waiting
    again for managers for a new "still pending" reminder. The caller holds the
    locks of both resources (`lock_resources`).
    """
    from_state = booking.state
    resource = resource or booking.resource
    with overlap_guard(resource, start_at, end_at, booking.id):
        moved = (booking.start_at, booking.end_at, booking.resource_id) != (
            start_at,
            end_at,
            resource.id,
        )
        if resource.id != booking.resource_id:
            booking.resource = resource
            booking.exclusive = resource.is_exclusive
        booking.start_at = start_at
        booking.end_at = end_at
        booking.state = state
        booking.sequence = (booking.sequence or 0) + 1
        if moved:
            booking.reminder_sent_at = None  # the day-before reminder is for the new date
        if state is BookingState.PENDING and (moved or from_state is not state):
            booking.manager_reminder_sent_at = None  # waiting for a decision again
        if state is not from_state:
            booking.decided_by_id = None
            booking.decided_at = now if state is BookingState.APPROVED else None
            booking.decision_reason = None
    audit.record(
        "booking",
        booking.id,
        "rescheduled",
        actor_id=actor.id,
        from_state=str(from_state),
        to_state=str(state),
    )


def lock_for_move(booking: Booking, resource: Resource | None) -> Resource:
    """Lock the booking's resource and the one it moves to (id order), then re-read it.

    Returns the resource it moves to. A booking moved to another room by someone
    else between the page and the lock is refused (its new room was not locked)."""
    target = resource or booking.resource
    resource_id = booking.resource_id
    lock_resources([resource_id, target.id])
    db.session.refresh(booking)
    if booking.resource_id != resource_id:
        raise BookingRefused(
            _("This booking has just been moved by someone else: look at it again."),
            rule="state",
        )
    return target


def reschedule(
    actor: User,
    booking: Booking,
    start_at: datetime,
    end_at: datetime,
    *,
    resource: Resource | None = None,
    now: datetime | None = None,
) -> Booking:
    """Move a pending or approved booking (to another time, and to `resource`), re-checked
    against every rule of a new request in the resource it moves to.

    It goes back to *pending* when that resource requires approval (unless one of its
    managers moves an approved booking); an open-lab seat moves to another session, or
    to its waiting list, and frees its old seat. A date of a series moved to another
    room leaves the series (every booking of a series is in the series' room).
    """
    now = now or utcnow()
    _require_editor(actor, booking)
    previous_resource = booking.resource
    target = lock_for_move(booking, resource)
    if booking.state not in (BookingState.PENDING, BookingState.APPROVED):
        raise state_refusal(booking)
    if booking.start_at <= now:
        raise BookingRefused(_("This booking has already started."), rule="past")
    if target.id != previous_resource.id:
        check_same_kind(previous_resource, target)
    req = as_request(booking, start_at, end_at, target)
    check_request(
        actor,
        req,
        now,
        exclude_ids=[booking.id],
        check_conflicts=False,
        trainee=booking.requester or actor,
    )
    check_quota(target, req.association, start_at, end_at, exclude_ids=[booking.id])
    previous = (booking.start_at, booking.end_at)
    was_approved = booking.state is BookingState.APPROVED
    state = rescheduled_state(actor, booking, start_at, end_at, target)
    move_booking(actor, booking, start_at, end_at, state, now=now, resource=target)
    if target.id != previous_resource.id:
        booking.series_id = None
    events.booking_rescheduled.send(
        None,
        bookings=[booking],
        actor=actor,
        previous=[previous],
        was_approved=[was_approved],
        previous_resources=[previous_resource],
    )
    if state is BookingState.APPROVED:
        refuse_overlapping_pending(actor, booking, now=now)
    if (
        was_approved
        and not booking.exclusive
        and (previous, previous_resource.id)
        != (
            (start_at, end_at),
            target.id,
        )
    ):
        promote_waiting(previous_resource, previous[0], previous[1], now=now)
    return booking


# --- A series ---------------------------------------------------------------------------


def reschedule_series(
    actor: User,
    series: BookingSeries,
    start_time: time,
    duration_minutes: int,
    *,
    from_booking: Booking | None = None,
    resource: Resource | None = None,
    now: datetime | None = None,
) -> list[Booking]:
    """Give the remaining occurrences (all to come, or from `from_booking` on) a new
    local start time and length, on the same dates, and `resource` if given. Every
    date is re-checked first; if any fails nothing changes and the dates are named.
    Occurrences go back to pending when the resource requires approval (see
    `reschedule`). The dates moved to another room form their own series there, so
    every booking of a series stays in its series' room (the desk, the approval of a
    whole series and its locks rely on it); earlier dates stay where they were."""
    now = now or utcnow()
    if not (actor.is_member_of(series.association_id) or series.resource.can_approve(actor)):
        raise NotAllowed(_("You cannot change this booking."))
    if duration_minutes < 1:
        raise BookingRefused(_("The end must be after the start."), rule="duration", field="end_at")
    target = resource or series.resource
    previous_resource = series.resource
    # The locks first, in id order (locking.py); then every check, quotas and conflicts.
    lock_resources([previous_resource.id, target.id])
    if target.id != previous_resource.id:
        check_same_kind(previous_resource, target)
    targets = [
        b
        for b in series_bookings(series, (BookingState.PENDING, BookingState.APPROVED))
        if b.start_at > now and (from_booking is None or b.start_at >= from_booking.start_at)
    ]
    if not targets:
        return []
    length = timedelta(minutes=duration_minutes)
    target_ids = [b.id for b in targets]
    plans: list[tuple[Booking, datetime, datetime]] = []
    occurrences: list[Occurrence] = []
    accepted: list[tuple[datetime, datetime]] = []
    for booking in targets:
        start_local = datetime.combine(to_local(booking.start_at).date(), start_time)
        start_at, end_at = to_utc(start_local), to_utc(start_local + length)
        problem = None
        try:
            check_request(
                actor,
                as_request(booking, start_at, end_at, target),
                now,
                exclude_ids=target_ids,
                siblings=accepted,
                trainee=booking.requester or actor,
            )
        except BookingRefused as refusal:
            problem = refusal
        else:
            accepted.append((start_at, end_at))
        occurrences.append(Occurrence(start_at, end_at, problem))
        plans.append((booking, start_at, end_at))
    if any(o.problem for o in occurrences):
        raise problem_dates_refusal(occurrences)
    states = [rescheduled_state(actor, b, s, e, target) for b, s, e in plans]
    previous = [(b.start_at, b.end_at) for b, _s, _e in plans]
    was_approved = [b.state is BookingState.APPROVED for b, _s, _e in plans]
    for (booking, start_at, end_at), state in zip(plans, states, strict=True):
        move_booking(actor, booking, start_at, end_at, state, now=now, resource=target)
    if target.id != previous_resource.id:
        _rehome(series, targets, target, start_time, duration_minutes)
    elif from_booking is None:
        series.first_start_local = datetime.combine(series.first_start_local.date(), start_time)
        series.duration_minutes = duration_minutes
    db.session.flush()
    events.booking_rescheduled.send(
        None,
        bookings=targets,
        actor=actor,
        previous=previous,
        was_approved=was_approved,
        previous_resources=[previous_resource] * len(targets),
    )
    for booking in targets:
        if booking.state is BookingState.APPROVED:
            refuse_overlapping_pending(actor, booking, now=now)
    return targets


def _rehome(
    series: BookingSeries,
    moved: list[Booking],
    resource: Resource,
    start_time: time,
    duration_minutes: int,
) -> None:
    """After moving `moved` to `resource`: the series follows when nothing of it stays
    behind; otherwise the moved dates become a series of their own in that room."""
    moved_ids = {b.id for b in moved}
    others = db.session.scalar(
        select(func.count(Booking.id)).where(
            Booking.series_id == series.id, Booking.id.not_in(moved_ids)
        )
    )
    first_local = datetime.combine(to_local(moved[0].start_at).date(), start_time)
    if not others:
        series.resource = resource
        series.first_start_local = first_local
        series.duration_minutes = duration_minutes
        return
    split = BookingSeries(
        resource=resource,
        association_id=series.association_id,
        requester_id=series.requester_id,
        rule=series.rule,
        first_start_local=first_local,
        duration_minutes=duration_minutes,
        title=series.title,
    )
    db.session.add(split)
    db.session.flush()
    for booking in moved:
        booking.series_id = split.id

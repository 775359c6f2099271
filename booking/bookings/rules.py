"""The rules a booking request must pass, one function per rule.

Each check raises `BookingRefused` naming its rule; `check_request` runs them in
the order a person would fix them (who, when, how long, where, what). Times are
compared as UTC instants; everything about the calendar (opening hours, slot
step, weekday, booking date) is read in Europe/Paris wall-clock time, so the
rules hold on the days the clocks change.

The overlap check with approved bookings is here too, but only the services call
it, under the resource lock (see `locking.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import format_time, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import or_, select

from booking.auth.models import Association, User
from booking.bookings.equipment import check_equipment_free
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import MAX_BOOKING_SPAN, Booking, BookingState
from booking.bookings.quotas import check_quota
from booking.bookings.slots import (
    beyond_horizon,
    containing,
    duration_rule,
    is_past,
    is_session,
    last_bookable_day,
    longest_minutes,
    off_step,
    within_notice,
)
from booking.extensions import db
from booking.i18n import format_day
from booking.resources.models import Closure, Resource, ResourceKind, UserTraining
from booking.timeutil import local_datetime, to_local


@dataclass
class BookingRequest:
    """What someone asks for; instants are timezone-aware (UTC or any zone)."""

    resource: Resource
    association: Association
    start_at: datetime
    end_at: datetime
    title: str
    purpose: str = ""
    attendees: int = 1
    is_public: bool = False
    equipment: dict[int, int] = field(default_factory=dict)  # equipment_id -> quantity


# --- How slots are named in messages ---------------------------------------------------


def clock(instant: datetime) -> str:
    """Wall-clock time in Europe/Paris, 24 h in every language ("14:00")."""
    return format_time(instant, "HH:mm")


def describe_period(start_at: datetime, end_at: datetime) -> str:
    """ "on Tuesday 3 March 2026 from 14:00 to 16:00", in the current language; whole
    days as such ("on Tuesday 3 March 2026 (all day)"), never "from 00:00 to 00:00"."""
    start, end = to_local(start_at), to_local(end_at)
    if start.time() == time() and end.time() == time() and end.date() > start.date():
        last = end.date() - timedelta(days=1)
        if last == start.date():
            return _("on %(date)s (all day)", date=format_day(start.date(), "full"))
        return _(
            "from %(start_date)s to %(end_date)s (whole days)",
            start_date=format_day(start.date(), "full"),
            end_date=format_day(last, "full"),
        )
    if start.date() == end.date() or (
        end.date() == start.date() + timedelta(days=1) and end.time() == time()
    ):
        return _(
            "on %(date)s from %(start)s to %(end)s",
            date=format_day(start.date(), "full"),
            start=clock(start_at),
            end=clock(end_at),
        )
    return _(
        "from %(start_date)s at %(start)s to %(end_date)s at %(end)s",
        start_date=format_day(start.date(), "full"),
        start=clock(start_at),
        end_date=format_day(end.date(), "full"),
        end=clock(end_at),
    )


def overlap_refusal(resource: Resource, conflicts: Sequence[Booking]) -> BookingRefused:
    first = conflicts[0]
    return BookingRefused(
        _(
            "%(resource)s is already booked %(period)s.",
            resource=resource.name,
            period=describe_period(first.start_at, first.end_at),
        ),
        rule="overlap",
        field="start_at",
        conflicts=conflicts,
    )


# --- Who --------------------------------------------------------------------------------


def check_bookable(resource: Resource) -> None:
    if not resource.is_bookable:
        raise BookingRefused(
            _("%(resource)s cannot be booked at the moment.", resource=resource.name),
            rule="not_bookable",
        )


def check_association(actor: User, resource: Resource, association: Association) -> None:
    """The association is validated, and the actor acts for it (or manages the resource)."""
    if not association.is_active:
        raise BookingRefused(
            _(
                "%(association)s has not been validated yet: it cannot book.",
                association=association.name,
            ),
            rule="association",
            field="association",
        )
    if actor.is_member_of(association) or resource.can_approve(actor):
        return
    raise NotAllowed(
        _(
            "You can only book for an association you are a member of, and you are not a member of %(association)s.",
            association=association.name,
        ),
        rule="membership",
        field="association",
    )


# --- When -------------------------------------------------------------------------------


def check_times(start_at: datetime, end_at: datetime, now: datetime) -> None:
    if start_at.tzinfo is None or end_at.tzinfo is None:
        raise ValueError("booking instants must be timezone-aware")
    if end_at <= start_at:
        raise BookingRefused(_("The end must be after the start."), rule="duration", field="end_at")
    if is_past(start_at, now):
        raise BookingRefused(_("The start is in the past."), rule="past", field="start_at")


def check_notice_and_horizon(resource: Resource, start_at: datetime, now: datetime) -> None:
    if within_notice(resource, start_at, now):
        raise BookingRefused(
            _(
                "%(resource)s must be booked at least %(notice)s in advance.",
                resource=resource.name,
                notice=minutes_in_words(resource.min_notice_minutes),
            ),
            rule="notice",
            field="start_at",
        )
    if beyond_horizon(resource, start_at, now):
        last_day = last_bookable_day(resource, now)
        raise BookingRefused(
            _(
                "%(resource)s can be booked at most %(days)s days ahead (until %(date)s).",
                resource=resource.name,
                days=resource.horizon_days,
                date=format_day(last_day, "long"),
            ),
            rule="horizon",
            field="start_at",
        )


def bookable_days(resource: Resource, now: datetime) -> tuple[date, date]:
    """The first and last local dates on which a booking may start, by the notice and the
    horizon: the bounds the date inputs offer (`check_notice_and_horizon` has the last word)."""
    first = to_local(now + timedelta(minutes=resource.min_notice_minutes)).date()
    last = to_local(now).date() + timedelta(days=resource.horizon_days)
    return first, max(first, last)


def minutes_in_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min", hours=hours, minutes=rest)
    if hours:
        return _("%(hours)s h", hours=hours)
    return _("%(minutes)s min", minutes=rest)


def check_duration(resource: Resource, start_at: datetime, end_at: datetime) -> None:
    """Length in real elapsed minutes; fixed slots are exactly one step long."""
    rule = duration_rule(resource, start_at, end_at)
    if rule is None:
        return
    if resource.fixed_slots:
        raise BookingRefused(
            _(
                "%(resource)s is booked in slots of exactly %(step)s.",
                resource=resource.name,
                step=minutes_in_words(resource.slot_step_minutes),
            ),
            rule="step",
            field="end_at",
        )
    if (end_at - start_at) < timedelta(minutes=resource.min_duration_minutes):
        raise BookingRefused(
            _(
                "A booking of %(resource)s lasts at least %(minimum)s.",
                resource=resource.name,
                minimum=minutes_in_words(resource.min_duration_minutes),
            ),
            rule="duration",
            field="end_at",
        )
    raise BookingRefused(
        _(
            "A booking of %(resource)s lasts at most %(maximum)s.",
            resource=resource.name,
            maximum=minutes_in_words(longest_minutes(resource)),
        ),
        rule="duration",
        field="end_at",
    )


def opening_ranges(resource: Resource, day: date) -> list[tuple[time, time]]:
    """The resource's opening ranges (its own, else its site's) on a local date, sorted."""
    ranges = [
        (item.opens_at, item.closes_at)
        for item in resource.effective_opening_hours()
        if item.weekday == day.weekday()
    ]
    return sorted(ranges)


def containing_range(
    resource: Resource, start_at: datetime, end_at: datetime
) -> tuple[date, time, time] | None:
    """The opening range holding the whole local period, or None."""
    return containing(opening_ranges(resource, to_local(start_at).date()), start_at, end_at)


def check_opening_hours(resource: Resource, start_at: datetime, end_at: datetime) -> None:
    if containing_range(resource, start_at, end_at) is not None:
        return
    day = to_local(start_at).date()
    ranges = opening_ranges(resource, day)
    if not resource.has_opening_hours:  # a new resource: no day has hours yet
        message = _(
            "%(resource)s cannot be booked yet: it has no opening hours.",
            resource=resource.name,
        )
    elif ranges:
        hours = ", ".join(
            _(
                "%(opens)s–%(closes)s",
                opens=clock(local_datetime(day, opens)),
                closes=clock(local_datetime(day, closes)),
            )
            for opens, closes in ranges
        )
        message = _(
            "%(resource)s is open on %(date)s only %(hours)s.",
            resource=resource.name,
            date=format_day(day, "full"),
            hours=hours,
        )
    else:
        message = _(
            "%(resource)s is closed on %(date)s.",
            resource=resource.name,
            date=format_day(day, "full"),
        )
    raise BookingRefused(message, rule="opening_hours", field="start_at")


def check_step(resource: Resource, start_at: datetime, end_at: datetime) -> None:
    """Start and end fall on the slot grid, counted in wall-clock time from the opening."""
    found = containing_range(resource, start_at, end_at)
    if found is None:  # check_opening_hours refuses first
        return
    day, opens, _closes = found
    for instant in (start_at, end_at):
        if off_step(resource, day, opens, instant):
            raise BookingRefused(
                _(
                    "Bookings of %(resource)s start and end on %(step)s steps from the opening time (%(opens)s).",
                    resource=resource.name,
                    step=minutes_in_words(resource.slot_step_minutes),
                    opens=clock(local_datetime(day, opens)),
                ),
                rule="step",
                field="start_at" if instant is start_at else "end_at",
            )


def closures_between(resource: Resource, start_at: datetime, end_at: datetime) -> list[Closure]:
    """Closures of the resource or its site overlapping the half-open period."""
    stmt = (
        select(Closure)
        .where(
            or_(Closure.resource_id == resource.id, Closure.site_id == resource.site_id),
            Closure.start_at < end_at,
            Closure.end_at > start_at,
        )
        .order_by(Closure.start_at)
    )
    return list(db.session.scalars(stmt))


def check_closures(resource: Resource, start_at: datetime, end_at: datetime) -> None:
    closures = closures_between(resource, start_at, end_at)
    if not closures:
        return
    first = closures[0]
    raise BookingRefused(
        _(
            "%(resource)s is closed %(period)s (%(label)s).",
            resource=resource.name,
            period=describe_period(first.start_at, first.end_at),
            label=first.label,
        ),
        rule="closure",
        field="start_at",
        conflicts=closures,
    )


# --- What -------------------------------------------------------------------------------


def check_attendees(resource: Resource, attendees: int) -> None:
    if attendees < 1:
        raise BookingRefused(
            _("There must be at least one attendee."), rule="capacity", field="attendees"
        )
    if attendees > resource.capacity:
        raise BookingRefused(
            ngettext(
                "%(resource)s is for one person at a time.",
                "%(resource)s holds at most %(num)d people.",
                resource.capacity,
                resource=resource.name,
            ),
            rule="capacity",
            field="attendees",
        )


def check_equipment(resource: Resource, wanted: dict[int, int]) -> None:
    available = {item.equipment_id: item for item in resource.equipment}
    for equipment_id, quantity in wanted.items():
        item = available.get(equipment_id)
        if item is None:
            raise BookingRefused(
                _(
                    "%(resource)s does not have the equipment asked for.",
                    resource=resource.name,
                ),
                rule="equipment",
                field="equipment",
            )
        if quantity < 1 or quantity > item.quantity:
            raise BookingRefused(
                _(
                    "%(resource)s has %(count)s × %(equipment)s; %(asked)s asked for.",
                    resource=resource.name,
                    count=item.quantity,
                    equipment=item.equipment.name_in(str(get_locale())),
                    asked=quantity,
                ),
                rule="equipment",
                field="equipment",
            )


def held_training(user: User, resource: Resource) -> UserTraining | None:
    """The user's record of the training the resource requires (None: never obtained)."""
    training = resource.required_training
    if training is None:
        return None
    return db.session.scalar(
        select(UserTraining).where(
            UserTraining.user_id == user.id, UserTraining.training_id == training.id
        )
    )


def check_training(actor: User, resource: Resource, start_at: datetime) -> None:
    """Checked on the server: hiding the machine in the page is not enough.

    Never obtained: a refusal about the person (no field). Obtained but not valid
    on that day (expired, or obtained later): a refusal about the date.
    """
    training = resource.required_training
    if training is None:
        return
    day = to_local(start_at).date()
    held = held_training(actor, resource)
    if held is not None and held.is_valid_on(day):
        return
    if held is None:
        raise BookingRefused(
            _(
                "%(resource)s requires the training “%(training)s”, which you do not hold yet.",
                resource=resource.name,
                training=training.name,
            ),
            rule="training",
            field="training",
        )
    raise BookingRefused(
        _(
            "%(resource)s requires the training “%(training)s”, valid on %(date)s.",
            resource=resource.name,
            training=training.name,
            date=format_day(day, "long"),
        ),
        rule="training",
        field="date",
    )


# --- Another resource -------------------------------------------------------------------

_ROOMS = frozenset({ResourceKind.VISIO_ROOM, ResourceKind.ROOM})


def check_same_kind(current: Resource, target: Resource) -> None:
    """A booking moves to a resource of its kind: a room to a room (visio or not), a
    machine to a machine, a seat to another open-lab session."""
    if current.kind == target.kind or {current.kind, target.kind} <= _ROOMS:
        return
    raise BookingRefused(
        _(
            "%(target)s is not the same kind of resource as %(resource)s: book it with a new request.",
            target=target.name,
            resource=current.name,
        ),
        rule="kind",
        field="resource",
    )


# --- Conflicts --------------------------------------------------------------------------


def approved_overlapping(
    resource: Resource,
    start_at: datetime,
    end_at: datetime,
    exclude_ids: Iterable[int] = (),
) -> list[Booking]:
    """Approved exclusive bookings of the resource overlapping the half-open period."""
    stmt = (
        select(Booking)
        .where(
            Booking.resource_id == resource.id,
            Booking.state == BookingState.APPROVED,
            Booking.exclusive.is_(True),
            Booking.start_at < end_at,
            Booking.end_at > start_at,
            Booking.start_at > start_at - MAX_BOOKING_SPAN,
        )
        .order_by(Booking.start_at)
    )
    excluded = [i for i in exclude_ids if i is not None]
    if excluded:
        stmt = stmt.where(Booking.id.not_in(excluded))
    return list(db.session.scalars(stmt))


def check_overlap(
    resource: Resource, start_at: datetime, end_at: datetime, exclude_ids: Iterable[int] = ()
) -> None:
    if not resource.is_exclusive:
        return
    conflicts = approved_overlapping(resource, start_at, end_at, exclude_ids)
    if conflicts:
        raise overlap_refusal(resource, conflicts)


# --- Open-lab sessions ------------------------------------------------------------------


def check_session(resource: Resource, start_at: datetime, end_at: datetime) -> None:
    """A seat is booked for one whole session: an opening range of the resource on a date."""
    day = to_local(start_at).date()
    ranges = opening_ranges(resource, day)
    if is_session(ranges, start_at, end_at):
        return
    if not ranges:
        message = _(
            "%(resource)s has no session on %(date)s.",
            resource=resource.name,
            date=format_day(day, "full"),
        )
    else:
        sessions = ", ".join(
            _(
                "%(opens)s–%(closes)s",
                opens=clock(local_datetime(day, opens)),
                closes=clock(local_datetime(day, closes)),
            )
            for opens, closes in ranges
        )
        message = _(
            "A seat is booked for a whole session; sessions of %(resource)s on %(date)s: %(sessions)s.",
            resource=resource.name,
            date=format_day(day, "full"),
            sessions=sessions,
        )
    raise BookingRefused(message, rule="session", field="start_at")


# --- The slot alone ---------------------------------------------------------------------


def check_slot(resource: Resource, start_at: datetime, end_at: datetime, now: datetime) -> None:
    """The rules on the period alone, with their messages.

    The same predicates, in the same order, as `slots.broken_rule`, which the
    search and the calendars ask: a period they offer passes here."""
    check_times(start_at, end_at, now)
    check_notice_and_horizon(resource, start_at, now)
    if resource.is_exclusive:
        check_duration(resource, start_at, end_at)
        check_opening_hours(resource, start_at, end_at)
        check_step(resource, start_at, end_at)
    else:
        check_session(resource, start_at, end_at)


# --- All together -----------------------------------------------------------------------


def check_request(
    actor: User,
    req: BookingRequest,
    now: datetime,
    *,
    exclude_ids: Iterable[int] = (),
    siblings: Sequence[tuple[datetime, datetime]] = (),
    check_conflicts: bool = True,
    trainee: User | None = None,
) -> None:
    """Run every rule on a request; raise the first refusal.

    `exclude_ids`: bookings to ignore (the one being rescheduled, a series' own
    occurrences). `siblings`: periods requested together (a series preview) that
    count towards the quotas. `check_conflicts=False` leaves the rules that count
    other rows (quota, overlap) to the caller, who must run them under the
    resource lock (`locking.py`). `trainee`: whose
    training counts (the actor, unless a booking made by someone else is moved).
    """
    resource = req.resource
    check_bookable(resource)
    check_association(actor, resource, req.association)
    check_slot(resource, req.start_at, req.end_at, now)
    check_closures(resource, req.start_at, req.end_at)
    check_attendees(resource, req.attendees)
    check_equipment(resource, req.equipment)
    check_training(trainee or actor, resource, req.start_at)
    if check_conflicts:
        check_quota(
            resource,
            req.association,
            req.start_at,
            req.end_at,
            exclude_ids=exclude_ids,
            extra=siblings,
        )
        check_overlap(resource, req.start_at, req.end_at, exclude_ids)
        check_equipment_free(resource, req.start_at, req.end_at, req.equipment, exclude_ids)


def as_request(
    booking: Booking,
    start_at: datetime | None = None,
    end_at: datetime | None = None,
    resource: Resource | None = None,
) -> BookingRequest:
    """A booking (possibly at a new time, in another resource) as the request it stands
    for, to re-check it."""
    return BookingRequest(
        resource=resource or booking.resource,
        association=booking.association,
        start_at=start_at or booking.start_at,
        end_at=end_at or booking.end_at,
        title=booking.title,
        purpose=booking.purpose or "",
        attendees=booking.attendees,
        is_public=booking.is_public,
        equipment={item.equipment_id: item.quantity for item in booking.equipment},
    )

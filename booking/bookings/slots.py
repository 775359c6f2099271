"""Whether a period is bookable by the rules that depend only on the resource and the clock.

One predicate per rule, and `broken_rule` running them in the order of
`rules.check_request`. The request rules (`rules.py`) turn a broken rule into its
message; the "find a free room" search and the calendar grids ask `broken_rule`
directly, so that what the pages offer as free is exactly what the form accepts.
Rules that depend on other rows (closures, overlap, quotas, seats) or on the
person (association, training) are checked elsewhere.

Nothing here queries the database: the opening ranges of the start's local date
are passed in (`rules.opening_ranges` for one resource, the weekly hours that the
availability queries read for many).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from booking.bookings.models import MAX_BOOKING_SPAN
from booking.resources.models import ResourceKind
from booking.timeutil import to_local

Ranges = Sequence[tuple[time, time]]


class SlotResource(Protocol):
    """What the slot rules read of a resource (a `Resource` or a calendar's light row)."""

    kind: ResourceKind
    min_notice_minutes: int
    horizon_days: int
    fixed_slots: bool
    slot_step_minutes: int
    min_duration_minutes: int
    max_duration_minutes: int


def is_past(start_at: datetime, now: datetime) -> bool:
    return start_at < now


def within_notice(resource: SlotResource, start_at: datetime, now: datetime) -> bool:
    return start_at < now + timedelta(minutes=resource.min_notice_minutes)


def last_bookable_day(resource: SlotResource, now: datetime) -> date:
    """The last local date a booking may start on."""
    return to_local(now).date() + timedelta(days=resource.horizon_days)


def beyond_horizon(resource: SlotResource, start_at: datetime, now: datetime) -> bool:
    return to_local(start_at).date() > last_bookable_day(resource, now)


def longest_minutes(resource: SlotResource) -> int:
    return min(resource.max_duration_minutes, MAX_BOOKING_SPAN // timedelta(minutes=1))


def duration_rule(resource: SlotResource, start_at: datetime, end_at: datetime) -> str | None:
    """ "step" (fixed slots of the wrong length), "duration" (too short or long), or None.

    Length in real elapsed minutes; fixed slots are exactly one step long."""
    minutes = (end_at - start_at).total_seconds() / 60
    if resource.fixed_slots:
        return None if minutes == resource.slot_step_minutes else "step"
    if minutes < resource.min_duration_minutes or minutes > longest_minutes(resource):
        return "duration"
    return None


def containing(
    ranges: Ranges, start_at: datetime, end_at: datetime
) -> tuple[date, time, time] | None:
    """The opening range (of the start's local date) holding the whole local period, or None."""
    start, end = to_local(start_at), to_local(end_at)
    if start.date() != end.date():
        return None
    for opens, closes in ranges:
        if opens <= start.time() and end.time() <= closes:
            return start.date(), opens, closes
    return None


def off_step(resource: SlotResource, day: date, opens: time, instant: datetime) -> bool:
    """Whether the instant misses the slot grid counted in wall-clock time from the opening."""
    wall = to_local(instant).replace(tzinfo=None)
    return bool(
        (wall - datetime.combine(day, opens)).total_seconds() % (resource.slot_step_minutes * 60)
    )


def is_session(ranges: Ranges, start_at: datetime, end_at: datetime) -> bool:
    """A seat is booked for one whole session: exactly an opening range of its date."""
    found = containing(ranges, start_at, end_at)
    if found is None:
        return False
    _day, opens, closes = found
    return to_local(start_at).time() == opens and to_local(end_at).time() == closes


def broken_rule(
    resource: SlotResource, start_at: datetime, end_at: datetime, now: datetime, ranges: Ranges
) -> str | None:
    """The first rule the period breaks, named as `BookingRefused.rule`, or None.

    `ranges`: the resource's opening ranges on the start's local date."""
    if end_at <= start_at:
        return "duration"
    if is_past(start_at, now):
        return "past"
    if within_notice(resource, start_at, now):
        return "notice"
    if beyond_horizon(resource, start_at, now):
        return "horizon"
    if not resource.kind.is_exclusive:
        return None if is_session(ranges, start_at, end_at) else "session"
    rule = duration_rule(resource, start_at, end_at)
    if rule is not None:
        return rule
    found = containing(ranges, start_at, end_at)
    if found is None:
        return "opening_hours"
    day, opens, _closes = found
    if off_step(resource, day, opens, start_at) or off_step(resource, day, opens, end_at):
        return "step"
    return None


def first_booking(
    resource: SlotResource, start_at: datetime, ranges: Ranges
) -> tuple[datetime, datetime] | None:
    """The shortest booking the rules allow that covers the instant `start_at` is in.

    For a room or machine: from the step boundary at or before `start_at` (counted
    from the opening), one step for fixed slots, else the minimum length rounded up
    to whole steps. For an open-lab session: the whole session. None outside hours.
    Local wall-clock arithmetic, like the rules; the caller checks the result with
    `broken_rule`, which refuses a period that does not exist on a clock-change day.
    """
    local = to_local(start_at)
    day, wall = local.date(), local.replace(tzinfo=None)
    zone = local.tzinfo
    for opens, closes in ranges:
        origin, close = datetime.combine(day, opens), datetime.combine(day, closes)
        if not origin <= wall < close:
            continue
        if not resource.kind.is_exclusive:
            return _utc(origin, zone), _utc(close, zone)
        step = timedelta(minutes=resource.slot_step_minutes)
        begin = origin + (wall - origin) // step * step
        if resource.fixed_slots:
            length = step
        else:
            steps = -(-timedelta(minutes=max(resource.min_duration_minutes, 1)) // step)
            length = steps * step
        return _utc(begin, zone), _utc(begin + length, zone)
    return None


def _utc(wall: datetime, zone) -> datetime:
    # In UTC, so that differences are elapsed time (same-zone differences are wall-clock).
    return wall.replace(tzinfo=zone).astimezone(UTC)

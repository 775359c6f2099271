"""Plan B when a request collides: the nearest free times of the same resource, and the other
resources that fit at the same time.

Both answer with what the booking form would accept now: the same slot rules
(`slots.broken_rule`) and the same search (`availability.find_free`). A handful
of window queries, whatever the number of bookings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from booking.auth.models import User
from booking.bookings.availability import (
    FREE,
    KIND_GROUPS,
    PENDING,
    FreeResource,
    Interval,
    find_free,
    free_busy_and_hours,
)
from booking.bookings.models import Booking
from booking.bookings.slots import Ranges, broken_rule
from booking.extensions import db
from booking.resources.models import Resource, Site, UserTraining
from booking.timeutil import local_day_bounds, local_zone, to_local

SAME_DAY = 3  # free times offered on the day asked
LATER_DAYS = 3  # days looked at after it
LATER = 3  # free times offered on those days
OTHERS = 4  # other resources offered


def nearby_times(
    resource: Resource,
    start_at: datetime,
    end_at: datetime,
    now: datetime,
    *,
    same_day: int = SAME_DAY,
    later: int = LATER,
) -> list[tuple[datetime, datetime]]:
    """Free periods of the same length on the same resource: the `same_day` nearest ones on
    the day asked, then the first `later` ones of the next days, in time order."""
    length = end_at - start_at
    day = to_local(start_at).date()
    window_start = local_day_bounds(day)[0]
    window_end = local_day_bounds(day + timedelta(days=LATER_DAYS))[1]
    busy, hours = free_busy_and_hours([resource], window_start, window_end)
    intervals = busy.get(resource.id, [])
    weekly = hours.get(resource.id) or [[] for _ in range(7)]
    zone = local_zone()
    step = timedelta(minutes=resource.slot_step_minutes)
    found_same_day: list[tuple[datetime, datetime]] = []
    found_later: list[tuple[datetime, datetime]] = []
    for offset in range(LATER_DAYS + 1):
        current = day + timedelta(days=offset)
        ranges = weekly[current.weekday()]
        for opens, closes in ranges:
            begin = datetime.combine(current, opens, tzinfo=zone)
            close = datetime.combine(current, closes, tzinfo=zone)
            while begin + length <= close:
                a = begin.astimezone(UTC)
                b = (begin + length).astimezone(UTC)
                if (a, b) != (start_at, end_at) and _bookable(
                    resource, intervals, a, b, now, ranges
                ):
                    (found_same_day if offset == 0 else found_later).append((a, b))
                begin += step
    found_same_day.sort(key=lambda period: abs(period[0] - start_at))
    nearest = sorted(found_same_day[:same_day])
    return nearest + found_later[:later]


def _bookable(
    resource: Resource,
    intervals: list[Interval],
    start_at: datetime,
    end_at: datetime,
    now: datetime,
    ranges: Ranges,
) -> bool:
    """Free (or only requested) all along, and accepted by the slot rules."""
    for interval in intervals:
        if interval.end_at <= start_at:
            continue
        if interval.start_at >= end_at:
            break
        if interval.kind not in (FREE, PENDING):
            return False
    return broken_rule(resource, start_at, end_at, now, ranges) is None


def other_resources(
    resource: Resource,
    start_at: datetime,
    end_at: datetime,
    attendees: int,
    equipment_ids: Iterable[int],
    now: datetime,
    person: User,
) -> list[FreeResource]:
    """Other rooms free at the same time that fit the request (people, equipment, the
    person's trainings), the same neighbourhood first. None for a machine or an open-lab
    session: another machine is not the same tool."""
    if resource.kind not in KIND_GROUPS["visio"]:
        return []
    found = find_free(
        start_at,
        end_at,
        max(attendees, 1),
        equipment_ids,
        kind="visio",
        now=now,
        person=person,
    )
    others = [f for f in found if f.resource.id != resource.id]
    neighbourhood = resource.site.neighbourhood
    others.sort(key=lambda f: f.resource.site.neighbourhood != neighbourhood)  # stable
    return others[:OTHERS]


def move_targets(booking: Booking, person: User) -> list[Resource]:
    """The resources a booking may move to, by what does not depend on the time: bookable,
    of its kind, big enough, with the equipment asked, and whose training the person
    holds on the booking's date. Same place first, then same neighbourhood, then by
    name. The rules (`moves.reschedule`) still have the last word, time included."""
    current = booking.resource
    rooms = KIND_GROUPS["visio"]
    kinds = rooms if current.kind in rooms else (current.kind,)  # as rules.check_same_kind
    wanted = {item.equipment_id: item.quantity for item in booking.equipment}
    stmt = (
        select(Resource)
        .join(Resource.site)
        .where(
            Resource.is_bookable.is_(True),
            Resource.kind.in_(kinds),
            Resource.capacity >= booking.attendees,
            Resource.id != current.id,
        )
        .options(
            selectinload(Resource.equipment),
            joinedload(Resource.site),
            joinedload(Resource.required_training),
        )
        .order_by(Site.name, Resource.name)
    )
    day = to_local(booking.start_at).date()
    held = {
        t.training_id: t
        for t in db.session.scalars(select(UserTraining).where(UserTraining.user_id == person.id))
    }
    found = []
    for resource in db.session.scalars(stmt).unique():
        has = {item.equipment_id: item.quantity for item in resource.equipment}
        if any(has.get(i, 0) < quantity for i, quantity in wanted.items()):
            continue
        training = resource.required_training_id
        if training is not None and not (training in held and held[training].is_valid_on(day)):
            continue
        found.append(resource)
    site, neighbourhood = current.site_id, current.site.neighbourhood
    found.sort(key=lambda r: (r.site_id != site, r.site.neighbourhood != neighbourhood))
    return found

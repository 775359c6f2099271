"""What a door display shows of a room at an instant, from the grids' free/busy intervals.

One `free_busy_and_hours` call (three queries) covers every room of a display
from the start of the local day to a week ahead: the room's state now and until
when, the rest of the day's bookings, the reopening time when it is closed, and
the next slot the booking form accepts (the grids' own rule: `RowBuilder.proposal`,
so the QR code never offers a time the form refuses). Titles come from the
intervals, which carry only public bookings' titles: a private booking is shown
with a neutral word, as in the grids and feeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.bookings.availability import (
    APPROVED,
    CLOSED,
    FREE,
    PENDING,
    Interval,
    free_busy_and_hours,
)
from booking.bookings.checkin import checkin_window, is_unreleased_no_show, needs_checkin
from booking.bookings.models import Booking
from booking.extensions import db
from booking.resources.models import Resource
from booking.schedule.grid import RowBuilder, booking_link, labels_for_locale
from booking.timeutil import local_day_bounds, to_local

AHEAD = timedelta(days=8)  # how far the reopening time and the next free slot are looked for
EVENING = time(18)  # free until closing from this local time on: "free all evening"
MAX_TRIES = 2000  # candidate starts tried for the next free slot (a week of 5-minute steps)

FREE_STATE, BUSY, FULL, CLOSED_STATE = "free", "busy", "full", "closed"


@dataclass(frozen=True)
class Upcoming:
    """A confirmed booking later in the day; `title` is None when it is private."""

    start_at: datetime
    end_at: datetime
    title: str | None
    booking_id: int | None


@dataclass(frozen=True)
class Checkin:
    """A booking whose people should check in now, and until when they may."""

    booking_id: int
    closes_at: datetime


@dataclass(frozen=True)
class RoomDoor:
    """A room's state at `now`, ready for the door template."""

    resource: Resource
    now: datetime
    state: str  # free, busy, full (an open-lab session), closed
    until: datetime | None  # when the state ends; None: not within the week
    until_closing: bool = False  # free until the room closes for the day
    title: str | None = None  # the current booking's public title, or the closure's label
    booking_id: int | None = None  # the current booking (busy)
    reopens_at: datetime | None = None  # closed: when it opens again
    upcoming: list[Upcoming] = field(default_factory=list)
    offer: tuple[datetime, datetime] | None = None  # next free slot the form accepts
    checkin: Checkin | None = None  # the current or next booking, awaiting its check-in
    no_show: bool = False  # free because its booking's check-in grace passed unused

    @property
    def is_evening(self) -> bool:
        return self.until_closing and to_local(self.now).time() >= EVENING


def _state_of(interval: Interval, exclusive: bool) -> str:
    if interval.kind == CLOSED:
        return CLOSED_STATE
    if interval.kind == APPROVED:
        return BUSY if exclusive else FULL
    return FREE_STATE


def _same_state(a: Interval, b: Interval, exclusive: bool) -> bool:
    """Whether `b` continues `a` as the display says it: free and pending are both free,
    a booking continues only as the same booking, a closure as any closed time."""
    state = _state_of(a, exclusive)
    if state != _state_of(b, exclusive):
        return False
    if state == BUSY:
        return a.booking_id == b.booking_id
    return True


def _upcoming(intervals: Sequence[Interval], now: datetime, day_end: datetime) -> list[Upcoming]:
    """The day's confirmed bookings that start after `now` (the current one is the state)."""
    found: list[Upcoming] = []
    for item in intervals:
        if item.kind != APPROVED or item.booking_id is None:
            continue
        if item.start_at <= now or item.start_at >= day_end:
            continue
        if found and found[-1].booking_id == item.booking_id:
            continue  # one booking cut in two (by a closure it was kept through)
        found.append(Upcoming(item.start_at, item.end_at, item.label, item.booking_id))
    return found


def next_offer(
    resource: Resource,
    intervals: Sequence[Interval],
    weekly: Sequence,
    now: datetime,
    builder: RowBuilder,
) -> tuple[datetime, datetime] | None:
    """The first booking from `now` on that the grids would link to (the form's rules)."""
    if not resource.is_bookable:
        return None
    starts = [item.start_at for item in intervals]
    step = timedelta(minutes=resource.slot_step_minutes)
    earliest = now + timedelta(minutes=resource.min_notice_minutes)
    tries = 0
    for item in intervals:
        if item.kind not in (FREE, PENDING) or item.end_at <= earliest:
            continue
        at = max(item.start_at, earliest)
        while at < item.end_at and tries < MAX_TRIES:
            tries += 1
            offer = builder.proposal(resource, weekly, intervals, starts, at)
            if not isinstance(offer, str):
                if offer[0] >= now:
                    return offer
                at = offer[0] + step
                continue
            # Refused: try the next step boundary (or the next session of an open lab).
            at = at + step if resource.is_exclusive else item.end_at
    return None


def room_door(
    resource: Resource,
    intervals: Sequence[Interval],
    weekly: Sequence,
    now: datetime,
    builder: RowBuilder | None,
) -> RoomDoor:
    """The display of one room from its intervals (which cover the local day and a week).

    Without a `builder`, no next free slot is looked for (the kiosk shows none)."""
    exclusive = resource.is_exclusive
    day_end = local_day_bounds(to_local(now).date())[1]
    index = next(
        (i for i, item in enumerate(intervals) if item.start_at <= now < item.end_at), None
    )
    offer = next_offer(resource, intervals, weekly, now, builder) if builder else None
    upcoming = _upcoming(intervals, now, day_end)
    if index is None:
        return RoomDoor(resource, now, CLOSED_STATE, None, upcoming=upcoming, offer=offer)
    current = intervals[index]
    state = _state_of(current, exclusive)
    last = index
    while last + 1 < len(intervals) and _same_state(current, intervals[last + 1], exclusive):
        last += 1
    following = intervals[last + 1] if last + 1 < len(intervals) else None
    until = following.start_at if following is not None else None
    if state == CLOSED_STATE:
        return RoomDoor(
            resource,
            now,
            state,
            until,
            title=current.label,
            reopens_at=until,
            upcoming=upcoming,
            offer=offer,
        )
    until_closing = (
        state == FREE_STATE
        and following is not None
        and following.kind == CLOSED
        and following.closure_id is None
    )
    return RoomDoor(
        resource,
        now,
        state,
        until,
        until_closing=until_closing,
        title=current.label if state == BUSY else None,
        booking_id=current.booking_id if state == BUSY else None,
        upcoming=upcoming,
        offer=offer,
    )


def room_doors(
    resources: Sequence[Resource], now: datetime, *, with_offers: bool = True
) -> list[RoomDoor]:
    """The displays of several rooms (a kiosk: a site's rooms) from one free/busy read."""
    if not resources:
        return []
    start = local_day_bounds(to_local(now).date())[0]
    intervals, hours = free_busy_and_hours(resources, start, start + AHEAD)
    builder = RowBuilder(labels_for_locale(), "", now) if with_offers else None
    doors = [
        room_door(r, intervals[r.id], hours.get(r.id, [[]] * 7), now, builder) for r in resources
    ]
    bookings = _checkin_bookings(doors)
    no_shows = {b.id for b in bookings if is_unreleased_no_show(b, now)}
    doors = [
        _freed(door, intervals[door.resource.id], hours.get(door.resource.id, [[]] * 7), no_shows)
        if door.booking_id in no_shows
        else door
        for door in doors
    ]
    return with_checkins(doors, now, bookings)


def _freed(
    door: RoomDoor, intervals: Sequence[Interval], weekly: Sequence, no_shows: set[int]
) -> RoomDoor:
    """The room as it really is once its no-show's grace is over: free, before the periodic
    release has run. The QR offer stays the one computed with the booking (the form
    refuses its slot until the release), so it never proposes a time that fails."""
    kept = [
        Interval(item.start_at, item.end_at, FREE) if item.booking_id in no_shows else item
        for item in intervals
    ]
    freed = room_door(door.resource, kept, weekly, door.now, None)
    return replace(freed, offer=door.offer, no_show=True)


def _checkin_bookings(doors: list[RoomDoor]) -> list[Booking]:
    """The current and later bookings of the day of the rooms requiring check-in (one
    query, none when no room requires it)."""
    wanted = [
        i
        for door in doors
        if door.resource.checkin_required
        for i in (door.booking_id, *(u.booking_id for u in door.upcoming))
        if i
    ]
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(Booking).where(Booking.id.in_(wanted)).options(joinedload(Booking.resource))
        )
    )


def with_checkins(doors: list[RoomDoor], now: datetime, bookings: list[Booking]) -> list[RoomDoor]:
    """Each door whose current or next booking awaits its check-in, says so. A released
    booking is no longer in the intervals: the room shows free."""
    awaiting = sorted(
        (b for b in bookings if needs_checkin(b, now)), key=lambda b: (b.start_at, b.id)
    )
    first: dict[int, Booking] = {}
    for booking in awaiting:
        first.setdefault(booking.resource_id, booking)
    return [
        replace(door, checkin=Checkin(found.id, checkin_window(found)[1]))
        if (found := first.get(door.resource.id)) is not None
        else door
        for door in doors
    ]


def offer_url(base: str, door: RoomDoor) -> str:
    """The booking form for the room, pre-filled with the next free slot when there is one."""
    if door.offer is None:
        return f"{base}?resource={quote(door.resource.slug)}"
    return booking_link(base, door.resource, *door.offer)

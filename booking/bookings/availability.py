"""Free/busy over a window, and the search for free resources.

Both answer from a handful of indexed queries whatever the size of the booking
table: the bookings and closures that touch the window (`ix_booking_resource_window`,
`ix_closure_*_window`) and the opening hours of the resources asked about.
Everything else is computed in Python in one sweep over the window.

Opening hours are local wall-clock times (Europe/Paris); they are turned into
UTC intervals day by day, so a day is 23 or 25 hours long on the days the
clocks change. Intervals are half-open: touching ends do not overlap.

A pending request does not make a resource unavailable (the manager chooses
between requests); an approved booking of an exclusive resource does. For an
open-lab session the resource is full when its approved seats reach its capacity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import get_locale
from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from booking.auth.models import User
from booking.bookings.models import MAX_BOOKING_SPAN, Booking, BookingState
from booking.bookings.slots import broken_rule
from booking.extensions import db
from booking.resources.models import (
    Closure,
    OpeningHours,
    Resource,
    ResourceEquipment,
    ResourceKind,
    Site,
    UserTraining,
)
from booking.timeutil import local_zone, to_local

APPROVED = "approved"
PENDING = "pending"
CLOSED = "closed"
FREE = "free"

# What a search's `kind` stands for.
KIND_GROUPS: dict[str, tuple[ResourceKind, ...]] = {
    "visio": (ResourceKind.VISIO_ROOM, ResourceKind.ROOM),
    "makerspace": (ResourceKind.MACHINE, ResourceKind.OPEN_LAB),
    "machine": (ResourceKind.MACHINE,),
    "open_lab": (ResourceKind.OPEN_LAB,),
}

_WINDOW_STATES = (BookingState.APPROVED, BookingState.PENDING)

# How far before a window a booking that reaches into it may start. The window
# queries bound `start_at` on both sides with it, so the index scan covers the
# window (plus this much) instead of every earlier booking of the resource.
# No stored booking is longer than MAX_BOOKING_SPAN (the engine's duration rule and
# a model guard), so this bound is safe for every query here, find_free included,
# even after a resource's maximum length is lowered below that of older bookings.
LOOKBACK = MAX_BOOKING_SPAN
# The window queries leave the state out of SQL and filter it in Python (a
# window holds few refused or cancelled rows): with `state IN (...)` SQLite's
# planner, without statistics, picks the index on state and reads every
# approved booking of all time.


@dataclass(frozen=True, slots=True)
class Interval:
    """A stretch of time of one resource, in UTC.

    kind: "approved" (busy), "pending" (free, but requests are waiting),
    "closed" (a closure, whose label is given, or outside opening hours: no label)
    or "free". `label` is the closure's label, or the title of a public approved
    booking; never a private detail. `pending` counts the waiting requests,
    `taken` the approved seats of an open-lab session.
    """

    start_at: datetime
    end_at: datetime
    kind: str
    label: str | None = None
    booking_id: int | None = None
    closure_id: int | None = None
    pending: int = 0
    taken: int = 0

    @property
    def is_outside_hours(self) -> bool:
        return self.kind == CLOSED and self.closure_id is None


@dataclass(slots=True)
class FreeResource:
    """A resource that fits a search, with the reasons it fits."""

    resource: Resource
    attendees: int
    equipment: list[tuple[str, int]] = field(default_factory=list)  # (name, quantity) asked
    pending: int = 0  # requests already waiting for an overlapping time
    seats_left: int | None = None  # open-lab sessions
    training: str | None = None  # a training to hold, when the search was not for a person

    @property
    def capacity(self) -> int:
        return self.resource.capacity

    @property
    def wheelchair_accessible(self) -> bool:
        return self.resource.wheelchair_accessible


@dataclass(frozen=True, slots=True)
class _Meta:
    id: int
    site_id: int
    exclusive: bool
    capacity: int
    max_minutes: int = 0


# The window statements, built once (their SQL is compiled once and cached).
_HOURS = select(
    OpeningHours.resource_id,
    OpeningHours.site_id,
    OpeningHours.weekday,
    OpeningHours.opens_at,
    OpeningHours.closes_at,
).where(
    or_(
        OpeningHours.resource_id.in_(bindparam("ids", expanding=True)),
        OpeningHours.site_id.in_(bindparam("site_ids", expanding=True)),
    )
)
_BOOKINGS = select(
    Booking.id,
    Booking.resource_id,
    Booking.start_at,
    Booking.end_at,
    Booking.state,
    Booking.is_public,
    Booking.title,
    Booking.attendees,
).where(
    Booking.resource_id.in_(bindparam("ids", expanding=True)),
    Booking.start_at < bindparam("end"),
    Booking.start_at > bindparam("since"),
    Booking.end_at > bindparam("start"),
)
_CLOSURES = (
    select(
        Closure.id,
        Closure.resource_id,
        Closure.site_id,
        Closure.start_at,
        Closure.end_at,
        Closure.label,
    )
    .where(
        or_(
            Closure.resource_id.in_(bindparam("ids", expanding=True)),
            Closure.site_id.in_(bindparam("site_ids", expanding=True)),
        ),
        Closure.start_at < bindparam("end"),
        Closure.end_at > bindparam("start"),
    )
    .order_by(Closure.start_at)
)


def _metas(resources: Iterable[int | Resource]) -> list[_Meta]:
    """Ids are looked up; anything else is read as a resource (a `Resource`, or any
    object with its `id`, `site_id`, `kind`, `capacity` and `max_duration_minutes`)."""
    items = list(resources)
    ids = [r for r in items if isinstance(r, int)]
    metas = [
        _Meta(r.id, r.site_id, r.kind.is_exclusive, r.capacity, r.max_duration_minutes)
        for r in items
        if not isinstance(r, int)
    ]
    if ids:
        rows = db.session.execute(
            select(
                Resource.id,
                Resource.site_id,
                Resource.kind,
                Resource.capacity,
                Resource.max_duration_minutes,
            ).where(Resource.id.in_(ids))
        )
        metas.extend(_Meta(i, s, k.is_exclusive, c, m) for i, s, k, c, m in rows)
    return metas


def _local_days(start_at: datetime, end_at: datetime) -> list[date]:
    first = to_local(start_at).date()
    last = to_local(end_at).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _open_intervals(
    weekly: list[list[tuple[time, time]]], days: list[date], start_at: datetime, end_at: datetime
) -> list[tuple[datetime, datetime]]:
    """Opening ranges as merged UTC intervals, clipped to the window."""
    spans: list[tuple[datetime, datetime]] = []
    zone = local_zone()
    for day in days:
        for opens, closes in weekly[day.weekday()]:
            a = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
            b = datetime.combine(day, closes, tzinfo=zone).astimezone(UTC)
            a, b = max(a, start_at), min(b, end_at)
            if a < b:
                spans.append((a, b))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


Weekly = list[list[tuple[time, time]]]  # per weekday (Monday first), sorted local ranges


def weekly_hours(metas: Sequence[_Meta]) -> dict[int, Weekly]:
    """Per resource, its weekly opening ranges (its own hours, else its site's), one query."""
    ids = [m.id for m in metas]
    site_ids = sorted({m.site_id for m in metas})
    # Plain column selects run on the session's connection: no ORM machinery needed.
    rows = db.session.connection().execute(_HOURS, {"ids": ids, "site_ids": site_ids})
    own: dict[int, list[list[tuple[time, time]]]] = {}
    site: dict[int, list[list[tuple[time, time]]]] = {}
    for resource_id, site_id, weekday, opens, closes in rows:
        table = own if resource_id is not None else site
        key = resource_id if resource_id is not None else site_id
        table.setdefault(key, [[] for _ in range(7)])[weekday].append((opens, closes))
    for table in (own, site):
        for weekly in table.values():
            for ranges in weekly:
                ranges.sort()
    closed: Weekly = [[] for _ in range(7)]
    return {m.id: own.get(m.id) or site.get(m.site_id) or closed for m in metas}


def opening_intervals(
    metas: Sequence[_Meta],
    start_at: datetime,
    end_at: datetime,
    hours: dict[int, Weekly] | None = None,
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per resource, its open UTC intervals in the window (its own hours, else its site's).

    `hours`: the `weekly_hours` of the resources, when the caller read them already."""
    if hours is None:
        hours = weekly_hours(metas)
    days = _local_days(start_at, end_at)
    done: dict[int, list[tuple[datetime, datetime]]] = {}  # by id(weekly): sites share theirs
    result: dict[int, list[tuple[datetime, datetime]]] = {}
    for meta in metas:
        weekly = hours[meta.id]
        if id(weekly) not in done:
            done[id(weekly)] = _open_intervals(weekly, days, start_at, end_at)
        result[meta.id] = done[id(weekly)]
    return result


def free_busy(
    resources: Iterable[int | Resource], start_at: datetime, end_at: datetime
) -> dict[int, list[Interval]]:
    """Per resource id, contiguous intervals covering [start_at, end_at) exactly.

    `resources` are ids, or loaded `Resource` objects (which saves a query).
    Three queries in all: opening hours, bookings in the window, closures in the window.
    """
    return free_busy_and_hours(resources, start_at, end_at)[0]


def free_busy_and_hours(
    resources: Iterable[int | Resource], start_at: datetime, end_at: datetime
) -> tuple[dict[int, list[Interval]], dict[int, Weekly]]:
    """`free_busy`, and the weekly opening hours it read (per resource id)."""
    if start_at.tzinfo is None or end_at.tzinfo is None:
        raise ValueError("naive datetime")
    start_at, end_at = start_at.astimezone(UTC), end_at.astimezone(UTC)
    metas = _metas(resources)
    if not metas or end_at <= start_at:
        return {m.id: [] for m in metas}, {}
    ids = [m.id for m in metas]
    site_ids = sorted({m.site_id for m in metas})
    hours = weekly_hours(metas)
    opening = opening_intervals(metas, start_at, end_at, hours)
    lookback = max(LOOKBACK, timedelta(minutes=max(m.max_minutes for m in metas)))

    # (start, end, category, payload) per resource; categories: open, closure, approved, pending.
    items: dict[int, list[tuple]] = defaultdict(list)
    for meta in metas:
        for a, b in opening[meta.id]:
            items[meta.id].append((a, b, "open", None))
    connection = db.session.connection()
    bookings = connection.execute(
        _BOOKINGS,
        {"ids": ids, "start": start_at, "end": end_at, "since": start_at - lookback},
    )
    for bid, rid, a, b, state, is_public, title, attendees in bookings:
        if state not in _WINDOW_STATES:
            continue
        category = APPROVED if state == BookingState.APPROVED else PENDING
        payload = (bid, title if is_public else None, attendees)
        items[rid].append((max(a, start_at), min(b, end_at), category, payload))
    by_site: dict[int, list[int]] = defaultdict(list)
    for meta in metas:
        by_site[meta.site_id].append(meta.id)
    closures = connection.execute(
        _CLOSURES, {"ids": ids, "site_ids": site_ids, "start": start_at, "end": end_at}
    )
    for cid, rid, sid, a, b, label in closures:
        targets = [rid] if rid is not None else by_site.get(sid, [])
        for target in targets:
            items[target].append((max(a, start_at), min(b, end_at), "closure", (cid, label)))

    return {m.id: _sweep(items[m.id], m, start_at, end_at) for m in metas}, hours


def _sweep(items: list[tuple], meta: _Meta, start_at: datetime, end_at: datetime) -> list[Interval]:
    """Cut the window at every boundary and classify each piece; merge equal neighbours."""
    starts: dict[datetime, list[tuple]] = defaultdict(list)
    ends: dict[datetime, list[tuple]] = defaultdict(list)
    points = {start_at, end_at}
    for item in items:
        starts[item[0]].append(item)
        ends[item[1]].append(item)
        points.add(item[0])
        points.add(item[1])
    ordered = sorted(points)
    active: dict[int, tuple] = {}  # id(item) -> item
    result: list[Interval] = []
    for i in range(len(ordered) - 1):
        a, b = ordered[i], ordered[i + 1]
        for item in ends.get(a, ()):
            active.pop(id(item), None)
        for item in starts.get(a, ()):
            active[id(item)] = item
        piece = _classify(active.values(), meta, a, b)
        last = result[-1] if result else None
        if (
            last is not None
            and last.kind == piece.kind
            and last.label == piece.label
            and last.booking_id == piece.booking_id
            and last.closure_id == piece.closure_id
            and last.pending == piece.pending
            and last.taken == piece.taken
        ):
            result[-1] = Interval(
                last.start_at,
                b,
                last.kind,
                last.label,
                last.booking_id,
                last.closure_id,
                last.pending,
                last.taken,
            )
        else:
            result.append(piece)
    return result


def _classify(active: Iterable[tuple], meta: _Meta, a: datetime, b: datetime) -> Interval:
    is_open = False
    closure = None
    approved = []
    pending = 0
    for _s, _e, category, payload in active:
        if category == "open":
            is_open = True
        elif category == "closure":
            if closure is None or payload[0] < closure[0]:
                closure = payload
        elif category == APPROVED:
            approved.append(payload)
        else:
            pending += 1
    if approved and meta.exclusive and is_open:
        # An approved booking kept through a closure (a blocked period the manager let it
        # stay in) still takes place: the calendars show it, not the closure.
        first = min(approved)
        return Interval(a, b, APPROVED, first[1], booking_id=first[0])
    if closure is not None:
        return Interval(a, b, CLOSED, closure[1], closure_id=closure[0])
    if not is_open:
        return Interval(a, b, CLOSED)
    if approved:
        if meta.exclusive:
            first = min(approved)
            return Interval(a, b, APPROVED, first[1], booking_id=first[0])
        taken = sum(p[2] for p in approved)
        if taken >= meta.capacity:
            return Interval(a, b, APPROVED, taken=taken)
        kind = PENDING if pending else FREE
        return Interval(a, b, kind, pending=pending, taken=taken)
    if pending:
        return Interval(a, b, PENDING, pending=pending)
    return Interval(a, b, FREE)


def trainings_held(person: User, day: date, resources: Sequence[Resource]) -> set[int]:
    """The ids of the trainings the resources require that the person holds, valid on the day."""
    required = {r.required_training_id for r in resources if r.required_training_id is not None}
    if not required:
        return set()
    held = db.session.scalars(
        select(UserTraining).where(
            UserTraining.user_id == person.id, UserTraining.training_id.in_(required)
        )
    )
    return {item.training_id for item in held if item.is_valid_on(day)}


def _covers(spans: list[tuple[datetime, datetime]], start_at: datetime, end_at: datetime) -> bool:
    """Whether merged, sorted spans cover [start_at, end_at) entirely."""
    return any(a <= start_at and end_at <= b for a, b in spans)


def find_free(
    start_at: datetime,
    end_at: datetime,
    attendees: int,
    equipment_ids: Iterable[int] = (),
    site_id: int | None = None,
    neighbourhood: str | None = None,
    kind: str | None = None,
    *,
    now: datetime | None = None,
    person: User | None = None,
) -> list[FreeResource]:
    """Bookable resources that are open, not closed, free and fit, smallest fitting first.

    One query selects the candidates (capacity, equipment, place, kind, no
    closure, no approved booking of an exclusive resource in the interval);
    then one each for their equipment, opening hours and requests in the window.

    With `now`, only resources the booking form would accept the interval for at
    that instant: the slot rules of `slots.broken_rule` (notice, horizon, length,
    opening hours, steps, a whole open-lab session). With `person` too, a resource
    that requires a training they do not hold on that date is left out (one more
    query); without, `FreeResource.training` names the training to hold.
    """
    start_at, end_at = start_at.astimezone(UTC), end_at.astimezone(UTC)
    if end_at <= start_at or attendees < 1:
        return []
    wanted = sorted(set(equipment_ids))
    # Approved bookings of an exclusive resource never overlap (the exclusion constraint),
    # so the resource is taken in the interval exactly when the last of them to start
    # before its end ends after its start: one backward index probe per resource
    # (index-only on `ix_booking_approved_window`), not a scan of a span of bookings.
    last_approved_end = (
        select(Booking.end_at)
        .where(
            Booking.resource_id == Resource.id,
            Booking.state == BookingState.APPROVED,
            Booking.exclusive,  # bare, as in the index's predicate (not `IS true`)
            Booking.start_at < end_at,
            Booking.start_at > start_at - LOOKBACK,
        )
        .order_by(Booking.start_at.desc())
        .limit(1)
        .correlate(Resource)
        .scalar_subquery()
    )
    window = and_(Closure.start_at < end_at, Closure.end_at > start_at)
    stmt = (
        select(Resource)
        .join(Resource.site)
        .options(
            contains_eager(Resource.site),
            selectinload(Resource.equipment).joinedload(ResourceEquipment.equipment),
            joinedload(Resource.required_training),
        )
        .where(
            Resource.is_bookable.is_(True),
            Resource.capacity >= attendees,
            func.coalesce(last_approved_end, start_at) <= start_at,
            ~exists().where(Closure.resource_id == Resource.id, window),
            ~exists().where(Closure.site_id == Resource.site_id, window),
        )
        .order_by(Resource.capacity, Site.name, Resource.name)
    )
    for equipment_id in wanted:
        stmt = stmt.where(
            exists().where(
                ResourceEquipment.resource_id == Resource.id,
                ResourceEquipment.equipment_id == equipment_id,
            )
        )
    if site_id is not None:
        stmt = stmt.where(Resource.site_id == site_id)
    if neighbourhood:
        stmt = stmt.where(Site.neighbourhood == neighbourhood)
    if kind:
        stmt = stmt.where(Resource.kind.in_(KIND_GROUPS.get(kind, ())))
    candidates = list(db.session.scalars(stmt).unique())
    if not candidates:
        return []

    metas = [_Meta(r.id, r.site_id, r.kind.is_exclusive, r.capacity) for r in candidates]
    hours = weekly_hours(metas)
    if now is not None:
        weekday = to_local(start_at).weekday()
        candidates = [
            r
            for r in candidates
            if broken_rule(r, start_at, end_at, now, hours[r.id][weekday]) is None
        ]
        if person is not None:
            held = trainings_held(person, to_local(start_at).date(), candidates)
            candidates = [
                r
                for r in candidates
                if r.required_training_id is None or r.required_training_id in held
            ]
        if not candidates:
            return []
    opening = opening_intervals(metas, start_at, end_at, hours)
    requests = db.session.execute(
        select(Booking.resource_id, Booking.state, Booking.attendees).where(
            Booking.resource_id.in_([r.id for r in candidates]),
            Booking.start_at < end_at,
            Booking.start_at > start_at - LOOKBACK,
            Booking.end_at > start_at,
        )
    )
    pending: dict[int, int] = defaultdict(int)
    seats: dict[int, int] = defaultdict(int)
    for resource_id, state, people in requests:
        if state == BookingState.PENDING:
            pending[resource_id] += 1
        elif state == BookingState.APPROVED:
            seats[resource_id] += people

    found = []
    for resource in candidates:
        if not _covers(opening[resource.id], start_at, end_at):
            continue
        seats_left = None
        if not resource.is_exclusive:
            # Approved seats anywhere in the interval count against it: a cautious answer.
            seats_left = resource.capacity - seats.get(resource.id, 0)
            if seats_left < attendees:
                continue
        names = {item.equipment_id: item for item in resource.equipment}
        found.append(
            FreeResource(
                resource=resource,
                attendees=attendees,
                equipment=sorted(
                    (names[e].equipment.name_in(str(get_locale())), names[e].quantity)
                    for e in wanted
                    if e in names
                ),
                pending=pending.get(resource.id, 0),
                seats_left=seats_left,
                training=(
                    resource.required_training.name
                    if resource.required_training_id is not None and person is None
                    else None
                ),
            )
        )
    return found

"""The statistics' aggregate SQL: a handful of GROUP BY queries over the period's bookings.

No booking is loaded into Python: every figure is summed, counted or grouped by the
database, durations clipped to the period (the hourly series groups bookings by their
exact interval and clips each distinct interval once, in Python). The few dialect
differences (seconds between two instants, greatest/least) are written once here for
SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import contains_eager

from booking.auth.models import Association, User
from booking.bookings.models import MAX_BOOKING_SPAN, Booking, BookingState
from booking.db import UTCDateTime
from booking.extensions import db
from booking.resources.models import Resource, ResourceKind, Site, resource_managers, site_managers
from booking.stats.cache import cached, calendar_keys
from booking.stats.period import Period


@dataclass(frozen=True)
class Scope:
    """Which bookings the figures count: the resources a user may see, narrowed by filters."""

    user: User
    site_id: int | None = None
    neighbourhood: str | None = None
    kind: ResourceKind | None = None
    resource_id: int | None = None
    association_id: int | None = None


@dataclass
class ResourceFigures:
    """One row of the per-resource table (seconds; the table shows hours)."""

    resource: Resource
    open_seconds: float = 0.0
    approved_seconds: float = 0.0
    seat_seconds: float = 0.0  # approved hours x seats taken (open-lab sessions)
    approved: int = 0
    pending: int = 0
    refused: int = 0
    cancelled: int = 0
    expired: int = 0
    waitlisted: int = 0
    attendees: int = 0
    associations: int = 0
    # Filled by stats/checkins.py from released bookings (bookings/checkin.py).
    no_shows: int = 0
    released_seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def occupancy(self) -> float | None:
        """Approved booked hours / open hours; for open-lab sessions, seats taken / seats."""
        if self.open_seconds <= 0:
            return None
        if self.resource.kind is ResourceKind.OPEN_LAB:
            return self.seat_seconds / (self.open_seconds * self.resource.capacity)
        return self.approved_seconds / self.open_seconds


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _instant(value: datetime) -> ColumnElement:
    return literal(value, UTCDateTime())


def seconds_between(start: ColumnElement, end: ColumnElement) -> ColumnElement:
    """`end - start` in seconds, in SQL (a float: PostgreSQL's EXTRACT would give numeric,
    several times slower to sum over a year of bookings than date_part's double)."""
    if _dialect() == "postgresql":
        return func.date_part("epoch", end - start)
    return func.round((func.julianday(end) - func.julianday(start)) * 86400.0)


def _seconds_in(period: Period) -> ColumnElement:
    """A booking's seconds inside the period. Nearly every booking lies wholly inside: it
    gets its plain length; only those across the period's bounds pay for clipping."""
    start, end = _instant(period.start_at), _instant(period.end_at)
    if _dialect() == "postgresql":
        greatest, least = func.greatest, func.least
    else:
        greatest, least = func.max, func.min
    inside = and_(Booking.start_at >= start, Booking.end_at <= end)
    return case(
        (inside, seconds_between(Booking.start_at, Booking.end_at)),
        else_=seconds_between(greatest(Booking.start_at, start), least(Booking.end_at, end)),
    )


def visible_resources(scope: Scope) -> Select:
    """The resources the scope covers: an administrator's all, a manager's own, filtered."""
    stmt = (
        select(Resource)
        .join(Site, Site.id == Resource.site_id)
        .options(contains_eager(Resource.site))
        .order_by(Site.name, Resource.name)
        .execution_options(populate_existing=True)  # fresh calendar versions (stats cache)
    )
    if not scope.user.is_admin:
        own = select(resource_managers.c.resource_id).where(
            resource_managers.c.user_id == scope.user.id
        )
        sites = select(site_managers.c.site_id).where(site_managers.c.user_id == scope.user.id)
        stmt = stmt.where(or_(Resource.id.in_(own), Resource.site_id.in_(sites)))
    if scope.site_id:
        stmt = stmt.where(Resource.site_id == scope.site_id)
    if scope.neighbourhood:
        stmt = stmt.where(Site.neighbourhood == scope.neighbourhood)
    if scope.kind:
        stmt = stmt.where(Resource.kind == scope.kind)
    if scope.resource_id:
        stmt = stmt.where(Resource.id == scope.resource_id)
    return stmt


def booking_window(
    resource_ids: Sequence[int],
    period: Period,
    scope: Scope | None,
    states: Sequence[BookingState] = tuple(BookingState),
) -> list:
    """Bookings of these resources in these states overlapping the period.

    Naming every state lets the database seek the statistics index
    (resource, state, start) once per pair and read the figures from the index alone;
    the scan stays bounded by MAX_BOOKING_SPAN before the period.
    """
    conditions = [
        Booking.resource_id.in_(resource_ids),
        Booking.state.in_(list(states)),
        Booking.start_at >= period.start_at - MAX_BOOKING_SPAN,
        Booking.start_at < period.end_at,
        Booking.end_at > period.start_at,
    ]
    if scope is not None and scope.association_id:
        conditions.append(Booking.association_id == scope.association_id)
    return conditions


def _is(state: BookingState) -> ColumnElement:
    return Booking.state == state


def empty_figures() -> dict:
    """A resource's figures before any booking is counted (`per_resource`'s shape; the
    counts by state are added as found)."""
    return {
        "approved_seconds": 0,
        "seat_seconds": 0,
        "attendees": 0,
        "associations": 0,
        "checked_in": 0,
        "no_shows": 0,
        "released_seconds": 0.0,
        "decided": 0,
    }


def per_resource(resource_ids: Sequence[int], period: Period, scope: Scope | None) -> dict:
    """Per resource: approved seconds and seat-seconds, counts by state, attendees,
    associations, the check-in figures (checked in, no-shows, seconds released) and the
    decisions the median waits on; one GROUP BY (resource, state) over the statistics
    index, the period's only scan of every booking.
    """
    if not resource_ids:
        return {}
    # Grouped by state: each figure is summed over every state's group, with no test
    # of the state on each booking, and the caller keeps the groups it counts.
    seconds = _seconds_in(period)
    stmt = (
        select(
            Booking.resource_id,
            Booking.state,
            func.count().label("count"),
            func.coalesce(func.sum(seconds), 0).label("seconds"),
            func.coalesce(func.sum(seconds * Booking.attendees), 0).label("seat_seconds"),
            func.coalesce(func.sum(Booking.attendees), 0).label("attendees"),
            func.count(distinct(Booking.association_id)).label("associations"),
            func.count(Booking.checked_in_at).label("checked_in"),
            func.coalesce(
                func.sum(
                    case(
                        (
                            _is(BookingState.RELEASED),
                            seconds_between(Booking.cancelled_at, Booking.end_at),
                        )
                    )
                ),
                0,
            ).label("released_seconds"),
            func.count(Booking.decided_at).label("decided"),
        )
        .where(*booking_window(resource_ids, period, scope))
        .group_by(Booking.resource_id, Booking.state)
    )
    result: dict[int, dict] = {}
    for row in db.session.execute(stmt):
        figures = result.setdefault(row.resource_id, empty_figures())
        state = BookingState(row.state)
        figures[state.value] = row.count
        figures["checked_in"] += int(row.checked_in)
        if state in (BookingState.APPROVED, BookingState.REFUSED):
            figures["decided"] += int(row.decided)  # the decisions the median is taken over
        if state is BookingState.APPROVED:
            figures["approved_seconds"] = row.seconds
            figures["seat_seconds"] = row.seat_seconds
            figures["attendees"] = row.attendees
            figures["associations"] = row.associations
        elif state is BookingState.RELEASED:
            figures["no_shows"] = row.count
            figures["released_seconds"] = float(row.released_seconds or 0)
    return result


def distinct_associations(resource_ids: Sequence[int], period: Period, scope: Scope | None) -> int:
    """Associations served (with at least one approved booking) across the resources.

    Asked per association (EXISTS over its own index): each answer stops at its first
    approved booking in scope instead of collecting every booking's association.
    """
    if not resource_ids:
        return 0
    served = (
        select(Booking.id)
        .where(
            Booking.association_id == Association.id,
            *booking_window(resource_ids, period, scope, [BookingState.APPROVED]),
        )
        .exists()
    )
    return db.session.scalar(select(func.count()).select_from(Association).where(served)) or 0


def reasons(resource_ids: Sequence[int], period: Period, scope: Scope | None, limit: int = 10):
    """The most frequent reasons given for refusals and cancellations: (state, reason, count)."""
    if not resource_ids:
        return []
    reason = case((_is(BookingState.REFUSED), Booking.decision_reason), else_=Booking.cancel_reason)
    reason = func.coalesce(func.nullif(func.trim(reason), ""), "")
    stmt = (
        select(Booking.state, reason.label("reason"), func.count().label("count"))
        .where(
            *booking_window(
                resource_ids, period, scope, [BookingState.REFUSED, BookingState.CANCELLED]
            )
        )
        .group_by(Booking.state, reason)
        .order_by(func.count().desc(), Booking.state, reason)
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(stmt)]


def median_decision_seconds(
    resource_ids: Sequence[int], period: Period, scope: Scope | None, count: int | None = None
) -> float | None:
    """Median time from request to decision (approved or refused by a person), in seconds.

    The middle row(s) are picked by the database (ORDER BY, OFFSET), the same on both.
    `count`: how many such decisions the window holds, when the caller has it already
    (per_resource's "decided"), saving a count over the window.
    """
    if not resource_ids:
        return None
    delay = seconds_between(Booking.created_at, Booking.decided_at)
    conditions = [
        *booking_window(resource_ids, period, scope, [BookingState.APPROVED, BookingState.REFUSED]),
        Booking.decided_at.is_not(None),
    ]
    if count is None:
        count = db.session.scalar(select(func.count()).where(*conditions)) or 0
    if count == 0:
        return None
    middle = (
        select(delay.label("delay"))
        .where(*conditions)
        .order_by(delay)
        .offset((count - 1) // 2)
        .limit(2 - count % 2)
    )
    values = [float(v) for v in db.session.scalars(middle)]
    return sum(values) / len(values)


def hourly(resource_ids: Sequence[int], period: Period, scope: Scope | None) -> list:
    """Per UTC hour in which bookings start: (hour, requests of any state, approved seconds).

    The database groups the window's bookings by their exact interval (start, end), with
    no arithmetic on each booking: bookings follow the opening hours' slots, so a year holds
    a few thousand distinct intervals for hundreds of thousands of bookings. Each interval's
    seconds inside the period are then worked out once, here, and the intervals summed into
    their starting hour. At most one row per hour of the period (and of the few weeks before
    it, for bookings that started before it and end inside it); the caller turns them into
    local weeks, months and weekday x hour cells.
    """
    if not resource_ids:
        return []
    stmt = (
        select(
            Booking.start_at,
            Booking.end_at,
            func.count().label("requests"),
            func.count(case((_is(BookingState.APPROVED), 1))).label("approved"),
        )
        .where(*booking_window(resource_ids, period, scope))
        .group_by(Booking.start_at, Booking.end_at)
    )
    hours: dict[datetime, list] = {}
    first, last = period.start_at, period.end_at  # properties: worked out once, not per row
    for start_at, end_at, requests, approved in db.session.execute(stmt):
        start_at, end_at = start_at.astimezone(UTC), end_at.astimezone(UTC)
        hour = hours.setdefault(start_at.replace(minute=0, second=0, microsecond=0), [0, 0.0])
        hour[0] += requests
        if approved:
            inside = min(end_at, last) - max(start_at, first)
            hour[1] += approved * inside.total_seconds()
    return [(hour, requests, seconds) for hour, (requests, seconds) in sorted(hours.items())]


def _association_choices(resource_ids: Sequence[int]) -> list[tuple[int, str]]:
    # Per association, EXISTS stops at its first booking of these resources (its own
    # index), instead of reading every booking ever made to collect their associations.
    booked = (
        select(Booking.id)
        .where(Booking.association_id == Association.id, Booking.resource_id.in_(resource_ids))
        .exists()
    )
    rows = db.session.execute(
        select(Association.id, Association.name).where(booked).order_by(Association.name)
    )
    return [tuple(row) for row in rows]


def filter_choices(user: User, resources: Sequence[Resource] | None = None) -> dict:
    """Sites, neighbourhoods, resources and associations the filter form offers;
    `resources`: the user's visible resources, when the caller has loaded them."""
    if resources is None:
        resources = db.session.scalars(visible_resources(Scope(user))).all()
    sites = {r.site.id: r.site for r in resources}
    ordered = sorted(sites.values(), key=lambda s: s.name)
    ids = [r.id for r in resources]
    return {
        "sites": [(s.id, s.name) for s in ordered],
        "neighbourhoods": sorted({s.neighbourhood for s in ordered if s.neighbourhood}),
        "resources": [(r.id, r.name) for r in resources],
        "associations": cached(
            "associations", calendar_keys(resources), lambda: _association_choices(ids)
        ),
    }

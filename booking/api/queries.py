"""Read-side queries of the API: a handful of statements per answer, whatever the size."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Row, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql import Select

from booking.auth.models import Association, User
from booking.bookings.availability import KIND_GROUPS
from booking.bookings.models import MAX_BOOKING_SPAN, Booking, BookingState
from booking.core.pool import read_outside_transaction
from booking.extensions import db
from booking.resources.hours import has_opening_hours
from booking.resources.models import Closure, Resource, ResourceEquipment, Site
from booking.timeutil import local_day_bounds


def resources(
    *,
    site_slug: str | None = None,
    kind: str | None = None,
    slug: str | None = None,
    ids: list[int] | None = None,
) -> list[Resource]:
    """Bookable resources with their place, equipment and hours, by place then name."""
    stmt = (
        select(Resource)
        .join(Resource.site)
        .where(Resource.is_bookable.is_(True), has_opening_hours())
        .options(
            joinedload(Resource.site).selectinload(Site.opening_hours),
            selectinload(Resource.opening_hours),
            selectinload(Resource.equipment).joinedload(ResourceEquipment.equipment),
        )
        .order_by(Site.name, Resource.name)
    )
    if site_slug is not None:
        stmt = stmt.where(Site.slug == site_slug)
    if kind is not None:
        stmt = stmt.where(Resource.kind.in_(KIND_GROUPS.get(kind, ())))
    if slug is not None:
        stmt = stmt.where(Resource.slug == slug)
    if ids is not None:
        stmt = stmt.where(Resource.id.in_(ids or [-1]))
    return list(db.session.scalars(stmt).unique())


def closures_ahead(found: list[Resource], now: datetime) -> dict[int, list[Closure]]:
    """Per resource id, the closures (its own or its place's) that have not ended."""
    if not found:
        return {}
    ids = [r.id for r in found]
    site_ids = sorted({r.site_id for r in found})
    stmt = (
        select(Closure)
        .where(
            Closure.end_at > now,
            or_(Closure.resource_id.in_(ids), Closure.site_id.in_(site_ids)),
        )
        .order_by(Closure.start_at, Closure.id)
    )
    by_resource: dict[int, list[Closure]] = defaultdict(list)
    for closure in db.session.scalars(stmt):
        for r in found:
            if closure.resource_id == r.id or closure.site_id == r.site_id:
                by_resource[r.id].append(closure)
    return by_resource


_VERSIONS = (
    select(Resource.id, Resource.slug, Resource.name, Resource.calendar_version)
    .join(Resource.site)
    .where(Resource.is_bookable.is_(True))
    .order_by(Site.name, Resource.name)
)
# Built once: the statement of every conditional request, whose 304 should cost little,
# by the filters given (slug, site slug).
_VERSIONS_OF = {
    (True, False): _VERSIONS.where(Resource.slug == bindparam("slug")),
    (False, True): _VERSIONS.where(Site.slug == bindparam("site_slug")),
    (True, True): _VERSIONS.where(
        Resource.slug == bindparam("slug"), Site.slug == bindparam("site_slug")
    ),
    (False, False): _VERSIONS,
}


def version_rows(*, slug: str | None = None, site_slug: str | None = None) -> list[Row]:
    """(id, slug, name, calendar_version) of bookable resources: what an ETag is made of.

    One indexed read (Core, no ORM), outside any transaction when the request has none
    (`read_outside_transaction`): a 304 then costs that one round trip."""
    params = {
        name: value
        for name, value in (("slug", slug), ("site_slug", site_slug))
        if value is not None
    }
    stmt = _VERSIONS_OF[(slug is not None, site_slug is not None)]
    return read_outside_transaction(stmt, params)


def site_exists(slug: str) -> bool:
    return db.session.scalar(select(Site.id).where(Site.slug == slug)) is not None


def visible_bookings(
    user: User,
    *,
    association_id: int | None,
    resource_slug: str | None,
    state: str | None,
    start_on: date | None,
    end_on: date | None,
) -> Select:
    """The bookings of the user's associations (all of them for an administrator),
    soonest first; filters narrow it."""
    stmt = select(Booking).options(joinedload(Booking.resource), joinedload(Booking.association))
    if not user.is_admin:
        ids = [m.association_id for m in user.memberships]
        stmt = stmt.where(Booking.association_id.in_(ids or [-1]))
    if association_id is not None:
        stmt = stmt.where(Booking.association_id == association_id)
    if resource_slug is not None:
        stmt = stmt.join(Booking.resource).where(Resource.slug == resource_slug)
    if state is not None:
        stmt = stmt.where(Booking.state == BookingState(state))
    if start_on is not None:
        stmt = stmt.where(Booking.end_at > local_day_bounds(start_on)[0])
    if end_on is not None:
        stmt = stmt.where(Booking.start_at < local_day_bounds(end_on)[1])
    return stmt.order_by(Booking.start_at, Booking.id)


def list_stamp(stmt: Select) -> tuple:
    """(count, latest change, largest id) of a booking list: its ETag's material."""
    inner = stmt.order_by(None).options().subquery()
    row = db.session.execute(
        select(func.count(), func.max(inner.c.updated_at), func.max(inner.c.id))
    ).one()
    return tuple(row)


def public_bookings(resource_ids: list[int], start_at: datetime, end_at: datetime) -> Select:
    """Approved bookings of these resources overlapping the window, soonest first: what
    the room and place feeds list (they show no request, refusal or cancellation)."""
    return (
        select(
            Booking.id,
            Resource.slug,
            Booking.title,
            Booking.purpose,
            Booking.is_public,
            Booking.start_at,
            Booking.end_at,
            Association.name.label("association"),
        )
        .join(Resource, Resource.id == Booking.resource_id)
        .join(Association, Association.id == Booking.association_id)
        .where(
            Booking.resource_id.in_(resource_ids or [-1]),
            Booking.state == BookingState.APPROVED,
            Booking.start_at < end_at,
            Booking.end_at > start_at,
            Booking.start_at > start_at - MAX_BOOKING_SPAN,  # lets the index bound the scan
        )
        .order_by(Booking.start_at, Booking.id)
    )


def count_of(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def booking_by_id(booking_id: int) -> Booking | None:
    stmt = (
        select(Booking)
        .where(Booking.id == booking_id)
        .options(
            joinedload(Booking.resource).joinedload(Resource.site), joinedload(Booking.association)
        )
    )
    return db.session.scalar(stmt)

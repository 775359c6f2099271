"""Read-side queries of the reservation pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, inspect, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from booking.auth.models import Association, User
from booking.bookings.models import Booking, BookingEquipment, BookingState, Comment
from booking.extensions import db
from booking.paging import page_size
from booking.resources.hours import has_opening_hours
from booking.resources.models import OpeningHours, Resource, ResourceEquipment, Site


def bookable_resources() -> list[Resource]:
    stmt = (
        select(Resource)
        .join(Resource.site)
        .where(Resource.is_bookable.is_(True), has_opening_hours())
        .options(joinedload(Resource.site))
        .order_by(Site.name, Resource.name)
    )
    return list(db.session.scalars(stmt))


def bookable_resource(slug: str | None) -> Resource | None:
    """The resource with what its form and the booking rules read: site, training, equipment
    and opening hours (its own and its site's), in two statements."""
    if not slug:
        return None
    stmt = (
        select(Resource)
        .where(Resource.slug == slug.strip(), Resource.is_bookable.is_(True))
        .options(
            joinedload(Resource.site),
            joinedload(Resource.required_training),
            joinedload(Resource.equipment).joinedload(ResourceEquipment.equipment),
        )
    )
    resource = db.session.execute(stmt).unique().scalar_one_or_none()
    if resource is not None:
        load_opening_hours(resource)
    return resource


def load_opening_hours(resource: Resource) -> None:
    """Load the resource's opening hours and its site's with one query (not one each)."""
    site = resource.site
    unloaded = inspect(resource).unloaded
    if "opening_hours" not in unloaded and "opening_hours" not in inspect(site).unloaded:
        return
    stmt = (
        select(OpeningHours)
        .where(
            or_(
                OpeningHours.resource_id == resource.id,
                and_(OpeningHours.site_id == site.id, OpeningHours.resource_id.is_(None)),
            )
        )
        .order_by(OpeningHours.weekday, OpeningHours.opens_at)
    )
    rows = list(db.session.scalars(stmt))
    # The same rows, in the same order, as the two relationships would load.
    if "opening_hours" in unloaded:
        set_committed_value(
            resource, "opening_hours", [h for h in rows if h.resource_id == resource.id]
        )
    if "opening_hours" in inspect(site).unloaded:
        set_committed_value(site, "opening_hours", [h for h in rows if h.resource_id is None])


def association_choices(user: User) -> list[Association]:
    """The associations a user may book for: their own, or any active one for
    administrators and managers (who book on behalf of associations)."""
    if user.is_admin or user.is_manager:
        stmt = select(Association).where(Association.is_active.is_(True)).order_by(Association.name)
        return list(db.session.scalars(stmt))
    return sorted(user.associations, key=lambda a: a.name.lower())


def my_association_ids(user: User) -> list[int]:
    return [m.association_id for m in user.memberships]


def my_bookings(
    user: User,
    *,
    upcoming: bool,
    now: datetime,
    state: BookingState | None = None,
    association_id: int | None = None,
    page: int = 1,
) -> Pagination:
    """The bookings of the user's associations, soonest first (upcoming) or latest first (past)."""
    ids = my_association_ids(user)
    if association_id is not None:
        ids = [i for i in ids if i == association_id]
    stmt = (
        select(Booking)
        .where(Booking.association_id.in_(ids or [-1]))
        .options(
            joinedload(Booking.resource).joinedload(Resource.site),
            joinedload(Booking.association),
        )
    )
    if upcoming:
        stmt = stmt.where(Booking.end_at >= now).order_by(Booking.start_at, Booking.id)
    else:
        stmt = stmt.where(Booking.end_at < now).order_by(Booking.start_at.desc(), Booking.id.desc())
    if state is not None:
        stmt = stmt.where(Booking.state == state)
    return db.paginate(stmt, page=page, per_page=page_size(), error_out=False, count=True)


def booking_for_page(booking_id: int) -> Booking | None:
    stmt = (
        select(Booking)
        .where(Booking.id == booking_id)
        .options(
            joinedload(Booking.resource).joinedload(Resource.site),
            joinedload(Booking.association),
            joinedload(Booking.requester),
            joinedload(Booking.series),
            selectinload(Booking.equipment).joinedload(BookingEquipment.equipment),
        )
    )
    return db.session.scalar(stmt)


def comments_query(booking: Booking) -> Select:
    """The messages of a booking, oldest first, with their authors."""
    return (
        select(Comment)
        .where(Comment.booking_id == booking.id)
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    )


def series_dates(booking: Booking) -> list[Booking]:
    """The other dates of the booking's series, in order."""
    if booking.series_id is None:
        return []
    stmt = (
        select(Booking)
        .where(Booking.series_id == booking.series_id, Booking.id != booking.id)
        .order_by(Booking.start_at)
    )
    return list(db.session.scalars(stmt))


def user_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row.id: row.display_name for row in rows}

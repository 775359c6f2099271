"""Optional per-association quotas on a resource: hours per week and per month.

Counted over the association's pending and approved bookings of the resource
that start in the local (Europe/Paris) calendar week, Monday to Sunday, or
calendar month of the request's start.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ScalarSelect, select

from booking.auth.models import Association
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from booking.i18n import format_day
from booking.resources.models import Quota, Resource
from booking.timeutil import local_day_bounds, to_local

COUNTED_STATES = (BookingState.PENDING, BookingState.APPROVED)


def week_bounds(day: date) -> tuple[datetime, datetime]:
    """UTC instants of the local Monday 00:00 of that week and of the next Monday."""
    monday = day - timedelta(days=day.weekday())
    return local_day_bounds(monday)[0], local_day_bounds(monday + timedelta(days=7))[0]


def month_bounds(day: date) -> tuple[datetime, datetime]:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return local_day_bounds(first)[0], local_day_bounds(following)[0]


def hours_held(
    resource: Resource,
    association: Association,
    window: tuple[datetime, datetime],
    exclude_ids: Iterable[int] = (),
) -> float:
    """Hours of the association's counted bookings of the resource starting in the window."""
    stmt = select(Booking.start_at, Booking.end_at).where(
        Booking.resource_id == resource.id,
        Booking.association_id == association.id,
        Booking.state.in_(COUNTED_STATES),
        Booking.start_at >= window[0],
        Booking.start_at < window[1],
    )
    excluded = [i for i in exclude_ids if i is not None]
    if excluded:
        stmt = stmt.where(Booking.id.not_in(excluded))
    return sum((end - start).total_seconds() / 3600 for start, end in db.session.execute(stmt))


def check_quota(
    resource: Resource,
    association: Association,
    start_at: datetime,
    end_at: datetime,
    *,
    exclude_ids: Iterable[int] = (),
    extra: Sequence[tuple[datetime, datetime]] = (),
) -> None:
    """Refuse when the request would take the association past a quota.

    `extra`: other periods asked for in the same breath (a series being previewed).
    """
    quota = db.session.scalar(
        select(Quota).where(
            Quota.resource_id == resource.id, Quota.association_id == association.id
        )
    )
    check_quota_of(
        quota, resource, association, start_at, end_at, exclude_ids=exclude_ids, extra=extra
    )


def quota_id_of(resource: Resource, association: Association) -> ScalarSelect:
    """The id of the association's quota on the resource (NULL when it has none), as a
    scalar subquery: the resource lock's statement reads it (`locking.lock_resource`)."""
    return (
        select(Quota.id)
        .where(Quota.resource_id == resource.id, Quota.association_id == association.id)
        .scalar_subquery()
    )


def quota_by_id(quota_id: int | None) -> Quota | None:
    return db.session.get(Quota, quota_id) if quota_id is not None else None


def check_quota_of(
    quota: Quota | None,
    resource: Resource,
    association: Association,
    start_at: datetime,
    end_at: datetime,
    *,
    exclude_ids: Iterable[int] = (),
    extra: Sequence[tuple[datetime, datetime]] = (),
) -> None:
    """`check_quota` with the association's quota on the resource already read."""
    if quota is None:
        return
    exclude_ids = list(exclude_ids)
    day = to_local(start_at).date()
    asked = (end_at - start_at).total_seconds() / 3600
    limits = (
        (quota.hours_per_week, week_bounds(day), "week"),
        (quota.hours_per_month, month_bounds(day), "month"),
    )
    for limit, window, period in limits:
        if limit is None:
            continue
        extra_hours = sum(
            (end - start).total_seconds() / 3600
            for start, end in extra
            if window[0] <= start < window[1]
        )
        held = hours_held(resource, association, window, exclude_ids) + extra_hours
        if held + asked <= limit + 1e-9:
            continue
        values = {
            "association": association.name,
            "resource": resource.name,
            "limit": f"{limit:g}",
            "held": f"{held:g}",
            "date": format_day(day, "long"),
        }
        if period == "week":
            message = _(
                "%(association)s may hold at most %(limit)s h of %(resource)s per week; it already holds %(held)s h in the week of %(date)s.",
                **values,
            )
        else:
            message = _(
                "%(association)s may hold at most %(limit)s h of %(resource)s per month; it already holds %(held)s h in the month of %(date)s.",
                **values,
            )
        raise BookingRefused(message, rule="quota", field="end_at")

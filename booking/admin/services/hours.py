"""Opening hours rules: ranges of a site or a resource, and a whole week at once."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from booking.admin.services.common import AdminError, owner_may_manage, require
from booking.audit import record
from booking.auth.models import User
from booking.extensions import db
from booking.resources.models import OpeningHours, Resource, Site


def add_opening_hours(
    actor: User,
    *,
    weekday: int,
    opens_at: time,
    closes_at: time,
    site: Site | None = None,
    resource: Resource | None = None,
) -> OpeningHours:
    """Add an opening range to a site or a resource; inverted or overlapping ranges are refused."""
    if (site is None) == (resource is None):
        raise ValueError("opening hours belong to a site or a resource")
    require(owner_may_manage(actor, site, resource))
    if weekday not in range(7):
        raise AdminError(_("Choose a day of the week."), "weekday")
    if closes_at <= opens_at:
        raise AdminError(_("The closing time must be after the opening time."), "closes_at")
    stmt = select(OpeningHours).where(OpeningHours.weekday == weekday)
    if resource is not None:
        stmt = stmt.where(OpeningHours.resource_id == resource.id)
    else:
        stmt = stmt.where(OpeningHours.site_id == site.id, OpeningHours.resource_id.is_(None))
    for other in db.session.scalars(stmt):
        if opens_at < other.closes_at and other.opens_at < closes_at:
            raise AdminError(
                _(
                    "This range overlaps the range %(opens)s–%(closes)s of the same day.",
                    opens=other.opens_at.strftime("%H:%M"),
                    closes=other.closes_at.strftime("%H:%M"),
                ),
                "opens_at",
            )
    hours = OpeningHours(
        site_id=site.id if resource is None else None,
        resource_id=resource.id if resource is not None else None,
        weekday=weekday,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    db.session.add(hours)
    db.session.flush()
    owner_type, owner_id = ("resource", resource.id) if resource else ("site", site.id)
    record(
        owner_type,
        owner_id,
        "hours_added",
        actor_id=actor.id,
        reason=f"{weekday}: {opens_at:%H:%M}-{closes_at:%H:%M}",
    )
    if resource is not None:
        db.session.refresh(resource, ["opening_hours"])
    return hours


def set_weekly_hours(
    actor: User,
    week: list[list[tuple[time, time]]],
    *,
    site: Site | None = None,
    resource: Resource | None = None,
) -> None:
    """Replace all the opening ranges of a site or a resource by `week` (seven lists of
    (opens, closes), Monday first): the whole week set in one form, all or nothing."""
    if (site is None) == (resource is None) or len(week) != 7:
        raise ValueError("seven days of opening hours for a site or a resource")
    require(owner_may_manage(actor, site, resource))
    stmt = select(OpeningHours)
    if resource is not None:
        stmt = stmt.where(OpeningHours.resource_id == resource.id)
    else:
        stmt = stmt.where(OpeningHours.site_id == site.id, OpeningHours.resource_id.is_(None))
    for old in db.session.scalars(stmt):
        delete_opening_hours(actor, old)
    for weekday, ranges in enumerate(week):
        for opens_at, closes_at in sorted(ranges):
            add_opening_hours(
                actor,
                weekday=weekday,
                opens_at=opens_at,
                closes_at=closes_at,
                site=site,
                resource=resource,
            )
    if resource is not None:
        db.session.refresh(resource, ["opening_hours"])


def delete_opening_hours(actor: User, hours: OpeningHours) -> None:
    site = db.session.get(Site, hours.site_id) if hours.site_id else None
    resource = hours.resource
    require(owner_may_manage(actor, site, resource))
    owner_type, owner_id = ("resource", resource.id) if resource else ("site", site.id)
    record(
        owner_type,
        owner_id,
        "hours_removed",
        actor_id=actor.id,
        reason=f"{hours.weekday}: {hours.opens_at:%H:%M}-{hours.closes_at:%H:%M}",
    )
    db.session.delete(hours)
    db.session.flush()

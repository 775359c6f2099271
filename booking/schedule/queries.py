"""Read-side queries of the calendars: one query per list, nothing per row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from booking.core.pool import read_outside_transaction
from booking.extensions import db
from booking.resources.models import Equipment, Resource, ResourceKind, Site


@dataclass(frozen=True, slots=True)
class SiteChoice:
    id: int
    slug: str
    name: str


_SITES = select(Site.id, Site.slug, Site.name).order_by(Site.name)


def site_choices() -> list[SiteChoice]:
    # Outside a transaction on PostgreSQL: a cached page reads only this and the rooms.
    return [SiteChoice(*row) for row in read_outside_transaction(_SITES)]


@dataclass(frozen=True, slots=True)
class GridResource:
    """What a calendar row needs of a resource: read as plain columns, not ORM objects."""

    id: int
    site_id: int
    slug: str
    name: str
    kind: ResourceKind
    capacity: int
    is_bookable: bool
    min_duration_minutes: int
    max_duration_minutes: int
    slot_step_minutes: int  # with the two above and below: the slot rules (bookings/slots.py)
    fixed_slots: bool
    min_notice_minutes: int
    horizon_days: int
    site_slug: str
    site_name: str
    calendar_version: int  # with updated_at: names the resource's calendar (grid cache keys)
    updated_at: datetime


_GRID_RESOURCES = (
    select(
        Resource.id,
        Resource.site_id,
        Resource.slug,
        Resource.name,
        Resource.kind,
        Resource.capacity,
        Resource.is_bookable,
        Resource.min_duration_minutes,
        Resource.max_duration_minutes,
        Resource.slot_step_minutes,
        Resource.fixed_slots,
        Resource.min_notice_minutes,
        Resource.horizon_days,
        Site.slug,
        Site.name,
        Resource.calendar_version,
        Resource.updated_at,
    )
    .join(Resource.site)
    .where(Resource.is_bookable.is_(True))
    .order_by(Site.name, Site.id, Resource.name)
)


def bookable_resources(site_id: int | None = None) -> list[GridResource]:
    """Bookable resources with their site's name, by site then name."""
    stmt = _GRID_RESOURCES
    if site_id is not None:
        stmt = stmt.where(Resource.site_id == site_id)
    return [GridResource(*row) for row in read_outside_transaction(stmt)]


def calendar_resource(slug: str) -> Resource | None:
    stmt = (
        select(Resource)
        .join(Resource.site)
        .options(contains_eager(Resource.site))
        .where(Resource.slug == slug)
    )
    return db.session.scalar(stmt)


@dataclass(frozen=True, slots=True)
class SearchChoices:
    equipment: list[tuple[int, str, str]]  # (id, slug, name)
    neighbourhoods: list[str]


def search_choices() -> SearchChoices:
    """What the "find a free room" form offers: the equipment catalogue and neighbourhoods."""
    english = str(get_locale()).startswith("en")
    rows = db.session.execute(
        select(Equipment.id, Equipment.slug, Equipment.name, Equipment.name_en)
    )
    equipment = sorted(
        (
            (id_, slug, (name_en if english and name_en else name))
            for id_, slug, name, name_en in rows
        ),
        key=lambda row: row[2].lower(),
    )
    neighbourhoods = list(
        db.session.scalars(
            select(Site.neighbourhood)
            .where(Site.neighbourhood != "")
            .distinct()
            .order_by(Site.neighbourhood)
        )
    )
    return SearchChoices(equipment, neighbourhoods)

"""Read-side queries for sites and resources, loading what a page shows in few queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.extensions import db
from booking.resources.models import Resource, ResourceEquipment, Site


def sites_with_resources() -> list[Site]:
    stmt = (
        select(Site).options(selectinload(Site.resources)).order_by(Site.neighbourhood, Site.name)
    )
    return list(db.session.scalars(stmt))


def resource_by_slug(slug: str) -> Resource | None:
    stmt = (
        select(Resource)
        .where(Resource.slug == slug)
        .options(
            selectinload(Resource.site).selectinload(Site.opening_hours),
            selectinload(Resource.opening_hours),
            selectinload(Resource.equipment).joinedload(ResourceEquipment.equipment),
            selectinload(Resource.managers),
            selectinload(Resource.required_training),
        )
    )
    return db.session.scalar(stmt)


def site_by_slug(slug: str) -> Site | None:
    stmt = (
        select(Site)
        .where(Site.slug == slug)
        .options(
            selectinload(Site.resources)
            .selectinload(Resource.equipment)
            .joinedload(ResourceEquipment.equipment),
            selectinload(Site.opening_hours),
        )
    )
    return db.session.scalar(stmt)

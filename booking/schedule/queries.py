"""Read-side queries of the calendars: one query per list, nothing per row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask_babel import get_locale
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    bindparam,
    cast,
    exists,
    func,
    select,
    true,
)
from sqlalchemy.orm import contains_eager

from booking.bookings.availability import KIND_GROUPS
from booking.core.pool import read_outside_transaction
from booking.extensions import db
from booking.paging import page_size
from booking.resources.hours import has_opening_hours
from booking.resources.models import Equipment, Resource, ResourceEquipment, ResourceKind, Site


@dataclass(frozen=True, slots=True)
class SiteChoice:
    id: int
    slug: str
    name: str
    neighbourhood: str = ""


_SITES = select(Site.id, Site.slug, Site.name, Site.neighbourhood).order_by(Site.name)


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
    .where(Resource.is_bookable.is_(True), has_opening_hours())
    .order_by(Site.name, Site.id, Resource.name, Resource.id)
)


@dataclass(frozen=True, slots=True)
class GridFilters:
    """What the day grid is narrowed to; every part is optional. Hashable: a cache key part."""

    site_id: int | None = None
    neighbourhood: str | None = None
    kind: str | None = None  # a key of bookings.availability.KIND_GROUPS
    capacity: int | None = None  # at least this many people
    equipment_ids: tuple[int, ...] = ()  # has every one of these


@lru_cache(maxsize=128)
def _filtered(filters: GridFilters) -> Select:
    """The statement of `filters`, built once (the same object each time: the direct read
    of `read_outside_transaction` keeps its compiled form by statement)."""
    stmt = _GRID_RESOURCES
    if filters.site_id is not None:
        stmt = stmt.where(Resource.site_id == filters.site_id)
    if filters.neighbourhood:
        stmt = stmt.where(Site.neighbourhood == filters.neighbourhood)
    if filters.kind:
        stmt = stmt.where(Resource.kind.in_(KIND_GROUPS.get(filters.kind, ())))
    if filters.capacity:
        stmt = stmt.where(Resource.capacity >= filters.capacity)
    for equipment_id in filters.equipment_ids:
        stmt = stmt.where(
            exists().where(
                ResourceEquipment.resource_id == Resource.id,
                ResourceEquipment.equipment_id == equipment_id,
            )
        )
    return stmt


class _RowsPagination(SelectPagination):
    """A page of plain rows (not ORM objects), each made into a GridResource."""

    def _query_items(self) -> list[GridResource]:
        stmt = _page_of(self._query_args["select"], self.per_page, self._query_offset)
        return [GridResource(*row) for row in read_outside_transaction(stmt)]

    def _query_count(self) -> int:
        return read_outside_transaction(_count_of(self._query_args["select"]))[0][0]


@lru_cache(maxsize=256)
def _page_of(stmt: Select, limit: int, offset: int) -> Select:
    return stmt.limit(limit).offset(offset)


@lru_cache(maxsize=128)
def _count_of(stmt: Select) -> Select:
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def bookable_page(filters: GridFilters, page: int | None) -> Pagination:
    """One page (PAGE_SIZE rows) of the bookable resources (with opening hours) that match
    `filters`, by site then name: the page's rows, and their count when there is more than
    one page, so the all-sites grid never loads every room of the region."""
    stmt = _filtered(filters)
    found = _RowsPagination(
        select=stmt,
        session=db.session,
        page=page or 1,
        per_page=page_size(),
        max_per_page=None,
        error_out=False,
        count=False,
    )
    if found.page == 1 and len(found.items) < found.per_page:
        found.total = len(found.items)  # all of them on the first page: nothing to count
    else:
        found.total = found._query_count()
    return found


@dataclass(frozen=True, slots=True)
class CalendarStamp:
    """What names one resource's calendar pages (`cache.calendar_key`, the minimum notice
    of `grid_clock`) and whether they show seats: read without loading the resource, so a
    page served whole from the cache costs this one read (issue 19)."""

    id: int
    calendar_version: int
    updated_at: datetime
    min_notice_minutes: int
    kind: ResourceKind

    @property
    def is_exclusive(self) -> bool:
        return self.kind.is_exclusive


_CALENDAR_STAMP = (
    select(
        Resource.id,
        Resource.calendar_version,
        Resource.updated_at,
        Resource.min_notice_minutes,
        Resource.kind,
    )
    .join(Resource.site)
    .where(Resource.slug == bindparam("slug"))
)


def calendar_stamp(slug: str) -> CalendarStamp | None:
    """The stamp of the resource `calendar_resource(slug)` loads; None when there is none."""
    rows = read_outside_transaction(_CALENDAR_STAMP, {"slug": slug})
    return CalendarStamp(*rows[0]) if rows else None


@dataclass(frozen=True, slots=True)
class DayStamp:
    """What names everything the day grid page reads, read with the places in one statement
    (issue 19): the kept page is looked up by it before anything else is read.

    `parts`: the places themselves (the form's choices, a place with no room included);
    of every resource, their count, the sums of their ids and calendar versions (raised by
    the database with any change a calendar shows: bookings, closures, hours, the place)
    and their latest `updated_at` (any change of their own columns); the equipment
    catalogue as text; sums over the resources' equipment lines (what the equipment filter
    keeps). `max_notice_minutes`: the longest minimum notice of any resource, which bounds
    that of the rooms shown, so a clock keyed with it is never coarser than their grid's."""

    parts: tuple
    max_notice_minutes: int


def _catalogue_text(*columns) -> ColumnElement[str]:
    """The rows of `columns` as one text (in the database's order: another order only makes
    another key, never a stale one)."""
    row = columns[0]
    for column in columns[1:]:
        row = row + "\x1f" + column
    return func.aggregate_strings(row, "\x1e")


_LINES = (
    func.count(ResourceEquipment.id),
    func.sum(ResourceEquipment.id),
    func.sum(ResourceEquipment.resource_id),
    func.sum(ResourceEquipment.equipment_id),
    func.sum(ResourceEquipment.resource_id * ResourceEquipment.equipment_id),
    func.sum(ResourceEquipment.equipment_id * ResourceEquipment.equipment_id),
)

_STAMP = (
    select(
        func.coalesce(func.max(Resource.min_notice_minutes), 0),
        func.count(Resource.id),
        func.sum(Resource.id),
        func.sum(Resource.calendar_version),
        func.max(Resource.updated_at),
        select(
            _catalogue_text(
                cast(Equipment.id, String),
                Equipment.slug,
                Equipment.name,
                func.coalesce(Equipment.name_en, ""),
            )
        ).scalar_subquery(),
        *(select(line).scalar_subquery() for line in _LINES),
    )
    .select_from(Resource)
    .subquery("stamp")
)
# One row a place (by name, as `_SITES`), each with the stamp; one row with no place.
_DAY_STAMP = (
    select(Site.id, Site.slug, Site.name, Site.neighbourhood, *_STAMP.c)
    .select_from(_STAMP)
    .outerjoin(Site, true())
    .order_by(Site.name)
)


def day_stamp() -> tuple[DayStamp, list[SiteChoice]]:
    """The day grid's stamp and the places (`site_choices`): one read, outside a
    transaction on PostgreSQL."""
    rows = read_outside_transaction(_DAY_STAMP)
    sites = [SiteChoice(*row[:4]) for row in rows if row[0] is not None]
    notice, *parts = rows[0][4:]
    return DayStamp((tuple(sites), *parts), int(notice)), sites


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


_EQUIPMENT = select(Equipment.id, Equipment.slug, Equipment.name, Equipment.name_en)


def search_choices(sites: list[SiteChoice] | None = None) -> SearchChoices:
    """What the "find a free room" form offers: the equipment catalogue and neighbourhoods
    (taken from `sites` when the page read them already)."""
    english = str(get_locale()).startswith("en")
    rows = read_outside_transaction(_EQUIPMENT)
    equipment = sorted(
        (
            (id_, slug, (name_en if english and name_en else name))
            for id_, slug, name, name_en in rows
        ),
        key=lambda row: row[2].lower(),
    )
    if sites is not None:
        return SearchChoices(equipment, sorted({s.neighbourhood for s in sites if s.neighbourhood}))
    neighbourhoods = list(
        db.session.scalars(
            select(Site.neighbourhood)
            .where(Site.neighbourhood != "")
            .distinct()
            .order_by(Site.neighbourhood)
        )
    )
    return SearchChoices(equipment, neighbourhoods)

"""The standard benchmark workload (issue 7), so figures compare with other systems.

`build_workload(scale)` fills an *empty* database with, per site (`scale` sites):
15 videoconference rooms open Monday–Friday 08:00–20:00; single bookings on
every weekday from 2026-01-01 to 2027-12-31 at 09:00–10:00, 10:30–12:00,
14:00–15:00 and 16:00–17:30 (Europe/Paris), all approved; and 200 weekly series
of 20 occurrences placed by a fixed formula. Scale 1 gives 35,320 bookings, the
busy reference day (Tuesday 2026-09-29) 74 of them, and no overlap.

The bookings (3.5 million at scale 100) are generated as plain row tuples and
written by `booking.benchload`: PostgreSQL COPY with the indexes built after,
SQLite batched executemany. The ORM unit of work would take hours.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from booking.auth.models import Association, Membership, MembershipRole, User
from booking.benchload import format_bool, format_instant, vacuum_analyze, write_bookings
from booking.bookings.models import Booking, BookingSeries, BookingState
from booking.extensions import db
from booking.resources.models import (
    Equipment,
    OpeningHours,
    Resource,
    ResourceEquipment,
    ResourceKind,
    Site,
)
from booking.resources.versions import bulk_booking_load
from booking.timeutil import local_datetime

FIRST_DAY = date(2026, 1, 1)
LAST_DAY = date(2027, 12, 31)
ROOMS_PER_SITE = 15
ASSOCIATIONS = 40
SERIES_PER_SITE = 200
SERIES_COUNT = 20
SERIES_FIRST_MONDAY = date(2026, 1, 5)
REFERENCE_DAY = date(2026, 9, 29)

SINGLE_SLOTS = (
    (time(9, 0), time(10, 0)),
    (time(10, 30), time(12, 0)),
    (time(14, 0), time(15, 0)),
    (time(16, 0), time(17, 30)),
)
SERIES_SLOTS = (
    (time(12, 30), time(13, 30)),
    (time(15, 0), time(16, 0)),
    (time(17, 45), time(18, 45)),
)
OPENS, CLOSES = time(8, 0), time(20, 0)
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR")

BENCH_USER_EMAIL = "bench@example.org"
BENCH_USER_PASSWORD = "bench-password"  # noqa: S105 - a benchmark account, documented


class DatabaseNotEmptyError(Exception):
    """The workload is only ever written into an empty database."""


@dataclass(frozen=True)
class SeriesSpec:
    """Series number `s` of a site, placed by the issue's formula."""

    number: int
    room: int  # 1..15
    weekday: int  # 0 = Monday
    starts: time
    ends: time
    first_day: date

    @classmethod
    def of(cls, s: int) -> SeriesSpec:
        weekday = (s // 15) % 5
        starts, ends = SERIES_SLOTS[s // 75]
        week = SERIES_FIRST_MONDAY + timedelta(weeks=(s * 13) % 85)
        return cls(s, s % 15 + 1, weekday, starts, ends, week + timedelta(days=weekday))

    def days(self) -> list[date]:
        return [self.first_day + timedelta(weeks=n) for n in range(SERIES_COUNT)]


def expected_total(scale: int) -> int:
    weekdays = sum(1 for d in _days(FIRST_DAY, LAST_DAY) if d.weekday() < 5)
    per_site = ROOMS_PER_SITE * weekdays * len(SINGLE_SLOTS) + SERIES_PER_SITE * SERIES_COUNT
    return per_site * scale


def site_names(index: int) -> tuple[str, str]:
    """Name and slug of site `index` (1-based); site 1 is the scale-1 "Visio"."""
    if index == 1:
        return "Visio", "visio"
    return f"Visio {index:02d}", f"visio-{index:02d}"


def room_names(site_index: int, room: int) -> tuple[str, str]:
    if site_index == 1:
        return f"Salle visio {room:02d}", f"salle-visio-{room:02d}"
    return (
        f"Salle visio {site_index:02d}-{room:02d}",
        f"salle-visio-{site_index:02d}-{room:02d}",
    )


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _utc(day: date, at: time) -> datetime:
    return local_datetime(day, at).astimezone(UTC)


def _series(
    spec: SeriesSpec, rooms: list[Resource], assoc_ids: list[int], stamp: datetime
) -> BookingSeries:
    first = datetime.combine(spec.first_day, spec.starts)
    duration = datetime.combine(spec.first_day, spec.ends) - first
    return BookingSeries(
        uid=str(uuid.uuid4()),
        resource_id=rooms[spec.room - 1].id,
        association_id=assoc_ids[spec.number % ASSOCIATIONS],
        rule=f"FREQ=WEEKLY;COUNT={SERIES_COUNT};BYDAY={WEEKDAY_CODES[spec.weekday]}",
        first_start_local=first,
        duration_minutes=int(duration.total_seconds() // 60),
        title=f"Atelier hebdomadaire {spec.number}",
        created_at=stamp,
        updated_at=stamp,
    )


def _booking_rows(
    room_ids_by_site: list[list[int]],
    series_by_site: list[list[tuple[SeriesSpec, int]]],
    assoc_ids: list[int],
    stamp: datetime,
    dialect: str,
) -> Iterator[tuple]:
    """Every booking of the workload as a row tuple (`benchload.COLUMNS`), site by site:
    the single bookings day by day and room by room, then each series' occurrences.
    Booking `n` (from 1, in this order) gets association `n % 40`, `1 + n % 12`
    attendees, and is public when `n % 3 == 0`."""
    instants: dict[tuple[date, time], str] = {}

    def at(day: date, moment: time) -> str:
        key = (day, moment)
        if key not in instants:  # the Paris -> UTC conversion once per day and time
            instants[key] = format_instant(_utc(day, moment), dialect)
        return instants[key]

    created = format_instant(stamp.astimezone(UTC), dialect)
    approved = BookingState.APPROVED.value
    yes, no = format_bool(True, dialect), format_bool(False, dialect)
    weekdays = [d for d in _days(FIRST_DAY, LAST_DAY) if d.weekday() < 5]
    number = 0

    def row(resource_id: int, start: str, end: str, series_id: int | None) -> tuple:
        nonlocal number
        number += 1
        return (
            str(uuid.uuid4()),
            resource_id,
            assoc_ids[number % ASSOCIATIONS],
            series_id,
            f"Réunion {number}",
            1 + number % 12,
            yes if number % 3 == 0 else no,
            approved,
            yes,
            start,
            end,
            0,
            created,
            created,
        )

    for room_ids, series in zip(room_ids_by_site, series_by_site, strict=True):
        for day in weekdays:
            slots = [(at(day, starts), at(day, ends)) for starts, ends in SINGLE_SLOTS]
            for resource_id in room_ids:
                for start, end in slots:
                    yield row(resource_id, start, end, None)
        for spec, series_id in series:
            resource_id = room_ids[spec.room - 1]
            for day in spec.days():
                yield row(resource_id, at(day, spec.starts), at(day, spec.ends), series_id)


def is_empty() -> bool:
    for model in (Site, Resource, Association, User, Booking):
        if db.session.scalar(select(func.count()).select_from(model)):
            return False
    return True


def build_workload(scale: int = 1, *, now: datetime | None = None) -> dict[str, float]:
    """Write the standard workload into an empty database; flushes, the caller commits.

    Raises `DatabaseNotEmptyError` when any site, resource, association, user or
    booking exists already. Returns counts of what was written, and the seconds of the bulk write's phases.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    if not is_empty():
        raise DatabaseNotEmptyError(
            "The database is not empty: the benchmark workload is only written into an "
            "empty database (create a fresh one, run `flask db upgrade`, then bench-data)."
        )
    stamp = now or datetime(2025, 12, 1, tzinfo=UTC)

    associations = [
        Association(
            name=f"Association banc d'essai {n:02d}",
            slug=f"bench-association-{n:02d}",
            contact_email=f"contact{n:02d}@bench.example.org",
            is_active=True,
            validated_at=stamp,
            created_at=stamp,
        )
        for n in range(1, ASSOCIATIONS + 1)
    ]
    db.session.add_all(associations)
    user = User(email=BENCH_USER_EMAIL, display_name="Banc d'essai", created_at=stamp)
    user.set_password(BENCH_USER_PASSWORD)
    user.email_confirmed_at = stamp
    db.session.add(user)
    db.session.flush()
    db.session.add(
        Membership(user_id=user.id, association_id=associations[0].id, role=MembershipRole.ADMIN)
    )
    kit = Equipment(name="Kit de visioconférence", slug="kit-visio", category="visio")
    screen = Equipment(name="Grand écran", slug="ecran", category="affichage")
    db.session.add_all([kit, screen])

    rooms_by_site: list[list[Resource]] = []
    for site_index in range(1, scale + 1):
        name, slug = site_names(site_index)
        site = Site(
            name=name,
            slug=slug,
            address=f"{site_index} rue de Siam, 29200 Brest",
            neighbourhood="Centre",
            is_wheelchair_accessible=True,
            created_at=stamp,
        )
        db.session.add(site)
        db.session.flush()
        for weekday in range(5):
            db.session.add(
                OpeningHours(site_id=site.id, weekday=weekday, opens_at=OPENS, closes_at=CLOSES)
            )
        rooms = []
        for room in range(1, ROOMS_PER_SITE + 1):
            room_name, room_slug = room_names(site_index, room)
            resource = Resource(
                site=site,
                kind=ResourceKind.VISIO_ROOM,
                name=room_name,
                slug=room_slug,
                capacity=12,
                requires_approval=True,
                min_duration_minutes=30,
                max_duration_minutes=240,
                slot_step_minutes=30,
                horizon_days=730,
                min_notice_minutes=120,
                created_at=stamp,
                updated_at=stamp,
            )
            resource.equipment.append(ResourceEquipment(equipment=kit, quantity=1))
            resource.equipment.append(ResourceEquipment(equipment=screen, quantity=1))
            db.session.add(resource)
            rooms.append(resource)
        db.session.flush()
        rooms_by_site.append(rooms)

    assoc_ids = [a.id for a in associations]
    # Series are ordinary ORM rows (200 a site); their ids are needed by their bookings.
    specs = [SeriesSpec.of(s) for s in range(SERIES_PER_SITE)]
    series_by_site: list[list[BookingSeries]] = []
    for rooms in rooms_by_site:
        series = [_series(spec, rooms, assoc_ids, stamp) for spec in specs]
        db.session.add_all(series)
        series_by_site.append(series)
    db.session.flush()

    dialect = db.session.get_bind().dialect.name
    timings: dict[str, float] = {}
    rows = _booking_rows(
        [[r.id for r in rooms] for rooms in rooms_by_site],
        [
            [(spec, item.id) for spec, item in zip(specs, series, strict=True)]
            for series in series_by_site
        ],
        assoc_ids,
        stamp,
        dialect,
    )
    with bulk_booking_load():
        written = write_bookings(rows, timings)
    return {
        "sites": scale,
        "resources": scale * ROOMS_PER_SITE,
        "associations": ASSOCIATIONS,
        "series": scale * SERIES_PER_SITE,
        "bookings": written,
        **timings,
    }


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (and, on PostgreSQL, VACUUM the
    bookings); runs outside the load's transaction, which must be committed."""
    vacuum_analyze()

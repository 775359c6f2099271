"""The calendars and the search run a fixed number of SQL statements, whatever the data (no N+1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.extensions import db as _db
from booking.resources.models import Closure, Equipment, ResourceEquipment
from tests import factories
from tests.schedule.conftest import DAY, FAR, at
from tests.statements import recorded_statements as count_statements

PAGES = [
    f"/calendar/day?date={DAY.isoformat()}",
    f"/calendar/day?date={DAY.isoformat()}&site=place",
    f"/calendar/resources/room-1/week?date={DAY.isoformat()}",
    "/calendar/resources/room-1/month?month=2030-06",
    f"/find?date={DAY.isoformat()}&start=11:00&end=12:00&attendees=2&equipment=camera",
    "/resources/room-1",
    "/",
]


def build(rooms: int, bookings_per_day: int) -> None:
    """A place with `rooms` rooms, each booked `bookings_per_day` times a day for June 2030."""
    site = factories.make_site("Place")
    site.slug = "place"
    other = factories.make_site("Other place")
    camera = Equipment(name="Caméra", slug="camera")
    _db.session.add(camera)
    _db.session.flush()
    association = factories.make_association()
    for n in range(1, rooms + 1):
        room = factories.make_resource(
            site if n % 3 else other,
            name=f"Room {n}",
            slug=f"room-{n}",
            capacity=4 + n,
            horizon_days=FAR,
        )
        _db.session.add(ResourceEquipment(resource_id=room.id, equipment_id=camera.id))
        _db.session.add(
            Closure(resource_id=room.id, start_at=at(DAY, 19), end_at=at(DAY, 20), label="Ménage")
        )
        for day in range(30):
            current = DAY.replace(day=1) + timedelta(days=day)
            for slot in range(bookings_per_day):
                factories.make_booking(
                    room,
                    at(current, 8 + slot),
                    at(current, 8 + slot, 45),
                    association=association,
                    state="pending" if slot % 2 else "approved",
                    is_public=bool(slot % 3),
                )
    _db.session.commit()


def statements_per_page(client) -> dict[str, int]:
    counts = {}
    for url in PAGES:
        with count_statements() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(statements)
    return counts


@pytest.mark.slow
def test_statement_counts_do_not_grow_with_rooms_and_bookings(app, client, db):
    build(rooms=2, bookings_per_day=1)
    small = statements_per_page(client)
    factories_cleanup()
    build(rooms=12, bookings_per_day=6)
    large = statements_per_page(client)
    assert large == small, (small, large)
    # And they stay small: a few indexed window queries per page.
    assert small[PAGES[0]] <= 8
    assert small[PAGES[4]] <= 8


def factories_cleanup() -> None:
    """Empty the tables between the two scenes (same as the db fixture's teardown)."""
    _db.session.rollback()
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    _db.session.commit()

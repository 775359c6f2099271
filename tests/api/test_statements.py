"""The API's hot reads cost a fixed handful of statements, whatever the data: the
availability from the calendar versions and `free_busy`, a 304 from one small query."""

from __future__ import annotations

from datetime import timedelta

from booking.extensions import db
from tests import factories
from tests.api.conftest import local
from tests.statements import recorded_statements, selects


def _fill(rooms, days: range) -> None:
    for room in rooms:
        for n in days:
            start = local("2030-03-04 09:00") + timedelta(days=n)
            factories.make_booking(room, start, start + timedelta(hours=1))
    db.session.commit()


def _count(client, url: str, headers: dict | None = None) -> tuple[int, int]:
    with recorded_statements() as statements:
        response = client.get(url, headers=headers or {})
    return response.status_code, len(selects(statements))


def test_availability_costs_the_same_on_twice_the_data(client, site):
    rooms = [factories.make_resource(site, horizon_days=3650) for _ in range(3)]
    _fill(rooms, range(3))
    url = f"/api/v1/resources/{rooms[0].slug}/availability?date=2030-03-04"
    day_url = "/api/v1/availability?date=2030-03-05"
    small = [_count(client, url), _count(client, day_url)]
    more = [factories.make_resource(site, horizon_days=3650) for _ in range(3)]
    _fill(rooms, range(3, 6))
    _fill(more, range(6))
    rooms += more
    large = [_count(client, url + "&days=6"), _count(client, day_url + "&x=1")]
    assert small == large
    assert all(status == 200 for status, _ in small)
    assert small[0][1] <= 5  # versions, resources, opening hours, bookings, closures


def test_a_304_costs_one_small_query(client, room):
    url = "/api/v1/resources/salle-iroise/availability?date=2030-03-04"
    etag = client.get(url).headers["ETag"]
    assert _count(client, url, {"If-None-Match": etag}) == (304, 1)

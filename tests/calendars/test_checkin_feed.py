"""A released no-show leaves the feeds as STATUS:CANCELLED with a higher SEQUENCE."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.bookings.checkin import release_no_shows
from booking.extensions import db
from tests.calendars.conftest import NOW, parse_everywhere
from tests.calendars.test_feeds import book


@pytest.fixture
def room(make_site, make_resource):
    return make_resource(make_site("Maison du Quartier"), name="Salle Iroise", slug="salle-iroise")


def test_the_released_occurrence_is_cancelled_in_the_resource_feed(client, now, room):
    room.checkin_required = True
    booking = book(room, (2026, 10, 1), hour=11, hours=3)  # 11:00-14:00 local, started
    db.session.commit()
    (confirmed,) = parse_everywhere(client.get("/feeds/resources/salle-iroise.ics").data)
    assert confirmed["status"] == "CONFIRMED"
    etag = client.get("/feeds/resources/salle-iroise.ics").headers["ETag"]

    assert release_no_shows(booking.start_at + timedelta(minutes=15)) == 1
    db.session.commit()
    response = client.get("/feeds/resources/salle-iroise.ics")
    assert response.headers["ETag"] != etag  # the calendar version moved at once
    (released,) = parse_everywhere(response.data)
    assert released["uid"] == confirmed["uid"]
    assert released["status"] == "CANCELLED"
    assert released["sequence"] == confirmed["sequence"] + 1
    assert booking.cancelled_at <= NOW

"""Issue 13, item 15: a resource with no opening hours (neither its own nor its place's)
is not bookable yet. The engine refuses it with that reason, and no door offers it: the
search, the booking form's list, the JSON API (the day grid: tests/schedule)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from flask_babel import force_locale

from booking.bookings.availability import find_free
from booking.bookings.errors import BookingRefused
from booking.bookings.rules import BookingRequest
from booking.bookings.services import request_booking
from booking.extensions import db as _db
from booking.resources.models import OpeningHours
from booking.timeutil import local_datetime
from tests import factories

DAY = date(2030, 6, 18)
NOW = datetime(2030, 6, 1, 8, tzinfo=UTC)


def at(hour: int) -> datetime:
    return local_datetime(DAY, time(hour)).astimezone(UTC)


@pytest.fixture
def rooms(db):
    new = factories.make_resource(
        factories.make_site("Maison neuve", hours={}), name="Salle neuve", slug="salle-neuve"
    )
    open_ = factories.make_resource(name="Salle ouverte", slug="salle-ouverte")
    for room in (new, open_):
        room.horizon_days = 3650
    _db.session.commit()
    return new, open_


def test_the_engine_refuses_a_resource_without_hours_and_says_why(rooms):
    new, _open = rooms
    member = factories.make_member()
    association = member.memberships[0].association
    req = BookingRequest(new, association, at(14), at(16), "Réunion")
    with pytest.raises(BookingRefused) as info, force_locale("en"):
        request_booking(member, req, now=NOW)
    assert info.value.rule == "opening_hours"
    with force_locale("en"):
        assert "cannot be booked yet: it has no opening hours" in str(info.value.message)


def test_the_search_does_not_offer_it(rooms):
    found = [f.resource.slug for f in find_free(at(14), at(16), 1, now=NOW)]
    assert found == ["salle-ouverte"]
    assert [f.resource.slug for f in find_free(at(14), at(16), 1)] == ["salle-ouverte"]


def test_the_api_and_the_booking_form_do_not_list_it_until_it_has_hours(rooms, client, login):
    new, _open = rooms
    slugs = [r["slug"] for r in client.get("/api/v1/resources").json]
    assert slugs == ["salle-ouverte"]
    member = factories.make_member()
    _db.session.commit()
    page = login(member).get("/reservations/new").get_data(as_text=True)
    assert 'value="salle-ouverte"' in page
    assert 'value="salle-neuve"' not in page
    # Hours of its own make it bookable everywhere.
    _db.session.add(
        OpeningHours(
            resource_id=new.id, weekday=DAY.weekday(), opens_at=time(9), closes_at=time(18)
        )
    )
    _db.session.commit()
    assert sorted(r["slug"] for r in client.get("/api/v1/resources").json) == [
        "salle-neuve",
        "salle-ouverte",
    ]
    assert sorted(f.resource.slug for f in find_free(at(14), at(16), 1, now=NOW)) == [
        "salle-neuve",
        "salle-ouverte",
    ]


def test_its_public_page_says_it_is_not_bookable_yet(rooms, client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/resources/salle-neuve").get_data(as_text=True)
    assert "Not bookable yet: its opening hours are not set" in page
    assert "Not bookable yet" not in client.get("/resources/salle-ouverte").get_data(as_text=True)

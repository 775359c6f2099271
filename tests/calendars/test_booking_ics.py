""" "Add to my calendar" on a date of a series: this date alone, or the whole series with its
cancelled dates marked CANCELLED (issue 13, item 7)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking.bookings.models import BookingSeries
from booking.extensions import db
from booking.timeutil import to_utc
from tests import factories
from tests.calendars.conftest import parse_everywhere


@pytest.fixture
def series_bookings(now, make_site, make_resource, member):
    room = make_resource(make_site("Maison du Quartier"), name="Salle Iroise", slug="iroise")
    association = member.associations[0]
    series = BookingSeries(
        resource=room,
        association=association,
        rule="FREQ=WEEKLY;BYDAY=TU",
        first_start_local=datetime(2026, 10, 13, 18),
        duration_minutes=90,
        title="Atelier",
    )
    db.session.add(series)
    db.session.flush()
    bookings = []
    for n in range(4):
        start = to_utc(datetime(2026, 10, 13, 18) + timedelta(weeks=n))
        bookings.append(
            factories.make_booking(
                room,
                start,
                start + timedelta(minutes=90),
                association=association,
                series=series,
                title="Atelier",
                state="cancelled" if n == 2 else "approved",
                cancelled_at=now if n == 2 else None,
            )
        )
    db.session.commit()
    return bookings


def test_the_whole_series_marks_its_cancelled_date_cancelled(
    client, login, member, series_bookings
):
    login(member)
    events = parse_everywhere(client.get(f"/bookings/{series_bookings[1].id}.ics").data)
    assert len(events) == 4
    statuses = {e["uid"].split("@")[0]: e["status"] for e in events}
    assert statuses[series_bookings[2].uid] == "CANCELLED"
    assert statuses[series_bookings[0].uid] == "CONFIRMED"


def test_this_date_alone(client, login, member, series_bookings):
    login(member)
    response = client.get(f"/bookings/{series_bookings[1].id}/date.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    events = parse_everywhere(response.data)
    assert [e["uid"].split("@")[0] for e in events] == [series_bookings[1].uid]


def test_a_stranger_gets_neither(client, login, series_bookings, make_user):
    login(make_user())
    assert client.get(f"/bookings/{series_bookings[1].id}/date.ics").status_code == 404


def test_the_booking_page_offers_this_date_or_the_whole_series(
    client, login, member, series_bookings
):
    login(member)
    page = client.get(f"/reservations/{series_bookings[1].id}").get_data(as_text=True)
    booking_id = series_bookings[1].id
    assert f'<a href="/bookings/{booking_id}/date.ics">Ajouter cette date à mon agenda</a>' in page
    assert f'<a href="/bookings/{booking_id}.ics">Ajouter toute la série à mon agenda</a>' in page

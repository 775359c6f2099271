"""A released booking is free time everywhere: grids, find-a-free-room; "Released" in my bookings."""

from __future__ import annotations

from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from tests import factories
from tests.schedule.conftest import DAY
from tests.schedule.test_calendars import cells_of


def _release(booking: Booking) -> None:
    booking.state = BookingState.RELEASED
    booking.cancelled_at = booking.start_at
    db.session.commit()


def _conseil(scene) -> Booking:
    return db.session.query(Booking).filter_by(title="Conseil secret").one()


def test_the_day_grid_shows_a_released_slot_free(english, scene):
    before = cells_of(english.get(f"/calendar/day?date={DAY}").text, "Salle Amarre")
    assert before[2] == '<td class="slot-busy" colspan="2">Booked</td>'
    _release(_conseil(scene))
    after = cells_of(english.get(f"/calendar/day?date={DAY}").text, "Salle Amarre")
    assert "slot-busy" not in after[2]
    assert "slot-free" in after[2]


def test_find_a_free_room_offers_a_released_room(english, scene):
    query = f"/find?date={DAY}&start=09:00&end=10:00&attendees=8"
    assert "Salle Amarre" not in english.get(query).text
    _release(_conseil(scene))
    assert "Salle Amarre" in english.get(query).text


def test_my_bookings_say_released(login, scene):
    member = factories.make_member(locale="en")
    booking = _conseil(scene)
    booking.association_id = member.memberships[0].association_id
    _release(booking)
    client = login(member)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/reservations/mine?when=past").text + client.get("/reservations/mine").text
    assert "Released" in page

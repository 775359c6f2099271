"""Changing the date or time of a booking from its page; a series: this date, this date and
the following ones, or all of them (issue 13, item 6)."""

from __future__ import annotations

from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from booking.timeutil import to_local
from tests import factories
from tests.reservations.conftest import local
from tests.reservations.helpers import error_of, room_form, text
from tests.reservations.test_series import _book_series

URL = "/reservations/new?resource=salle-iroise"


def _request(client):
    response = client.post(URL, data=room_form())
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _local(instant) -> str:
    return to_local(instant).strftime("%Y-%m-%d %H:%M")


def test_a_member_moves_a_request_and_calendars_see_a_new_sequence(login, booker, room):
    client = login(booker)
    booking_id = _request(client)
    page = text(client.get(f"/reservations/{booking_id}"))
    assert f'href="/reservations/{booking_id}/change"' in page
    booking = db.session.get(Booking, booking_id)
    sequence = booking.sequence
    response = client.post(
        f"/reservations/{booking_id}/change",
        data={"date": "2030-03-06", "start": "10:00", "end": "11:30", "scope": "one"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    booking = db.session.get(Booking, booking_id)
    assert (_local(booking.start_at), _local(booking.end_at)) == (
        "2030-03-06 10:00",
        "2030-03-06 11:30",
    )
    assert booking.sequence > sequence
    assert booking.state is BookingState.PENDING


def test_an_approved_booking_moved_goes_back_to_pending(login, booker, room):
    booking = factories.make_booking(
        room,
        local("2030-03-05 14:00"),
        local("2030-03-05 16:00"),
        association=booker.associations[0],
        requester=booker,
    )
    db.session.commit()
    response = login(booker).post(
        f"/reservations/{booking.id}/change",
        data={"date": "2030-03-05", "start": "16:00", "end": "18:00", "scope": "one"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).state is BookingState.PENDING


def test_a_move_onto_a_booked_time_is_refused_next_to_the_start(login, booker, room):
    client = login(booker)
    booking_id = _request(client)
    factories.make_booking(room, local("2030-03-07 09:00"), local("2030-03-07 12:00"))
    db.session.commit()
    response = client.post(
        f"/reservations/{booking_id}/change",
        data={"date": "2030-03-07", "start": "10:00", "end": "11:00", "scope": "one"},
    )
    assert response.status_code == 422
    assert "already booked" in error_of(text(response), "start")
    db.session.expire_all()
    assert _local(db.session.get(Booking, booking_id).start_at) == "2030-03-05 14:00"


def test_bad_times_are_shown_next_to_their_field(login, booker, room):
    client = login(booker)
    booking_id = _request(client)
    response = client.post(
        f"/reservations/{booking_id}/change",
        data={"date": "2030-03-05", "start": "15:00", "end": "14:00", "scope": "one"},
    )
    assert response.status_code == 422
    assert "after the start" in error_of(text(response), "end")


def test_a_stranger_cannot_change_a_booking(login, booker, room):
    booking_id = _request(login(booker))
    stranger = factories.make_user()
    db.session.commit()
    assert login(stranger).get(f"/reservations/{booking_id}/change").status_code == 404


def test_a_series_this_date_and_the_following_ones_at_a_new_time(login, booker, room):
    client = login(booker)
    first, second, third, fourth = _book_series(client)
    response = client.post(
        f"/reservations/{third.id}/change",
        data={"date": "2027-11-02", "start": "17:00", "end": "19:00", "scope": "following"},
    )
    assert response.status_code == 302, error_of(text(response), "date")
    db.session.expire_all()
    starts = [
        _local(db.session.get(Booking, b.id).start_at) for b in (first, second, third, fourth)
    ]
    assert starts == [
        "2027-10-19 18:00",
        "2027-10-26 18:00",
        "2027-11-02 17:00",
        "2027-11-09 17:00",
    ]


def test_a_series_keeps_its_dates(login, booker, room):
    client = login(booker)
    first, *_rest = _book_series(client)
    response = client.post(
        f"/reservations/{first.id}/change",
        data={"date": "2027-10-20", "start": "18:00", "end": "20:00", "scope": "all"},
    )
    assert response.status_code == 422
    assert "keeps its dates" in error_of(text(response), "date")

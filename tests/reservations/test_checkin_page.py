"""The check-in page (/reservations/<id>/check-in): GET shows, POST checks in."""

from __future__ import annotations

from datetime import timedelta

from booking.bookings.models import BookingState
from booking.db import utcnow
from booking.extensions import db as _db
from tests import factories


def _scene(start_in: timedelta, **resource_fields):
    manager = factories.make_user(name="Gestionnaire")
    room = factories.make_resource(
        name="Salle Iroise", managers=[manager], checkin_required=True, **resource_fields
    )
    association = factories.make_association("Les Amis du Vélo")
    member = factories.make_member(association, locale="en")
    start = utcnow().replace(microsecond=0) + start_in
    booking = factories.make_booking(
        room, start, start + timedelta(hours=2), association=association, requester_id=member.id
    )
    return booking, member


def test_get_shows_the_button_and_changes_nothing(login, db):
    booking, member = _scene(timedelta(minutes=5))
    client = login(member)
    page = client.get(f"/reservations/{booking.id}/check-in")
    assert page.status_code == 200
    assert "Check in: we are here" in page.text
    _db.session.refresh(booking)
    assert booking.checked_in_at is None


def test_post_checks_in_and_the_booking_page_says_so(login, db):
    booking, member = _scene(timedelta(minutes=-5))
    client = login(member)
    answer = client.post(f"/reservations/{booking.id}/check-in")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/reservations/{booking.id}")
    _db.session.refresh(booking)
    assert booking.checked_in_at is not None
    assert booking.checked_in_by_id == member.id
    detail = client.get(f"/reservations/{booking.id}")
    assert "Checked in at" in detail.text


def test_the_booking_page_offers_check_in_only_in_the_window(login, db):
    booking, member = _scene(timedelta(minutes=10))
    client = login(member)
    assert "Check in: we are here" in client.get(f"/reservations/{booking.id}").text
    later, _ = _scene(timedelta(hours=3))
    later.association_id = booking.association_id
    _db.session.commit()
    assert "Check in: we are here" not in client.get(f"/reservations/{later.id}").text


def test_too_early_says_when_it_opens(login, db):
    booking, member = _scene(timedelta(hours=3))
    client = login(member)
    page = client.get(f"/reservations/{booking.id}/check-in")
    assert page.status_code == 200
    assert "Too early: check-in opens at" in page.text
    answer = client.post(f"/reservations/{booking.id}/check-in")
    assert answer.status_code == 409
    assert "Too early" in answer.text
    _db.session.refresh(booking)
    assert booking.checked_in_at is None


def test_released_booking_is_refused_in_words(login, db):
    booking, member = _scene(timedelta(minutes=-30))
    booking.state = BookingState.RELEASED
    client = login(member)
    answer = client.post(f"/reservations/{booking.id}/check-in")
    assert answer.status_code == 409
    assert "released" in answer.text


def test_a_stranger_gets_a_404(login, db):
    booking, _member = _scene(timedelta(minutes=5))
    stranger = factories.make_member(factories.make_association("Autre"))
    client = login(stranger)
    assert client.get(f"/reservations/{booking.id}/check-in").status_code == 404
    assert client.post(f"/reservations/{booking.id}/check-in").status_code == 404


def test_signed_out_visitors_are_sent_to_the_login(client, db):
    booking, _member = _scene(timedelta(minutes=5))
    _db.session.commit()
    answer = client.get(f"/reservations/{booking.id}/check-in")
    assert answer.status_code == 302
    assert "/account/login" in answer.headers["Location"]

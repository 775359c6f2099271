"""POST /api/v1/bookings/<id>/check-in: the same service as the page, problems in JSON."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from booking.db import utcnow
from booking.extensions import db
from tests import factories


def _booking(room, assoc, start_in: timedelta):
    room.checkin_required = True
    start = utcnow().replace(microsecond=0) + start_in
    booking = factories.make_booking(room, start, start + timedelta(hours=2), association=assoc)
    db.session.commit()
    return booking


def test_a_member_checks_in_through_the_api(client, room, assoc_a, member_a, bearer):
    booking = _booking(room, assoc_a, timedelta(minutes=-5))
    response = client.post(
        f"/api/v1/bookings/{booking.id}/check-in", headers=bearer(member_a, "book")
    )
    assert response.status_code == 200, response.json
    assert response.json["checked_in_at"] is not None
    assert response.json["state"] == "approved"
    db.session.refresh(booking)
    assert booking.checked_in_by_id == member_a.id


def test_too_early_is_a_problem_saying_when_it_opens(client, room, assoc_a, member_a, bearer):
    booking = _booking(room, assoc_a, timedelta(hours=3))
    response = client.post(
        f"/api/v1/bookings/{booking.id}/check-in", headers=bearer(member_a, "book")
    )
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json["rule"] == "too_early"
    opens = (booking.start_at - timedelta(minutes=15)).astimezone(ZoneInfo("Europe/Paris"))
    assert opens.strftime("%H:%M") in response.json["detail"]  # says when it opens


def test_a_read_token_cannot_check_in(client, room, assoc_a, member_a, bearer):
    booking = _booking(room, assoc_a, timedelta(minutes=-5))
    response = client.post(
        f"/api/v1/bookings/{booking.id}/check-in", headers=bearer(member_a, "read")
    )
    assert response.status_code == 403
    assert response.json["rule"] == "scope"


def test_someone_else_s_booking_is_a_404(client, room, assoc_a, member_b, bearer):
    booking = _booking(room, assoc_a, timedelta(minutes=-5))
    response = client.post(
        f"/api/v1/bookings/{booking.id}/check-in", headers=bearer(member_b, "book")
    )
    assert response.status_code == 404


def test_not_required_is_refused_with_its_rule(client, room, assoc_a, member_a, bearer):
    booking = _booking(room, assoc_a, timedelta(minutes=-5))
    room.checkin_required = False
    db.session.commit()
    response = client.post(
        f"/api/v1/bookings/{booking.id}/check-in", headers=bearer(member_a, "book")
    )
    assert response.status_code == 422
    assert response.json["rule"] == "checkin_not_required"

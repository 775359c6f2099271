"""Checking in from the page a QR code or the reminder opens: accessible, and it works."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from booking.auth.models import User
from booking.bookings.models import Booking, BookingState
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Resource
from tests.browser.conftest import axe_violations, log_in


@pytest.fixture
def starting_booking(live_app):
    """A demo association's booking starting in 5 minutes in a room requiring check-in."""
    with live_app.app_context():
        member = db.session.scalar(select(User).where(User.email == "association@example.org"))
        resource = db.session.scalar(
            select(Resource).where(Resource.kind == "visio_room").order_by(Resource.id)
        )
        resource.checkin_required = True
        start = utcnow().replace(microsecond=0) + timedelta(minutes=5)
        booking = Booking(
            resource=resource,
            association=member.associations[0],
            requester_id=member.id,
            title="Atelier d'arrivée",
            state=BookingState.APPROVED,
            exclusive=True,
            start_at=start,
            end_at=start + timedelta(hours=1),
        )
        db.session.add(booking)
        db.session.commit()
        booking_id, resource_id = booking.id, resource.id
    yield booking_id
    with live_app.app_context():
        db.session.execute(delete(Booking).where(Booking.id == booking_id))
        db.session.get(Resource, resource_id).checkin_required = False
        db.session.commit()


def test_a_member_checks_in_from_the_check_in_page(page, live_app, starting_booking) -> None:
    log_in(page, "association@example.org")
    page.goto(f"/reservations/{starting_booking}/check-in")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Pointer l'arrivée")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Pointer l'arrivée : nous sommes là").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/reservations/{starting_booking}")
    assert page.get_by_text("Votre arrivée est pointée").is_visible()
    assert axe_violations(page) == []
    with live_app.app_context():
        assert db.session.get(Booking, starting_booking).checked_in_at is not None

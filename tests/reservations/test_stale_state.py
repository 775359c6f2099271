"""Cancelling a booking whose state changed since the page was loaded says what happened.

Before: a request refused (or expired, or already cancelled) in the meantime answered
403 "You are not allowed to see this page".
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from booking.bookings.models import Booking, BookingState
from booking.bookings.services import BookingRequest, cancel, refuse, request_booking
from booking.extensions import db
from tests import factories
from tests.reservations.conftest import local
from tests.reservations.helpers import text

NOW = datetime(2030, 1, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def manager(db, room):
    user = factories.make_user(name="Yann", locale="en")
    room.managers.append(user)
    db.session.flush()
    return user


@pytest.fixture
def booking(db, booker, association, room) -> Booking:
    req = BookingRequest(
        resource=room,
        association=association,
        start_at=local("2030-03-05 14:00"),
        end_at=local("2030-03-05 16:00"),
        title="Assemblée générale",
    )
    made = request_booking(booker, req, now=NOW)
    db.session.commit()
    return made


def _expire(booking, manager) -> None:
    booking.state = BookingState.EXPIRED
    db.session.commit()


def _refuse(booking, manager) -> None:
    refuse(manager, booking, "La salle est en travaux", now=NOW)
    db.session.commit()


def _cancel(booking, manager) -> None:
    cancel(manager, booking, "Dégât des eaux", now=NOW)
    db.session.commit()


@pytest.mark.parametrize(
    ("change", "message", "label"),
    [
        (_refuse, "This request has already been refused.", "Refused"),
        (_cancel, "This booking has already been cancelled.", "Cancelled"),
        (_expire, "This request has expired: no decision was made before its start.", "Expired"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_cancelling_a_booking_decided_meanwhile_says_what_happened(
    login, booker, manager, booking, change, message, label, method
):
    client = login(booker)
    change(booking, manager)
    state = booking.state
    if method == "get":
        response = client.get(f"/reservations/{booking.id}/cancel")
    else:
        response = client.post(f"/reservations/{booking.id}/cancel", data={"scope": "one"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reservations/{booking.id}")
    page = text(client.get(response.headers["Location"]))
    assert message in page
    assert label in page  # the booking page shows the current state
    db.session.expire_all()
    assert booking.state is state


def test_the_message_is_translated(login, booker, manager, booking):
    booker.locale = "fr"
    _refuse(booking, manager)
    client = login(booker)
    response = client.post(
        f"/reservations/{booking.id}/cancel", data={"scope": "one"}, follow_redirects=True
    )
    assert "Cette demande a déjà été refusée." in text(response)


def test_a_refusal_between_loading_and_cancelling_is_explained(
    login, booker, manager, booking, monkeypatch
):
    """The state changes after the view read it: the service's refusal is shown the same way."""
    import booking.reservations.views as views

    def refused_meanwhile(actor, target, reason=None):
        refuse(manager, target, "Trop tard", now=NOW)
        return cancel(actor, target, reason)

    monkeypatch.setattr(views, "cancel", refused_meanwhile)
    client = login(booker)
    response = client.post(f"/reservations/{booking.id}/cancel", data={"scope": "one"})
    assert response.status_code == 303
    assert "This request has already been refused." in text(
        client.get(response.headers["Location"])
    )


def test_a_stranger_still_gets_not_found(login, manager, booking):
    _refuse(booking, manager)
    client = login(factories.make_member())
    assert client.get(f"/reservations/{booking.id}/cancel").status_code == 404

"""The booking page: details, trail, comments from both sides, cancelling."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from booking.bookings.models import Booking, BookingState, Comment
from booking.bookings.services import BookingRequest, refuse, request_booking
from booking.extensions import db
from tests import factories
from tests.reservations.conftest import local
from tests.reservations.helpers import error_of, text

NOW = datetime(2030, 1, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def manager(db, room):
    user = factories.make_user(name="Yann", locale="en")
    room.managers.append(user)
    db.session.flush()
    return user


@pytest.fixture
def booking(db, booker, association, room, screen) -> Booking:
    req = BookingRequest(
        resource=room,
        association=association,
        start_at=local("2030-03-05 14:00"),
        end_at=local("2030-03-05 16:00"),
        title="Assemblée générale",
        purpose="Notre AG",
        attendees=8,
        equipment={screen.id: 2},
    )
    made = request_booking(booker, req, now=NOW)
    db.session.commit()
    return made


def test_anonymous_visitor_is_sent_to_the_login_page(client, booking):
    response = client.get(f"/reservations/{booking.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_page_shows_the_booking_its_state_and_its_trail(login, booker, booking):
    page = text(login(booker).get(f"/reservations/{booking.id}"))
    assert "<h1>Assemblée générale</h1>" in page
    assert "Pending approval" in page
    assert "Screen × 2" in page
    assert "Salle Iroise" in page
    assert "Tuesday, March 5, 2030, 2:00" in page  # local time (13:00 UTC)
    assert "Requested" in page  # the trail
    assert booker.display_name in page


def test_a_stranger_gets_not_found_and_cannot_comment(login, booking):
    stranger = factories.make_member(locale="en")
    db.session.commit()
    client = login(stranger)
    assert client.get(f"/reservations/{booking.id}").status_code == 404
    assert (
        client.post(f"/reservations/{booking.id}/comments", data={"body": "Hi"}).status_code == 404
    )
    assert db.session.query(Comment).count() == 0


def test_the_association_and_the_manager_both_post_comments(
    login, client, booker, manager, booking
):
    db.session.commit()
    response = login(booker).post(
        f"/reservations/{booking.id}/comments", data={"body": "Peut-on avoir 20 chaises ?"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reservations/{booking.id}#comments")
    response = login(manager).post(
        f"/reservations/{booking.id}/comments", data={"body": "Oui, c'est prévu."}
    )
    assert response.status_code == 302
    page = text(client.get(f"/reservations/{booking.id}"))
    assert "Peut-on avoir 20 chaises ?" in page
    assert "Oui, c'est prévu." in page
    assert booker.display_name in page
    assert manager.display_name in page
    assert [c.author_id for c in booking.comments] == [booker.id, manager.id]


def test_an_empty_comment_is_shown_next_to_the_field(login, booker, booking):
    response = login(booker).post(f"/reservations/{booking.id}/comments", data={"body": "  "})
    assert response.status_code == 422
    assert error_of(text(response), "body")


def test_the_cancel_page_asks_first_and_changes_nothing(login, booker, booking):
    page = text(login(booker).get(f"/reservations/{booking.id}/cancel"))
    assert 'method="post"' in page
    assert 'name="scope"' in page  # a single booking: one hidden choice
    assert 'type="radio"' not in page
    assert booking.state is BookingState.PENDING


def test_a_member_cancels_with_an_optional_reason(login, booker, booking):
    client = login(booker)
    response = client.post(
        f"/reservations/{booking.id}/cancel", data={"scope": "one", "reason": ""}
    )
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.state is BookingState.CANCELLED
    page = text(client.get(response.headers["Location"]))
    assert "The booking is cancelled." in page
    assert "Cancelled" in page
    assert "Cancel this booking" not in page


def test_a_manager_must_give_a_reason_to_cancel(login, manager, booking):
    client = login(manager)
    response = client.post(f"/reservations/{booking.id}/cancel", data={"scope": "one"})
    assert response.status_code == 422
    assert error_of(text(response), "reason")
    db.session.refresh(booking)
    assert booking.state is BookingState.PENDING
    response = client.post(
        f"/reservations/{booking.id}/cancel",
        data={"scope": "one", "reason": "Dégât des eaux"},
    )
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.state is BookingState.CANCELLED
    assert "Dégât des eaux" in text(client.get(f"/reservations/{booking.id}"))


def test_a_refusal_shows_its_reason_in_words(login, booker, manager, booking):
    refuse(manager, booking, "La salle est en travaux", now=NOW)
    db.session.commit()
    page = text(login(booker).get(f"/reservations/{booking.id}"))
    assert "Refused" in page
    assert "La salle est en travaux" in page
    assert "Yann" in page  # who decided, in the trail


def test_a_cancelled_booking_cannot_be_cancelled_again(login, booker, booking, room):
    db.session.commit()
    booking.state = BookingState.CANCELLED
    db.session.commit()
    client = login(booker)
    assert client.get(f"/reservations/{booking.id}/cancel").status_code == 303
    response = client.post(f"/reservations/{booking.id}/cancel", data={"scope": "one"})
    assert response.status_code == 303
    assert "This booking has already been cancelled." in text(
        client.get(response.headers["Location"])
    )


@pytest.mark.parametrize("action", ["comments", "cancel"])
def test_anonymous_posts_are_sent_to_the_login_page(client, booking, action):
    response = client.post(f"/reservations/{booking.id}/{action}", data={"body": "x"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert db.session.query(Comment).count() == 0
    db.session.refresh(booking)
    assert booking.state is BookingState.PENDING

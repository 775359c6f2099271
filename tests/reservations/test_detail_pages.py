"""A booking's messages and history are paginated; the page opens on the latest messages.

Before: every message and every history line was loaded and shown at once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booking import audit
from booking.bookings.models import Booking, Comment
from booking.bookings.services import BookingRequest, request_booking
from booking.db import utcnow
from booking.extensions import db
from tests.reservations.conftest import local
from tests.reservations.helpers import text
from tests.statements import recorded_statements

NOW = datetime(2030, 1, 2, 9, 0, tzinfo=UTC)


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


def _comments(booking, author, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        db.session.add(
            Comment(
                booking=booking,
                author_id=author.id,
                body=f"Message n°{n:03d}",
                created_at=utcnow() - timedelta(days=1) + timedelta(minutes=n),
            )
        )
        audit.record("booking", booking.id, "commented", actor_id=author.id)
    db.session.commit()


def test_the_page_opens_on_the_latest_messages(app, login, booker, booking, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 10)
    _comments(booking, booker, 25)
    client = login(booker)
    page = text(client.get(f"/reservations/{booking.id}"))
    assert "Message n°024" in page
    assert "Message n°020" in page
    assert "Message n°019" not in page
    assert "25 messages · page 3 of 3" in page
    assert '<nav class="pagination" aria-label="Pages of messages">' in page
    assert f'href="/reservations/{booking.id}?messages=2#comments" rel="prev"' in page
    assert f'href="/reservations/{booking.id}?messages=3#comments" aria-current="page"' in page
    first = text(client.get(f"/reservations/{booking.id}?messages=1"))
    assert "Message n°000" in first
    assert "Message n°010" not in first
    # The history (one line per message, plus the request) has its own pages.
    assert '<nav class="pagination" aria-label="Pages of the history">' in first
    history = text(client.get(f"/reservations/{booking.id}?history=3"))
    assert history.count("<tr>") == 1 + 6  # the header row and 26 - 20 events


def test_a_new_message_lands_on_the_page_that_shows_it(app, login, booker, booking, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 10)
    _comments(booking, booker, 10)
    client = login(booker)
    response = client.post(f"/reservations/{booking.id}/comments", data={"body": "Le dernier mot"})
    page = text(client.get(response.headers["Location"]))
    assert "Le dernier mot" in page
    # A refused message re-shows the page; its page links go to the booking page.
    response = client.post(f"/reservations/{booking.id}/comments", data={"body": "  "})
    assert response.status_code == 422
    assert f'href="/reservations/{booking.id}?messages=1#comments"' in text(response)
    assert "/comments?messages" not in text(response)


def _statements(client, booking) -> int:
    with recorded_statements() as statements:
        response = client.get(f"/reservations/{booking.id}")
    assert response.status_code == 200
    return len(statements)


def test_the_booking_page_costs_the_same_statements_for_3_or_120_messages(
    app, login, booker, booking, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 10)
    client = login(booker)
    _comments(booking, booker, 12)
    few = _statements(client, booking)
    _comments(booking, booker, 108, start=12)
    many = _statements(client, booking)
    assert many == few

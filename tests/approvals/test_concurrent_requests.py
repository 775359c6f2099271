"""Managers approving while members cancel, over HTTP and all at once: never a 5xx.

Each request runs in its own thread with its own test client, application
context and database connection, through the real views (retry included),
released together by a barrier; then every invariant of
`tests/bookings/concurrency.py` is checked.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from booking.bookings.models import BookingState
from booking.bookings.rules import BookingRequest
from booking.bookings.services import request_booking
from booking.db import utcnow
from booking.timeutil import to_utc
from tests import factories
from tests.bookings.concurrency import assert_consistent, quietly

PAIRS = 8

pytestmark = pytest.mark.slow


def post_at_once(app, posts: list[tuple[int, str, dict]]) -> list[int | str]:
    """POST each (user id, url, form) from its own signed-in client, all released together."""
    barrier = threading.Barrier(len(posts))
    statuses: list[int | str] = ["not run"] * len(posts)

    def run(index: int, user_id: int, url: str, data: dict) -> None:
        try:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = str(user_id)
                session["_fresh"] = True
            barrier.wait(timeout=30)
            statuses[index] = client.post(url, data=data).status_code
        except Exception as error:  # a 500 propagates in tests: reported, not lost
            statuses[index] = f"crash: {error!r}"

    threads = [
        threading.Thread(target=run, args=(index, *post)) for index, post in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_approving_and_cancelling_over_http_at_once_never_fails(app, db):
    rounds = 2 if db.engine.dialect.name == "postgresql" else 1
    for n in range(rounds):
        with quietly():
            manager = factories.make_user(name="Manager")
            room = factories.make_resource(managers=[manager], horizon_days=3650)
            association = factories.make_association()
            posts = []
            day = datetime(2030, 3, 5) + timedelta(days=n)
            for pair in range(PAIRS):
                member = factories.make_member(association)
                start = to_utc(day + timedelta(hours=8 + pair))
                req = BookingRequest(
                    room, association, start, start + timedelta(hours=1), "Réunion"
                )
                booking = request_booking(member, req)
                posts.append((manager.id, f"/approvals/{booking.id}/approve", {}))
                posts.append((member.id, f"/reservations/{booking.id}/cancel", {"scope": "one"}))
            room_id = room.id
            db.session.commit()
        statuses = post_at_once(app, posts)
        assert statuses == [302] * len(posts)
        bookings = assert_consistent([room_id], now=utcnow())
        assert {b.state for b in bookings} == {BookingState.CANCELLED}

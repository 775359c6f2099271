"""A move into room B and a new request for the same slot of room B, over HTTP and at once
(issue 13, item 6): exactly one gets the slot, the other is told why (422), never a 5xx or
a deadlock; several pairs run together so that they also cross in the lock order."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking.bookings.models import BookingState
from booking.bookings.rules import BookingRequest
from booking.bookings.services import request_booking
from booking.db import utcnow
from booking.timeutil import to_local, to_utc
from tests import factories
from tests.approvals.test_concurrent_requests import post_at_once
from tests.bookings.concurrency import assert_consistent, quietly

pytestmark = pytest.mark.slow

PAIRS = 4


def test_moving_into_a_room_while_someone_requests_that_slot_there(app, db):
    rounds = 3 if db.engine.dialect.name == "postgresql" else 1
    for n in range(rounds):
        with quietly():
            site = factories.make_site()
            room_a = factories.make_resource(site, requires_approval=False, horizon_days=3650)
            room_b = factories.make_resource(site, requires_approval=False, horizon_days=3650)
            association, other = factories.make_association(), factories.make_association()
            posts = []
            day = datetime(2030, 3, 5) + timedelta(days=n)
            for pair in range(PAIRS):
                mover, newcomer = factories.make_member(association), factories.make_member(other)
                start = to_utc(day + timedelta(hours=9 + 2 * pair))
                booking = request_booking(
                    mover,
                    BookingRequest(
                        room_a, association, start, start + timedelta(hours=1), "Réunion"
                    ),
                )
                local = to_local(start)
                times = {
                    "date": local.date().isoformat(),
                    "start": local.strftime("%H:%M"),
                    "end": (local + timedelta(hours=1)).strftime("%H:%M"),
                }
                posts.append(
                    (
                        mover.id,
                        f"/reservations/{booking.id}/change",
                        {**times, "resource": room_b.slug, "scope": "one"},
                    )
                )
                posts.append(
                    (
                        newcomer.id,
                        f"/reservations/new?resource={room_b.slug}",
                        {
                            **times,
                            "title": "Permanence",
                            "attendees": "2",
                            "visibility": "private",
                            "repeat": "none",
                            "submit": "1",
                        },
                    )
                )
            ids = (room_a.id, room_b.id)
            db.session.commit()
        statuses = post_at_once(app, posts)
        for pair in range(PAIRS):
            assert sorted(statuses[2 * pair : 2 * pair + 2]) == [302, 422], statuses
        bookings = assert_consistent(ids, now=utcnow())
        in_b = [b for b in bookings if b.resource_id == ids[1] and b.state is BookingState.APPROVED]
        assert len(in_b) == PAIRS  # one per slot

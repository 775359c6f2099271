"""A check-in and the release of the same booking at the same moment: exactly one wins.

Both lock the resource row first (locking.py), so one runs after the other: either the
check-in lands and the release finds nothing to do, or the release lands and the check-in
is refused in words ("released"). Never both, never a crash or a deadlock. On
PostgreSQL the threads really meet at the lock; on SQLite they take turns.
"""

from __future__ import annotations

import pytest

from booking.auth.models import User
from booking.bookings.checkin import check_in, release_no_shows
from booking.bookings.models import BookingState
from booking.extensions import db
from tests import factories
from tests.bookings.concurrency import assert_consistent, quietly, race, rounds
from tests.bookings.conftest import NOW, TUESDAY, at
from tests.bookings.test_concurrency import ask

pytestmark = pytest.mark.slow


def checkin_release_round(app) -> str:
    with quietly():
        room = factories.make_resource(requires_approval=False, checkin_required=True)
        association = factories.make_association()
        member = factories.make_member(association)
        booking = ask(member.id, room.id, association.id, TUESDAY, (14, 0), (16, 0))
        room_id, booking_id, member_id = room.id, booking.id, member.id
        db.session.commit()
    released: list[int] = []

    def checking_in():
        check_in(booking_id, db.session.get(User, member_id), at(TUESDAY, 14, 14))
        db.session.commit()

    def releasing():
        released.append(release_no_shows(at(TUESDAY, 14, 15)))
        db.session.commit()

    outcomes = race(app, checking_in, releasing)
    (booking,) = assert_consistent([room_id], now=NOW)
    if outcomes == ["ok", "ok"]:  # the check-in first: nothing left to release
        assert released == [0]
        assert booking.state is BookingState.APPROVED
        assert booking.checked_in_at == at(TUESDAY, 14, 14)
        return "check-in"
    assert outcomes == ["released", "ok"], outcomes
    assert released == [1]
    assert booking.state is BookingState.RELEASED
    assert booking.checked_in_at is None
    return "release"


def test_check_in_and_release_at_once_have_exactly_one_winner(app, db):
    winners = {checkin_release_round(app) for _ in rounds()}
    assert winners <= {"check-in", "release"}

"""What a booking request sends to the database (issue 19): the resource lock reads the
quota and the trust in its own statement; the SAVEPOINT of the overlap guard wraps only
the inserts the exclusion constraint can refuse (approved bookings of exclusive rooms)."""

from __future__ import annotations

from booking.bookings.models import BookingState
from booking.bookings.services import request_booking
from booking.extensions import db
from tests.bookings.conftest import NOW
from tests.statements import recorded_statements


def _sent(scene, req):
    db.session.flush()
    db.session.expire_all()
    with recorded_statements() as statements:
        booking = request_booking(scene.member, req, now=NOW)
    return booking, [" ".join(s.split()) for s in statements]


def test_a_pending_request_is_written_without_a_savepoint(scene):
    booking, statements = _sent(scene, scene.request())
    assert booking.state is BookingState.PENDING
    assert not [s for s in statements if s.upper().startswith("SAVEPOINT")]


def test_the_lock_reads_the_quota_and_the_trust_in_its_own_statement(scene):
    _booking, statements = _sent(scene, scene.request())
    reading = [s for s in statements if "quota" in s or "resource_trusted_association" in s]
    assert len(reading) == 1
    assert reading[0].startswith("SELECT resource.id")
    assert "quota" in reading[0]
    assert "resource_trusted_association" in reading[0]


def test_an_approval_on_arrival_keeps_the_overlap_guard(scene):
    scene.room.requires_approval = False
    booking, statements = _sent(scene, scene.request())
    assert booking.state is BookingState.APPROVED
    assert [s for s in statements if s.upper().startswith("SAVEPOINT")]
    assert not [s for s in statements if "resource_trusted_association" in s]

"""Check-in: the window's edges, who may check in, and the refusals in words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from booking.audit import AuditEvent
from booking.bookings.checkin import check_in, checkin_window, needs_checkin, release_no_shows
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import BookingState
from booking.extensions import db
from tests import factories
from tests.bookings.conftest import at

DAY = date(2026, 3, 3)


@pytest.fixture
def room(scene):
    scene.room.checkin_required = True
    scene.room.checkin_grace_minutes = 15
    db.session.flush()
    return scene.room


def _booking(scene, room, start=(14, 0), end=(16, 0), **fields):
    return factories.make_booking(
        room,
        at(DAY, *start),
        at(DAY, *end),
        association=scene.association,
        requester_id=scene.member.id,
        **fields,
    )


def test_window_opens_15_minutes_before_and_closes_at_start_plus_grace(scene, room):
    booking = _booking(scene, room)
    assert checkin_window(booking) == (at(DAY, 13, 45), at(DAY, 14, 15))
    assert not needs_checkin(booking, at(DAY, 13, 45) - timedelta(seconds=1))
    assert needs_checkin(booking, at(DAY, 13, 45))
    assert needs_checkin(booking, at(DAY, 14, 15) - timedelta(seconds=1))
    assert not needs_checkin(booking, at(DAY, 14, 15))


def test_check_in_exactly_when_the_window_opens(scene, room):
    booking = _booking(scene, room)
    check_in(booking.id, scene.member, at(DAY, 13, 45))
    assert booking.checked_in_at == at(DAY, 13, 45)
    assert booking.checked_in_by_id == scene.member.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "checked_in"))
    assert event.object_id == booking.id
    assert event.actor_id == scene.member.id


def test_check_in_one_second_before_the_window_says_when_it_opens(scene, room):
    booking = _booking(scene, room)
    with pytest.raises(BookingRefused) as refused:
        check_in(booking.id, scene.member, at(DAY, 13, 45) - timedelta(seconds=1))
    assert refused.value.rule == "too_early"
    assert "13:45" in refused.value.message  # local time, in either language
    assert booking.checked_in_at is None


def test_check_in_at_start_plus_grace_is_too_late(scene, room):
    booking = _booking(scene, room)
    with pytest.raises(BookingRefused) as refused:
        check_in(booking.id, scene.member, at(DAY, 14, 15))
    assert refused.value.rule == "too_late"


def test_check_in_after_release_is_refused(scene, room):
    booking = _booking(scene, room)
    assert release_no_shows(at(DAY, 14, 15)) == 1
    with pytest.raises(BookingRefused) as refused:
        check_in(booking.id, scene.member, at(DAY, 14, 16))
    assert refused.value.rule == "released"
    assert booking.state == BookingState.RELEASED


def test_checking_in_twice_keeps_the_first(scene, room):
    booking = _booking(scene, room)
    check_in(booking.id, scene.member, at(DAY, 13, 50))
    check_in(booking.id, scene.manager, at(DAY, 14, 0))
    assert booking.checked_in_at == at(DAY, 13, 50)
    assert booking.checked_in_by_id == scene.member.id


def test_no_check_in_where_it_is_not_required(scene):
    booking = _booking(scene, scene.room)
    assert not needs_checkin(booking, at(DAY, 14, 0))
    with pytest.raises(BookingRefused) as refused:
        check_in(booking.id, scene.member, at(DAY, 14, 0))
    assert refused.value.rule == "checkin_not_required"


def test_members_and_managers_may_check_in_by_default(scene, room):
    booking = _booking(scene, room)
    assert booking.can_check_in(scene.member)
    assert booking.can_check_in(scene.manager)
    stranger = factories.make_member(factories.make_association("Autre"))
    assert not booking.can_check_in(stranger)
    with pytest.raises(NotAllowed):
        check_in(booking.id, stranger, at(DAY, 14, 0))


def test_managers_only_refuses_the_association(scene, room):
    room.checkin_by = "managers"
    booking = _booking(scene, room)
    with pytest.raises(NotAllowed) as refused:
        check_in(booking.id, scene.member, at(DAY, 14, 0))
    assert refused.value.rule == "permission"
    check_in(booking.id, scene.manager, at(DAY, 14, 0))
    assert booking.checked_in_by_id == scene.manager.id


def test_a_pending_request_cannot_be_checked_in(scene, room):
    booking = _booking(scene, room, state="pending")
    assert not needs_checkin(booking, at(DAY, 14, 0))
    with pytest.raises(BookingRefused) as refused:
        check_in(booking.id, scene.member, at(DAY, 14, 0))
    assert refused.value.rule == "state"

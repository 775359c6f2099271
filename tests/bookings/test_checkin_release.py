"""No-show release: at start + grace exactly, across clock changes, one date of a series,
the email, and the offer of the freed slot to whoever waits."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from booking.audit import AuditEvent
from booking.bookings import events
from booking.bookings.checkin import check_in, release_no_shows
from booking.bookings.models import BookingSeries, BookingState
from booking.bookings.rules import approved_overlapping
from booking.extensions import db
from booking.outbox import OutboxMessage
from booking.resources.models import Resource
from booking.timeutil import to_utc
from tests import factories
from tests.bookings.conftest import at, caught

DAY = date(2026, 3, 3)


@pytest.fixture
def room(scene):
    scene.room.checkin_required = True
    scene.room.checkin_grace_minutes = 15
    db.session.flush()
    return scene.room


def _booking(scene, resource, start_at: datetime, end_at: datetime, **fields):
    fields.setdefault("requester_id", scene.member.id)
    return factories.make_booking(
        resource, start_at, end_at, association=scene.association, **fields
    )


def _version(resource: Resource) -> int:
    return db.session.scalar(select(Resource.calendar_version).where(Resource.id == resource.id))


def test_released_exactly_at_start_plus_grace_not_a_second_before(scene, room):
    booking = _booking(scene, room, at(DAY, 14), at(DAY, 16))
    assert release_no_shows(at(DAY, 14, 15) - timedelta(seconds=1)) == 0
    assert booking.state == BookingState.APPROVED
    version = _version(room)
    with caught(events.booking_released) as sent:
        assert release_no_shows(at(DAY, 14, 15)) == 1
    assert booking.state == BookingState.RELEASED
    assert booking.sequence == 1
    assert booking.cancelled_at == at(DAY, 14, 15)
    assert sent == [{"bookings": [booking]}]
    assert _version(room) > version  # grids, feeds and ETags change at once
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "released"))
    assert (event.object_id, event.from_state, event.to_state) == (
        booking.id,
        "approved",
        "released",
    )
    # The slot is free: nothing approved overlaps it any more.
    assert approved_overlapping(room, at(DAY, 14, 30), at(DAY, 15)) == []
    # Idempotent: a second run finds nothing.
    assert release_no_shows(at(DAY, 14, 20)) == 0


def test_the_requester_is_told_by_email_with_a_cancellation(scene, room):
    _booking(scene, room, at(DAY, 14), at(DAY, 16))
    release_no_shows(at(DAY, 14, 15))
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "released"))
    emails = {m.message()["To"]: m.message() for m in messages}
    email = next(e for to, e in emails.items() if scene.member.email in to)
    assert "cancel.ics" in email.as_string()
    text = email.get_body(("plain",)).get_content()
    assert "15 minutes" in text
    assert "Nobody checked in" in text or "Personne n'a pointé" in text


def test_checked_in_bookings_and_other_resources_are_left_alone(scene, room):
    checked = _booking(scene, room, at(DAY, 10), at(DAY, 12))
    check_in(checked.id, scene.member, at(DAY, 10, 5))
    other_room = factories.make_resource(name="Sans check-in")
    free_room_booking = _booking(scene, other_room, at(DAY, 10), at(DAY, 12))
    pending = _booking(scene, room, at(DAY, 10), at(DAY, 12), state="pending")
    assert release_no_shows(at(DAY, 11)) == 0
    assert checked.state == BookingState.APPROVED
    assert free_room_booking.state == BookingState.APPROVED
    assert pending.state == BookingState.PENDING


def test_a_booking_already_over_is_not_released(scene, room):
    """Release frees what is left of a slot; one that ended while nothing ran stays."""
    booking = _booking(scene, room, at(DAY, 10), at(DAY, 11))
    assert release_no_shows(at(DAY, 11)) == 0
    assert booking.state == BookingState.APPROVED


def test_grace_follows_the_resource(scene, room):
    room.checkin_grace_minutes = 0
    booking = _booking(scene, room, at(DAY, 14), at(DAY, 16))
    assert release_no_shows(at(DAY, 14) - timedelta(seconds=1)) == 0
    assert release_no_shows(at(DAY, 14)) == 1
    assert booking.state == BookingState.RELEASED


# --- Clock changes: grace is real elapsed time ----------------------------------------


def test_release_at_grace_across_the_spring_clock_change(scene, room):
    """29 March 2026: 02:00 becomes 03:00. A 01:50 start with 30 minutes of grace is
    released at 02:20 real time, i.e. 03:20 on the wall clock, not 02:20 (which does not
    exist) nor 03:50."""
    room.checkin_grace_minutes = 30
    sunday = date(2026, 3, 29)
    start = at(sunday, 1, 50)
    booking = _booking(scene, room, start, start + timedelta(hours=3))
    assert release_no_shows(at(sunday, 3, 20) - timedelta(seconds=1)) == 0
    assert release_no_shows(at(sunday, 3, 20)) == 1
    assert booking.cancelled_at == start + timedelta(minutes=30)


@pytest.mark.parametrize("fold", [0, 1])
def test_release_at_grace_in_the_repeated_autumn_hour(scene, room, fold):
    """25 October 2026: 02:00–03:00 happens twice. A booking at the first or the second
    02:30 is released 15 real minutes after its own start."""
    start = to_utc(datetime(2026, 10, 25, 2, 30, fold=fold))
    other = to_utc(datetime(2026, 10, 25, 2, 30, fold=1 - fold))
    assert start != other
    booking = _booking(scene, room, start, start + timedelta(hours=2))
    deadline = start + timedelta(minutes=15)
    assert release_no_shows(deadline - timedelta(seconds=1)) == 0
    assert booking.state == BookingState.APPROVED
    assert release_no_shows(deadline) == 1
    assert booking.state == BookingState.RELEASED


# --- A series: one date only ----------------------------------------------------------


def test_releasing_one_date_of_a_series_leaves_the_other_dates(scene, room):
    series = BookingSeries(
        resource_id=room.id,
        association_id=scene.association.id,
        requester_id=scene.member.id,
        rule="FREQ=WEEKLY;COUNT=3",
        first_start_local=datetime(2026, 3, 3, 14),
        duration_minutes=120,
        title="Atelier",
    )
    db.session.add(series)
    db.session.flush()
    dates = [
        _booking(scene, room, at(day, 14), at(day, 16), series_id=series.id)
        for day in (DAY, DAY + timedelta(days=7), DAY + timedelta(days=14))
    ]
    assert release_no_shows(at(DAY, 14, 15)) == 1
    assert [b.state for b in dates] == [
        BookingState.RELEASED,
        BookingState.APPROVED,
        BookingState.APPROVED,
    ]
    assert [b.sequence for b in dates] == [1, 0, 0]


# --- The offer to whoever waits -------------------------------------------------------


def test_a_room_request_refused_because_of_the_no_show_is_offered_the_slot(scene, room):
    approved_at = at(DAY, 9)
    booking = _booking(scene, room, at(DAY, 14), at(DAY, 16), decided_at=approved_at)
    other_association = factories.make_association("Club photo")
    other = factories.make_member(other_association)
    first = factories.make_booking(
        room,
        at(DAY, 15),
        at(DAY, 16),
        association=other_association,
        requester_id=other.id,
        state="refused",
        decided_at=approved_at,  # refused at the instant the no-show was approved
        created_at=at(DAY, 8),
    )
    factories.make_booking(  # later request, also refused because of it: not first
        room,
        at(DAY, 14),
        at(DAY, 15),
        association=other_association,
        requester_id=other.id,
        state="refused",
        decided_at=approved_at,
        created_at=at(DAY, 8, 30),
    )
    factories.make_booking(  # refused for another reason, at another time: not offered
        room,
        at(DAY, 14),
        at(DAY, 16),
        association=other_association,
        state="refused",
        decided_at=at(DAY, 7),
        created_at=at(DAY, 7),
    )
    with caught(events.slot_offered) as offered:
        release_no_shows(at(DAY, 14, 15))
    assert booking.state == BookingState.RELEASED
    assert [o["bookings"] for o in offered] == [[first]]
    messages = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "slot_offered"))
    )
    (message,) = [m for m in messages if other.email in m.message()["To"]]
    text = message.message().get_body(("plain",)).get_content()
    assert f"resource={room.slug}" in text
    assert "start=15%3A00" in text


def test_a_free_seat_of_an_open_lab_session_goes_to_the_first_waiting(scene):
    lab = factories.make_resource(name="Fablab", kind="open_lab", capacity=1, checkin_required=True)
    start, end = at(DAY, 14), at(DAY, 17)
    seat = _booking(scene, lab, start, end)
    waiting = [
        factories.make_booking(
            lab,
            start,
            end,
            state="waitlisted",
            requester_id=factories.make_user().id,
            created_at=at(DAY, 8, minute),
        )
        for minute in (1, 2)
    ]
    with caught(events.seat_promoted) as promoted:
        assert release_no_shows(at(DAY, 14, 15)) == 1
    assert seat.state == BookingState.RELEASED
    assert [b.state for b in waiting] == [BookingState.APPROVED, BookingState.WAITLISTED]
    assert [p["bookings"] for p in promoted] == [[waiting[0]]]

"""Open-lab sessions: seats, waiting list and promotion when a seat frees."""

from __future__ import annotations

import threading
from datetime import date, time

import pytest
from sqlalchemy import select

from booking.audit import trail
from booking.auth.models import Association, User
from booking.bookings import events
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingState
from booking.bookings.moves import reschedule
from booking.bookings.rules import BookingRequest
from booking.bookings.seats import sessions_on
from booking.bookings.services import cancel, expire_pending, refuse, request_booking
from booking.extensions import db
from booking.resources.models import Closure, OpeningHours, Resource
from tests import factories
from tests.bookings.conftest import NOW, at, caught

THURSDAY = date(2026, 3, 5)


@pytest.fixture
def lab(scene) -> Resource:
    """Thursday 18:00-21:00 and Saturday 10:00-12:00 / 14:00-17:00, three seats."""
    resource = factories.make_resource(
        kind="open_lab",
        name="Atelier ouvert",
        capacity=3,
        managers=[scene.manager],
        max_seats_per_person=3,  # group requests: the limit per person has its own tests
    )
    for weekday, opens, closes in [(3, 18, 21), (5, 10, 12), (5, 14, 17)]:
        resource.opening_hours.append(
            OpeningHours(weekday=weekday, opens_at=time(opens), closes_at=time(closes))
        )
    db.session.flush()
    return resource


def seat(scene, lab, day=THURSDAY, start=(18, 0), end=(21, 0), attendees=1, who=None):
    who = who or factories.make_member(scene.association)
    req = BookingRequest(
        lab, scene.association, at(day, *start), at(day, *end), "Atelier", attendees=attendees
    )
    return request_booking(who, req, now=NOW)


def test_a_seat_booking_is_approved_on_arrival_and_not_exclusive(scene, lab):
    first, second = seat(scene, lab), seat(scene, lab)
    assert first.state is second.state is BookingState.APPROVED
    assert first.exclusive is False
    assert lab.requires_approval is True  # seats are given in order, not decided


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (THURSDAY, (18, 30), (21, 0)),
        (THURSDAY, (18, 0), (20, 0)),
        (date(2026, 3, 6), (18, 0), (21, 0)),
        (date(2026, 3, 7), (10, 0), (17, 0)),
    ],
)
def test_a_seat_booking_must_match_a_session_exactly(scene, lab, day, start, end):
    with pytest.raises(BookingRefused) as info:
        seat(scene, lab, day=day, start=start, end=end)
    assert info.value.rule == "session"


def test_each_session_of_a_day_can_be_booked(scene, lab):
    saturday = date(2026, 3, 7)
    assert seat(scene, lab, day=saturday, start=(10, 0), end=(12, 0)).state is BookingState.APPROVED
    assert seat(scene, lab, day=saturday, start=(14, 0), end=(17, 0)).state is BookingState.APPROVED


def test_a_full_session_puts_new_requests_on_the_waiting_list(scene, lab):
    seat(scene, lab, attendees=2)
    last = seat(scene, lab)
    waiting = seat(scene, lab)
    too_many = seat(scene, lab, day=date(2026, 3, 12), attendees=3)
    assert last.state is BookingState.APPROVED
    assert waiting.state is BookingState.WAITLISTED
    assert too_many.state is BookingState.APPROVED  # another session, empty
    with pytest.raises(BookingRefused) as info:
        seat(scene, lab, attendees=4)
    assert info.value.rule == "capacity"
    assert [(e.action, e.to_state) for e in trail("booking", [waiting.id])] == [
        ("requested", "waitlisted")
    ]


def test_a_freed_seat_goes_to_the_oldest_waiting_request(scene, lab):
    holders = [seat(scene, lab) for _ in range(3)]
    first_waiting, second_waiting = seat(scene, lab), seat(scene, lab)
    with caught(events.seat_promoted) as sent:
        cancel(holders[1].requester, holders[1], now=NOW)
    assert first_waiting.state is BookingState.APPROVED
    assert second_waiting.state is BookingState.WAITLISTED
    assert sent == [{"bookings": [first_waiting], "actor": None}]
    assert [
        (e.action, e.from_state, e.to_state, e.actor_id)
        for e in trail("booking", [first_waiting.id])
    ][-1] == (
        "promoted",
        "waitlisted",
        "approved",
        None,
    )
    # A manager cancelling (with a reason) frees a seat too.
    cancel(scene.manager, holders[0], "Comportement dangereux", now=NOW)
    assert second_waiting.state is BookingState.APPROVED


def test_the_queue_is_strict_a_big_request_is_not_overtaken(scene, lab):
    holders = [seat(scene, lab) for _ in range(3)]
    big = seat(scene, lab, attendees=2)
    small = seat(scene, lab)
    with caught(events.seat_promoted) as sent:
        cancel(holders[0].requester, holders[0], now=NOW)
    assert (big.state, small.state, sent) == (BookingState.WAITLISTED, BookingState.WAITLISTED, [])
    cancel(holders[1].requester, holders[1], now=NOW)
    assert big.state is BookingState.APPROVED
    assert small.state is BookingState.WAITLISTED


def test_nothing_is_promoted_when_no_seat_frees(scene, lab):
    for _ in range(3):
        seat(scene, lab)
    first_waiting, second_waiting = seat(scene, lab), seat(scene, lab)
    with caught(events.seat_promoted) as sent:
        cancel(first_waiting.requester, first_waiting, now=NOW)
        refuse(scene.manager, second_waiting, "Réservé aux adhérents", now=NOW)
    assert sent == []
    approved = db.session.scalars(
        select(Booking).where(Booking.state == BookingState.APPROVED)
    ).all()
    assert len(approved) == 3


def test_no_promotion_once_the_session_has_started(scene, lab):
    holder, _second, _third = (seat(scene, lab) for _ in range(3))
    waiting = seat(scene, lab)
    cancel(holder.requester, holder, now=at(THURSDAY, 18, 30))
    assert waiting.state is BookingState.WAITLISTED
    assert expire_pending(now=at(THURSDAY, 18, 30)) == [waiting]


def test_moving_a_seat_to_another_session_frees_the_old_one(scene, lab):
    holders = [seat(scene, lab) for _ in range(3)]
    waiting = seat(scene, lab)
    saturday = date(2026, 3, 7)
    reschedule(holders[2].requester, holders[2], at(saturday, 10), at(saturday, 12), now=NOW)
    assert holders[2].state is BookingState.APPROVED
    assert waiting.state is BookingState.APPROVED


@pytest.mark.slow
def test_sixteen_people_asking_at_once_for_three_seats(app, db, scene, lab):
    requests = []
    for _ in range(16):
        member = factories.make_member(scene.association)
        requests.append(member.id)
    lab_id, association_id = lab.id, scene.association.id
    db.session.commit()
    barrier = threading.Barrier(16)
    outcomes: list[str] = []

    def ask(user_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                resource = db.session.get(Resource, lab_id)
                association = db.session.get(Association, association_id)
                db.session.rollback()
                barrier.wait(timeout=30)
                req = BookingRequest(
                    resource, association, at(THURSDAY, 18), at(THURSDAY, 21), "Atelier"
                )
                booking = request_booking(user, req, now=NOW)
                db.session.commit()
                outcomes.append(str(booking.state))
            except Exception as error:
                outcomes.append(f"crash: {error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask, args=(user_id,)) for user_id in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["approved"] * 3 + ["waitlisted"] * 13, outcomes


def test_one_person_takes_at_most_the_seats_allowed_per_session(scene, lab):
    lab.max_seats_per_person = 1
    who = factories.make_member(scene.association)
    seat(scene, lab, who=who)
    with pytest.raises(BookingRefused) as refused:
        seat(scene, lab, who=who)
    assert refused.value.rule == "seats_per_person"
    # Another session, or another person, is fine.
    assert seat(scene, lab, day=date(2026, 3, 12), who=who).state is BookingState.APPROVED
    assert seat(scene, lab).state is BookingState.APPROVED


def test_a_place_on_the_waiting_list_counts_towards_the_limit(scene, lab):
    lab.max_seats_per_person = 2
    for _ in range(3):
        seat(scene, lab)
    who = factories.make_member(scene.association)
    assert seat(scene, lab, who=who).state is BookingState.WAITLISTED
    assert seat(scene, lab, who=who).state is BookingState.WAITLISTED
    with pytest.raises(BookingRefused):
        seat(scene, lab, who=who)


def test_a_cancelled_seat_no_longer_counts(scene, lab):
    lab.max_seats_per_person = 1
    who = factories.make_member(scene.association)
    first = seat(scene, lab, who=who)
    cancel(who, first, None, now=NOW)
    assert seat(scene, lab, who=who).state is BookingState.APPROVED


def test_sessions_say_their_seats_left_and_waiting_list(scene, lab):
    for _ in range(3):
        seat(scene, lab)
    seat(scene, lab)  # waits
    saturday = date(2026, 3, 7)
    seat(scene, lab, day=saturday, start=(10, 0), end=(12, 0))
    found = sessions_on(lab, [THURSDAY, date(2026, 3, 6), saturday], NOW)
    assert [(s.start_at, s.seats_left, s.waiting, s.is_full) for s in found] == [
        (at(THURSDAY, 18), 0, 1, True),
        (at(saturday, 10), 2, 0, False),
        (at(saturday, 14), 3, 0, False),
    ]
    assert all(s.is_bookable for s in found)


def test_a_closed_or_past_session_is_not_bookable(scene, lab):
    db.session.add(
        Closure(
            resource_id=lab.id,
            start_at=at(THURSDAY, 0),
            end_at=at(date(2026, 3, 6), 0),
            label="Inventaire",
        )
    )
    db.session.flush()
    [thursday] = sessions_on(lab, [THURSDAY], NOW)
    assert (thursday.is_bookable, thursday.closed) == (False, "Inventaire")
    [earlier] = sessions_on(lab, [THURSDAY], at(THURSDAY, 19))
    assert not earlier.is_bookable

"""Every pair of transitions that can meet on one resource, raced on separate connections.

Each test runs its rounds on fresh resources; each round releases its threads
together (`concurrency.race`) and then checks every invariant
(`concurrency.assert_consistent`): no overlap, quotas held, seats within
capacity and no free seat while someone waits, audit trail = current state,
SEQUENCE raised once per change, and no exception at all (a deadlock or a
stale write shows up as a crash or a broken invariant). No emails are
composed (see `race`); `tests/approvals/test_concurrent_requests.py` races
the real pages, emails included.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import or_, select

from booking.approvals.services import block_period
from booking.audit import AuditEvent
from booking.auth.models import Association, User
from booking.bookings.models import Booking, BookingState
from booking.bookings.moves import reschedule
from booking.bookings.rules import BookingRequest
from booking.bookings.series import Recurrence, request_series
from booking.bookings.services import approve, cancel, request_booking
from booking.extensions import db
from booking.notifications.reminders import send_day_before_reminders
from booking.resources.models import Closure, OpeningHours, Quota, Resource
from tests import factories
from tests.bookings.concurrency import assert_consistent, quietly, race, rounds
from tests.bookings.conftest import NOW, TUESDAY, at

THURSDAY = date(2026, 3, 5)

pytestmark = pytest.mark.slow


def get(model, ident):
    return db.session.get(model, ident)


def ask(member_id: int, room_id: int, association_id: int, day: date, start, end) -> Booking:
    """Load, then request: what the booking form does in one transaction."""
    req = BookingRequest(
        get(Resource, room_id),
        get(Association, association_id),
        at(day, *start),
        at(day, *end),
        "Réunion",
    )
    return request_booking(get(User, member_id), req, now=NOW)


def cancelling(requester_id: int, booking_id: int):
    return lambda: cancel(get(User, requester_id), get(Booking, booking_id), now=NOW)


def approving(manager_id: int, booking_id: int):
    return lambda: approve(get(User, manager_id), get(Booking, booking_id), now=NOW)


def room_scene(**fields) -> tuple[int, int, int, list[int]]:
    """A room needing approval, its manager, an association and three members (ids)."""
    manager = factories.make_user(name="Manager")
    room = factories.make_resource(managers=[manager], **fields)
    association = factories.make_association()
    members = [factories.make_member(association) for _ in range(3)]
    return room.id, manager.id, association.id, [m.id for m in members]


def lab_scene(capacity: int, people: int) -> tuple[int, list[tuple[int, int]]]:
    """An open lab (Thursday 18:00-21:00) and `people` seat requests in order:
    its id and the (requester id, booking id) of each."""
    manager = factories.make_user(name="Manager")
    lab = factories.make_resource(kind="open_lab", capacity=capacity, managers=[manager])
    lab.opening_hours.append(OpeningHours(weekday=3, opens_at=time(18), closes_at=time(21)))
    db.session.flush()
    association = factories.make_association()
    seats = []
    for _ in range(people):
        member = factories.make_member(association)
        booking = ask(member.id, lab.id, association.id, THURSDAY, (18, 0), (21, 0))
        seats.append((member.id, booking.id))
    return lab.id, seats


# --- request x request under a quota ---------------------------------------------------


def quota_round(app) -> None:
    with quietly():
        room_id, _manager_id, association_id, member_ids = room_scene()
        db.session.add(Quota(resource_id=room_id, association_id=association_id, hours_per_week=2))
        ask(member_ids[0], room_id, association_id, TUESDAY, (9, 0), (10, 0))  # 1 h held
        db.session.commit()

    def one_hour(member_id: int, hour: int):
        return lambda: ask(member_id, room_id, association_id, TUESDAY, (hour, 0), (hour + 1, 0))

    outcomes = race(app, *[one_hour(m, 11 + 2 * n) for n, m in enumerate(member_ids)])
    assert sorted(outcomes) == ["ok", "quota", "quota"]
    assert_consistent([room_id], now=NOW)


def test_requests_under_a_quota_never_take_more_than_the_quota(app, db):
    for _ in rounds():
        quota_round(app)


# --- approve x cancel -------------------------------------------------------------------


def approve_cancel_round(app) -> None:
    with quietly():
        room_id, manager_id, association_id, member_ids = room_scene()
        booking_id = ask(member_ids[0], room_id, association_id, TUESDAY, (14, 0), (16, 0)).id
        db.session.commit()
    outcomes = race(app, approving(manager_id, booking_id), cancelling(member_ids[0], booking_id))
    assert outcomes in (["ok", "ok"], ["state", "ok"])
    (booking,) = assert_consistent([room_id], now=NOW)
    assert booking.state is BookingState.CANCELLED


def test_approving_while_the_member_cancels(app, db):
    for _ in rounds():
        approve_cancel_round(app)


# --- cancel x cancel with a waiting list, promote x cancel ------------------------------


def test_seat_holders_and_waiting_people_cancelling_at_once(app, db):
    for _ in rounds():
        with quietly():
            lab_id, seats = lab_scene(capacity=2, people=6)  # 2 seats taken, 4 waiting
            db.session.commit()
        leaving = seats[:4]  # the two holders and the first two waiting
        outcomes = race(app, *[cancelling(*seat) for seat in leaving])
        assert outcomes == ["ok"] * 4
        bookings = assert_consistent([lab_id], now=NOW)
        states = [b.state for b in bookings]
        assert states == [BookingState.CANCELLED] * 4 + [BookingState.APPROVED] * 2


def test_a_freed_seat_is_promoted_while_the_first_waiting_person_cancels(app, db):
    for _ in rounds():
        with quietly():
            lab_id, (holder, first, _second) = lab_scene(capacity=1, people=3)
            db.session.commit()
        outcomes = race(app, cancelling(*holder), cancelling(*first))
        assert outcomes == ["ok", "ok"]
        bookings = assert_consistent([lab_id], now=NOW)
        assert [b.state for b in bookings] == [
            BookingState.CANCELLED,
            BookingState.CANCELLED,
            BookingState.APPROVED,
        ]


# --- reschedule x approve ---------------------------------------------------------------


def reschedule_approve_round(app) -> None:
    with quietly():
        room_id, manager_id, association_id, member_ids = room_scene()
        pending_id = ask(member_ids[0], room_id, association_id, TUESDAY, (14, 0), (16, 0)).id
        other = factories.make_association()
        mover = factories.make_member(other)
        moved = ask(mover.id, room_id, other.id, TUESDAY, (10, 0), (12, 0))
        approve(get(User, manager_id), moved, now=NOW)
        moved_id = moved.id
        db.session.commit()

    def move():
        actor, booking = get(User, manager_id), get(Booking, moved_id)
        reschedule(actor, booking, at(TUESDAY, 15), at(TUESDAY, 17), now=NOW)

    outcomes = race(app, approving(manager_id, pending_id), move)
    assert sorted(outcomes) == ["ok", "overlap"]
    assert_consistent([room_id], now=NOW)


def test_rescheduling_onto_a_request_being_approved(app, db):
    for _ in rounds():
        reschedule_approve_round(app)


# --- series x single --------------------------------------------------------------------


def series_single_round(app) -> None:
    with quietly():
        room_id, _manager_id, association_id, member_ids = room_scene(requires_approval=False)
        other = factories.make_association()
        single_id, other_id = factories.make_member(other).id, other.id
        db.session.commit()

    def series():
        room, association = get(Resource, room_id), get(Association, association_id)
        req = BookingRequest(room, association, at(TUESDAY, 14), at(TUESDAY, 16), "Cours")
        request_series(get(User, member_ids[0]), req, Recurrence("weekly", count=4), now=NOW)

    week_two = TUESDAY + timedelta(days=7)
    outcomes = race(
        app, series, lambda: ask(single_id, room_id, other_id, week_two, (15, 0), (17, 0))
    )
    assert outcomes in (["ok", "overlap"], ["series", "ok"])
    bookings = assert_consistent([room_id], now=NOW)
    assert len(bookings) == (4 if outcomes[0] == "ok" else 1)


def test_a_series_and_a_single_request_for_the_same_slot(app, db):
    for _ in rounds():
        series_single_round(app)


# --- block x approve --------------------------------------------------------------------


def block_approve_round(app) -> None:
    with quietly():
        room_id, manager_id, association_id, member_ids = room_scene()
        booking_id = ask(member_ids[0], room_id, association_id, TUESDAY, (14, 0), (16, 0)).id
        db.session.commit()

    def block():
        actor, room = get(User, manager_id), get(Resource, room_id)
        block_period(actor, room, at(TUESDAY, 13), at(TUESDAY, 17), "Travaux", now=NOW)

    outcomes = race(app, approving(manager_id, booking_id), block)
    assert outcomes in (["ok", "ok"], ["closure", "ok"])
    (booking,) = assert_consistent([room_id], now=NOW)
    assert (booking.state is BookingState.APPROVED) == (outcomes[0] == "ok")
    closure_id = db.session.scalar(select(Closure.id).where(Closure.resource_id == room_id))
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(
            or_(
                (AuditEvent.object_type == "booking") & (AuditEvent.object_id == booking_id),
                (AuditEvent.object_type == "closure") & (AuditEvent.object_id == closure_id),
            ),
            AuditEvent.action.in_(("approved", "created")),
        )
        .order_by(AuditEvent.id)
    ).all()
    # Approved before the closure was written, or refused because of it: never after it.
    assert actions == (["approved", "created"] if outcomes[0] == "ok" else ["created"])


def test_blocking_a_period_while_a_request_in_it_is_approved(app, db):
    for _ in rounds():
        block_approve_round(app)


# --- day-before reminder x cancel -------------------------------------------------------


def reminder_cancel_round(app) -> None:
    with quietly():
        room_id, manager_id, association_id, member_ids = room_scene()
        booking = ask(member_ids[0], room_id, association_id, TUESDAY, (14, 0), (16, 0))
        approve(get(User, manager_id), booking, now=NOW)
        booking_id = booking.id
        db.session.commit()
    the_day_before = at(TUESDAY, 9) - timedelta(days=1)
    outcomes = race(
        app,
        lambda: send_day_before_reminders(now=the_day_before),
        cancelling(member_ids[0], booking_id),
    )
    assert outcomes == ["ok", "ok"]
    (booking,) = assert_consistent([room_id], now=NOW)
    assert booking.state is BookingState.CANCELLED


def test_the_day_before_reminder_while_the_booking_is_cancelled(app, db):
    for _ in rounds():
        reminder_cancel_round(app)


# --- reschedule x cancel ----------------------------------------------------------------


def reschedule_cancel_round(app) -> None:
    with quietly():
        room_id, manager_id, association_id, member_ids = room_scene()
        booking = ask(member_ids[0], room_id, association_id, TUESDAY, (10, 0), (12, 0))
        approve(get(User, manager_id), booking, now=NOW)
        booking_id = booking.id
        db.session.commit()

    def move():
        actor, moved = get(User, manager_id), get(Booking, booking_id)
        reschedule(actor, moved, at(TUESDAY, 14), at(TUESDAY, 16), now=NOW)

    outcomes = race(app, cancelling(member_ids[0], booking_id), move)
    assert outcomes in (["ok", "ok"], ["ok", "state"])
    (booking,) = assert_consistent([room_id], now=NOW)
    assert booking.state is BookingState.CANCELLED  # a move never brings it back


def test_moving_a_booking_while_it_is_cancelled(app, db):
    for _ in rounds():
        reschedule_cancel_round(app)


# --- a move into another room x a request for that room ----------------------------------


def room_move_round(app) -> None:
    with quietly():
        room_a, _manager_id, association_id, member_ids = room_scene(requires_approval=False)
        room_b = factories.make_resource(requires_approval=False).id
        moved_id = ask(member_ids[0], room_a, association_id, TUESDAY, (14, 0), (16, 0)).id
        other = factories.make_association()
        newcomer, other_id = factories.make_member(other).id, other.id
        db.session.commit()

    def move():
        booking = get(Booking, moved_id)
        reschedule(
            get(User, member_ids[0]),
            booking,
            booking.start_at,
            booking.end_at,
            resource=get(Resource, room_b),
            now=NOW,
        )

    outcomes = race(app, move, lambda: ask(newcomer, room_b, other_id, TUESDAY, (15, 0), (17, 0)))
    assert sorted(outcomes) == ["ok", "overlap"], outcomes
    bookings = assert_consistent([room_a, room_b], now=NOW)
    in_b = [b for b in bookings if b.resource_id == room_b and b.state is BookingState.APPROVED]
    assert len(in_b) == 1


def test_a_move_into_a_room_and_a_request_for_the_same_slot_there(app, db):
    for _ in rounds():
        room_move_round(app)


def crossing_moves_round(app) -> None:
    """Two bookings swapping rooms at once lock both rooms in the same order: no deadlock."""
    with quietly():
        room_a, _manager_id, association_id, member_ids = room_scene(requires_approval=False)
        room_b = factories.make_resource(requires_approval=False).id
        in_a = ask(member_ids[0], room_a, association_id, TUESDAY, (10, 0), (12, 0)).id
        in_b = ask(member_ids[1], room_b, association_id, TUESDAY, (14, 0), (16, 0)).id
        db.session.commit()

    def moving(member_id: int, booking_id: int, room_id: int):
        def move():
            booking = get(Booking, booking_id)
            reschedule(
                get(User, member_id),
                booking,
                booking.start_at,
                booking.end_at,
                resource=get(Resource, room_id),
                now=NOW,
            )

        return move

    outcomes = race(app, moving(member_ids[0], in_a, room_b), moving(member_ids[1], in_b, room_a))
    assert outcomes == ["ok", "ok"], outcomes
    assert_consistent([room_a, room_b], now=NOW)


def test_two_bookings_swapping_rooms_at_once(app, db):
    for _ in rounds():
        crossing_moves_round(app)

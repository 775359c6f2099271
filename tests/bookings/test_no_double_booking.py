"""The invariant: two approved bookings of one exclusive resource never overlap.

Proved three ways: random sequences of operations (hypothesis, stateful), 16
threads approving overlapping requests at once on separate connections, and
(PostgreSQL) the exclusion constraint catching a write that skipped the check.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from itertools import combinations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, select

from booking.audit import AuditEvent
from booking.auth.models import User
from booking.bookings.errors import BookingRefused
from booking.bookings.locking import overlap_guard
from booking.bookings.models import Booking, BookingState
from booking.bookings.moves import reschedule
from booking.bookings.rules import BookingRequest
from booking.bookings.services import approve, cancel, refuse, request_booking
from booking.extensions import db
from tests import factories
from tests.bookings.conftest import NOW, TUESDAY, at


def approved_overlaps(resource_id: int) -> list[tuple[Booking, Booking]]:
    approved = db.session.scalars(
        select(Booking).where(
            Booking.resource_id == resource_id,
            Booking.state == BookingState.APPROVED,
            Booking.exclusive.is_(True),
        )
    ).all()
    return [(a, b) for a, b in combinations(approved, 2) if a.overlaps(b.start_at, b.end_at)]


# --- (a) Random sequences --------------------------------------------------------------

SLOTS = st.integers(0, 20)  # half hours from 08:00 to 18:00 (+ 3 h at most: 21:00)
LENGTHS = st.integers(1, 6)  # 30 min to 3 h
PICK = st.integers(0, 10_000)


def refusal(operation, *args, **kwargs) -> str | None:
    """Run a service; the rule that refused it, or None when it went through."""
    try:
        operation(*args, **kwargs)
    except BookingRefused as error:
        return error.rule
    return None


class BookingMachine(RuleBasedStateMachine):
    """Several associations request, a manager approves and refuses, members cancel and
    move their bookings; after every step no two approved bookings overlap."""

    def __init__(self, world: dict) -> None:
        super().__init__()
        self.world = world
        self.ids: list[int] = []

    def _period(self, slot: int, length: int):
        start = at(TUESDAY, 8) + timedelta(minutes=30 * slot)
        return start, start + timedelta(minutes=30 * length)

    def _pick(self, index: int) -> Booking:
        return db.session.get(Booking, self.ids[index % len(self.ids)])

    @rule(who=st.integers(0, 2), slot=SLOTS, length=LENGTHS)
    def request(self, who, slot, length):
        member, association = self.world["members"][who]
        start_at, end_at = self._period(slot, length)
        req = BookingRequest(self.world["room"], association, start_at, end_at, "Réunion")
        before = set(db.session.scalars(select(Booking.id)))
        assert refusal(request_booking, member, req, now=NOW) in {None, "overlap"}
        self.ids.extend(set(db.session.scalars(select(Booking.id))) - before)

    @precondition(lambda self: self.ids)
    @rule(index=PICK)
    def approve(self, index):
        booking = self._pick(index)
        was_pending = booking.state is BookingState.PENDING
        rule = refusal(approve, self.world["manager"], booking, now=NOW)
        assert rule in {"overlap", "state"} or (rule is None and was_pending)

    @precondition(lambda self: self.ids)
    @rule(index=PICK)
    def refuse(self, index):
        assert refusal(refuse, self.world["manager"], self._pick(index), "Non", now=NOW) in {
            None,
            "state",
        }

    @precondition(lambda self: self.ids)
    @rule(index=PICK)
    def cancel(self, index):
        booking = self._pick(index)
        member = next(m for m, a in self.world["members"] if a.id == booking.association_id)
        assert refusal(cancel, member, booking, now=NOW) in {None, "state"}

    @precondition(lambda self: self.ids)
    @rule(index=PICK, slot=SLOTS, length=LENGTHS, as_manager=st.booleans())
    def reschedule(self, index, slot, length, as_manager):
        booking = self._pick(index)
        member = next(m for m, a in self.world["members"] if a.id == booking.association_id)
        actor = self.world["manager"] if as_manager else member
        period = self._period(slot, length)
        assert refusal(reschedule, actor, booking, *period, now=NOW) in {None, "overlap", "state"}

    @rule()
    def toggle_approval(self):
        room = self.world["room"]
        room.requires_approval = not room.requires_approval

    @invariant()
    def no_two_approved_bookings_overlap(self):
        db.session.flush()
        assert approved_overlaps(self.world["room"].id) == []

    def teardown(self):
        db.session.execute(delete(AuditEvent))
        db.session.execute(delete(Booking))
        self.world["room"].requires_approval = True
        db.session.flush()
        db.session.expire_all()


@pytest.mark.slow
def test_random_operations_never_leave_two_approved_bookings_overlapping(db):
    manager = factories.make_user(name="Manager")
    room = factories.make_resource(managers=[manager], capacity=20)
    members = []
    for _ in range(3):
        association = factories.make_association()
        members.append((factories.make_member(association), association))
    world = {"room": room, "manager": manager, "members": members}
    run_state_machine_as_test(
        lambda: BookingMachine(world),
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# --- (b) Sixteen approvals at once -----------------------------------------------------

THREADS = 16


@pytest.mark.slow
def test_sixteen_concurrent_approvals_of_one_slot_give_it_exactly_once(app, db):
    manager = factories.make_user(name="Manager")
    room = factories.make_resource(managers=[manager])
    ids = []
    for n in range(THREADS):
        association = factories.make_association()
        member = factories.make_member(association)
        start = at(TUESDAY, 14) + timedelta(minutes=30 * (n % 3))  # all overlap 15:00-16:00
        req = BookingRequest(room, association, start, start + timedelta(hours=2), f"Réunion {n}")
        ids.append(request_booking(member, req, now=NOW).id)
    manager_id, room_id = manager.id, room.id
    db.session.commit()

    barrier = threading.Barrier(THREADS)
    outcomes: dict[int, str] = {}

    def approve_in_own_connection(booking_id: int) -> None:
        with app.app_context():
            try:
                actor = db.session.get(User, manager_id)
                booking = db.session.get(Booking, booking_id)
                # End the loading transaction: on SQLite it holds the write lock.
                db.session.rollback()
                barrier.wait(timeout=30)
                try:
                    approve(actor, booking, now=NOW)
                    db.session.commit()
                    outcomes[booking_id] = "approved"
                except BookingRefused as error:
                    db.session.rollback()
                    outcomes[booking_id] = error.rule
            except Exception as error:  # reported below, not lost in the thread
                outcomes[booking_id] = f"crash: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve_in_own_connection, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcomes.values()) == ["approved"] + ["overlap"] * (THREADS - 1), outcomes
    db.session.expire_all()
    states = db.session.scalars(select(Booking.state).where(Booking.resource_id == room_id)).all()
    assert sorted(states) == [BookingState.APPROVED] + [BookingState.REFUSED] * (THREADS - 1)
    assert approved_overlaps(room_id) == []


# --- (c) The database's own guard ------------------------------------------------------


def test_the_exclusion_constraint_turns_a_slipped_write_into_a_conflict(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    room = factories.make_resource(name="Salle Brizeux")
    existing = factories.make_booking(room, at(TUESDAY, 14), at(TUESDAY, 16))
    sneaky = factories.make_booking(room, at(TUESDAY, 15), at(TUESDAY, 17), state="pending")
    with (
        pytest.raises(BookingRefused) as info,
        overlap_guard(room, sneaky.start_at, sneaky.end_at, sneaky.id),
    ):
        sneaky.state = BookingState.APPROVED
    assert info.value.rule == "overlap"
    assert info.value.conflicts == [existing]
    # Only the savepoint was rolled back: the session goes on.
    assert db.session.get(Booking, sneaky.id).state is BookingState.PENDING
    assert approved_overlaps(room.id) == []

"""Racing services on separate connections, and the invariants checked after each race.

`race` runs each action in its own thread, application context, session and
database connection, all released at once by a barrier; each action loads what
it needs *after* the barrier, in the transaction that calls the service, as a
request does. `assert_consistent` then checks, from the committed rows:

* no two approved bookings of an exclusive resource overlap;
* every quota holds, week by week and month by month;
* no open-lab session has more seats taken than its capacity, nor a free seat
  while the head of its waiting list would fit;
* each booking's audit trail is one chain (every event starts from the state
  the previous one ended in) that ends in the booking's current state;
* each booking's SEQUENCE rose exactly once per change after its request, so
  no two changes a calendar client sees carry the same SEQUENCE.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from itertools import combinations, pairwise

from blinker import Signal
from flask import Flask
from sqlalchemy import select, text

from booking.audit import AuditEvent
from booking.bookings import events as booking_events
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingState
from booking.bookings.quotas import COUNTED_STATES, month_bounds, week_bounds
from booking.extensions import db
from booking.resources.models import Quota, Resource
from booking.timeutil import to_local

PG_ROUNDS = 20
#: SQLite runs whole write transactions one at a time (BEGIN IMMEDIATE): the threads
#: can only take turns, so a few rounds check that every turn order gives the same answers.
SQLITE_ROUNDS = 5


def rounds() -> range:
    return range(PG_ROUNDS if db.engine.dialect.name == "postgresql" else SQLITE_ROUNDS)


@contextmanager
def quietly() -> Iterator[None]:
    """Set a scene without composing its emails (most of a request's time); races keep them."""
    signals = [value for value in vars(booking_events).values() if isinstance(value, Signal)]
    with ExitStack() as stack:
        for signal in signals:
            stack.enter_context(signal.muted())
        yield


def race(app: Flask, *actions: Callable[[], object]) -> list[str]:
    """Run the actions at once; each outcome is "ok", the rule that refused, or "crash: ...".

    Emails are not composed (`quietly`): they are not what is raced here, and they
    would make every round several times longer (the HTTP race composes them).
    """
    with quietly():
        return _race(app, actions)


def _race(app: Flask, actions: tuple[Callable[[], object], ...]) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = ["not run"] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        with app.app_context():
            try:
                db.session.execute(text("SELECT 1"))  # a connection of its own, ready
                db.session.rollback()
                barrier.wait(timeout=30)
                try:
                    action()
                    db.session.commit()
                    outcomes[index] = "ok"
                except BookingRefused as refusal:
                    db.session.rollback()
                    outcomes[index] = refusal.rule
            except Exception as error:  # reported by the caller, not lost in the thread
                outcomes[index] = f"crash: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    crashes = [o for o in outcomes if o.startswith("crash") or o == "not run"]
    assert not crashes, outcomes
    return outcomes


def assert_consistent(resource_ids: Iterable[int], *, now) -> list[Booking]:
    """Check every invariant on the committed rows of these resources; return their bookings."""
    db.session.rollback()
    db.session.expire_all()
    ids = list(resource_ids)
    bookings = list(
        db.session.scalars(select(Booking).where(Booking.resource_id.in_(ids)).order_by(Booking.id))
    )
    resources = {r.id: r for r in db.session.scalars(select(Resource).where(Resource.id.in_(ids)))}
    _no_overlap(bookings)
    _quotas_hold(bookings)
    _seats_hold(bookings, resources, now)
    _trails_match(bookings)
    return bookings


def _no_overlap(bookings: list[Booking]) -> None:
    approved = [b for b in bookings if b.state is BookingState.APPROVED and b.exclusive]
    for a, b in combinations(approved, 2):
        assert not (a.resource_id == b.resource_id and a.overlaps(b.start_at, b.end_at)), (a, b)


def _quotas_hold(bookings: list[Booking]) -> None:
    quotas = db.session.scalars(
        select(Quota).where(Quota.resource_id.in_({b.resource_id for b in bookings}))
    )
    for quota in quotas:
        held: dict[tuple, float] = defaultdict(float)
        for b in bookings:
            if (b.resource_id, b.association_id) != (quota.resource_id, quota.association_id):
                continue
            if b.state not in COUNTED_STATES:
                continue
            day = to_local(b.start_at).date()
            hours = (b.end_at - b.start_at).total_seconds() / 3600
            held[("week", week_bounds(day))] += hours
            held[("month", month_bounds(day))] += hours
        for (period, window), hours in held.items():
            limit = quota.hours_per_week if period == "week" else quota.hours_per_month
            assert limit is None or hours <= limit + 1e-9, (quota, period, window, hours)


def _seats_hold(bookings: list[Booking], resources: dict[int, Resource], now) -> None:
    sessions: dict[tuple, list[Booking]] = defaultdict(list)
    for b in bookings:
        if not b.exclusive:
            sessions[(b.resource_id, b.start_at, b.end_at)].append(b)
    for (resource_id, start_at, _end), seats in sessions.items():
        capacity = resources[resource_id].capacity
        taken = sum(b.attendees for b in seats if b.state is BookingState.APPROVED)
        assert taken <= capacity, (resource_id, start_at, taken, capacity)
        waiting = sorted(
            (b for b in seats if b.state is BookingState.WAITLISTED),
            key=lambda b: (b.created_at, b.id),
        )
        if waiting and start_at > now:
            head = waiting[0]
            assert head.attendees > capacity - taken, (
                f"{capacity - taken} seat(s) free while booking {head.id} waits"
            )


def _trails_match(bookings: list[Booking]) -> None:
    events: dict[int, list[AuditEvent]] = defaultdict(list)
    stmt = (
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "booking",
            AuditEvent.object_id.in_([b.id for b in bookings]),
            # Not state changes, and no SEQUENCE change: messages, check-ins, offers.
            AuditEvent.action.not_in(("commented", "checked_in", "slot_offered")),
        )
        .order_by(AuditEvent.id)
    )
    for event in db.session.scalars(stmt):
        events[event.object_id].append(event)
    for b in bookings:
        trail = events[b.id]
        assert trail, b
        assert trail[0].action == "requested", (b, trail)
        for before, after in pairwise(trail):
            assert after.from_state == before.to_state, (b.id, [_show(e) for e in trail])
        assert trail[-1].to_state == str(b.state), (b.id, b.state, [_show(e) for e in trail])
        changes = len(trail) - 1
        assert b.sequence == changes, (b.id, b.sequence, [_show(e) for e in trail])


def _show(event: AuditEvent) -> str:
    return f"{event.action}:{event.from_state}->{event.to_state}"

"""Every service that changes bookings locks the resource row first, then re-reads.

The order of `booking/bookings/locking.py`, checked on the SQL each service
sends: a `SELECT ... FROM resource ... FOR UPDATE` comes before the first
write to a booking (or to a closure, which the calendar trigger follows with
the resource row), and the bookings it decides on are read again after it.
PostgreSQL only: SQLite renders no `FOR UPDATE` (its transactions hold the
whole database from their first statement).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import pytest

from booking.approvals.services import block_period, cancel_hit_bookings
from booking.bookings.checkin import check_in, release_no_shows
from booking.bookings.models import Booking
from booking.bookings.moves import reschedule, reschedule_series
from booking.bookings.rules import BookingRequest
from booking.bookings.series import (
    Recurrence,
    approve_series,
    cancel_occurrences,
    refuse_series,
    request_series,
)
from booking.bookings.services import (
    approve,
    cancel,
    expire_pending,
    refuse,
    request_booking,
)
from booking.extensions import db
from booking.notifications.reminders import send_day_before_reminders, send_pending_reminders
from booking.resources.models import OpeningHours
from tests import factories
from tests.bookings.conftest import NOW, TUESDAY, Scene, at
from tests.statements import recorded_statements

WRITES = ("UPDATE booking ", "INSERT INTO booking ", "INSERT INTO closure ")


def pending(scene: Scene, start=(14, 0), end=(16, 0)) -> Booking:
    return request_booking(scene.member, scene.request(start=start, end=end), now=NOW)


def a_series(scene: Scene):
    return request_series(scene.member, scene.request(), Recurrence("weekly", count=3), now=NOW)


def seat_freed(scene: Scene) -> Callable[[], object]:
    lab = factories.make_resource(kind="open_lab", capacity=1, managers=[scene.manager])
    lab.opening_hours.append(OpeningHours(weekday=1, opens_at=time(18), closes_at=time(21)))
    db.session.flush()
    seats = [
        request_booking(
            factories.make_member(scene.association),
            BookingRequest(lab, scene.association, at(TUESDAY, 18), at(TUESDAY, 21), "Atelier"),
            now=NOW,
        )
        for _ in range(2)
    ]
    return lambda: cancel(seats[0].requester, seats[0], now=NOW)


def block_and_cancel(scene: Scene) -> Callable[[], object]:
    approve(scene.manager, pending(scene), now=NOW)
    closure = block_period(
        scene.manager, scene.room, at(TUESDAY, 13), at(TUESDAY, 17), "Travaux", now=NOW
    )
    return lambda: cancel_hit_bookings(scene.manager, closure, "Travaux", now=NOW)


def day_before_reminder(scene: Scene) -> Callable[[], object]:
    approve(scene.manager, pending(scene), now=NOW)
    return lambda: send_day_before_reminders(now=at(TUESDAY, 9) - timedelta(days=1))


def pending_reminder(scene: Scene) -> Callable[[], object]:
    pending(scene).created_at = NOW - timedelta(days=5)
    return lambda: send_pending_reminders(now=NOW, days=3)


def no_show(scene: Scene) -> Booking:
    scene.room.checkin_required = True
    return factories.make_booking(
        scene.room, at(TUESDAY, 14), at(TUESDAY, 16), association=scene.association
    )


SERVICES: dict[str, Callable[[Scene], Callable[[], object]]] = {
    "request": lambda s: lambda: pending(s),
    "series": lambda s: lambda: a_series(s),
    "approve": lambda s: (lambda b: lambda: approve(s.manager, b, now=NOW))(pending(s)),
    "refuse": lambda s: (lambda b: lambda: refuse(s.manager, b, "Non", now=NOW))(pending(s)),
    "cancel": lambda s: (lambda b: lambda: cancel(s.member, b, now=NOW))(pending(s)),
    "reschedule": lambda s: (
        lambda b: lambda: reschedule(s.member, b, at(TUESDAY, 17), at(TUESDAY, 18), now=NOW)
    )(pending(s)),
    "reschedule to another room": lambda s: (
        lambda b, room: (
            lambda: reschedule(s.member, b, b.start_at, b.end_at, resource=room, now=NOW)
        )
    )(pending(s), factories.make_resource(s.room.site)),
    "reschedule series to another room": lambda s: (
        lambda x, room: (
            lambda: reschedule_series(s.member, x, time(14), 120, resource=room, now=NOW)
        )
    )(a_series(s), factories.make_resource(s.room.site)),
    "expire": lambda s: (lambda _b: lambda: expire_pending(now=at(TUESDAY, 15)))(pending(s)),
    "promote": seat_freed,
    "approve series": lambda s: (lambda x: lambda: approve_series(s.manager, x, now=NOW))(
        a_series(s)
    ),
    "refuse series": lambda s: (lambda x: lambda: refuse_series(s.manager, x, "Non", now=NOW))(
        a_series(s)
    ),
    "cancel occurrences": lambda s: (
        lambda x: lambda: cancel_occurrences(s.member, x.bookings[0], "all", now=NOW)
    )(a_series(s)),
    "reschedule series": lambda s: (
        lambda x: lambda: reschedule_series(s.member, x, time(9), 60, now=NOW)
    )(a_series(s)),
    "block": lambda s: (
        lambda: block_period(
            s.manager, s.room, at(TUESDAY, 13), at(TUESDAY, 17), "Travaux", now=NOW
        )
    ),
    "block and cancel": block_and_cancel,
    "day-before reminder": day_before_reminder,
    "pending reminder": pending_reminder,
    "check in": lambda s: (lambda b: lambda: check_in(b.id, s.member, at(TUESDAY, 14)))(no_show(s)),
    "release no-shows": lambda s: (lambda _b: lambda: release_no_shows(at(TUESDAY, 14, 15)))(
        no_show(s)
    ),
}


def index(statements: list[str], found: Callable[[str], bool]) -> int | None:
    return next((n for n, s in enumerate(statements) if found(s)), None)


@pytest.mark.parametrize("service", SERVICES)
def test_the_resource_is_locked_before_any_booking_is_written(db, scene, service):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks exist on PostgreSQL only")
    run = SERVICES[service](scene)
    db.session.flush()
    db.session.expire_all()  # as in a new request: nothing known but what is read
    with recorded_statements() as statements:
        run()
        db.session.flush()
    statements = [" ".join(s.split()) for s in statements]
    lock = index(statements, lambda s: "FROM resource" in s and s.endswith("FOR UPDATE"))
    write = index(statements, lambda s: s.startswith(WRITES))
    assert write is not None, statements
    assert lock is not None, statements
    assert lock < write, statements[: write + 1]
    if not statements[write].startswith("INSERT"):
        between = statements[lock + 1 : write]
        assert any(s.startswith("SELECT") and "FROM booking" in s for s in between), between


@pytest.mark.parametrize(
    "service", ["reschedule to another room", "reschedule series to another room"]
)
def test_a_move_to_another_room_locks_both_rooms_in_one_statement_first(db, scene, service):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks exist on PostgreSQL only")
    run = SERVICES[service](scene)
    db.session.flush()
    db.session.expire_all()
    with recorded_statements() as statements:
        run()
        db.session.flush()
    statements = [" ".join(s.split()) for s in statements]
    lock = index(statements, lambda s: "FROM resource" in s and s.endswith("FOR UPDATE"))
    write = index(statements, lambda s: s.startswith(WRITES))
    assert lock is not None
    assert write is not None
    assert lock < write
    assert "IN (" in statements[lock]
    assert "ORDER BY resource.id" in statements[lock]

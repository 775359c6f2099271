"""How the no-double-booking invariant holds when requests race.

Invariant: two approved bookings of one exclusive resource never overlap.

Every service that may make a booking approved (or take an open-lab seat) first
calls `lock_resource`, then checks for conflicts, then writes inside
`overlap_guard`:

* PostgreSQL: `lock_resource` takes a row lock on the resource
  (`SELECT ... FOR UPDATE`), so check-then-write runs one at a time per
  resource; under READ COMMITTED each later statement sees what the previous
  holder committed. The exclusion constraint `booking_no_overlap` (partial on
  `state = 'approved' AND exclusive`) is the last word: if a write slips past the
  check anyway, the violation is caught around a SAVEPOINT and turned into the
  same `BookingRefused(rule="overlap")`, and the session stays usable.
* SQLite: there is no row lock and no exclusion constraint. `booking/sqlite.py`
  starts every transaction outside GET/HEAD/OPTIONS requests with
  `BEGIN IMMEDIATE`, which takes the database write lock at the transaction's
  first statement: check-then-write is serialized for the whole database, and a
  second writer waits (busy_timeout) until the first commits. `FOR UPDATE` is
  not rendered on SQLite, so `lock_resource` is harmless there. Services must
  therefore never be called from a read-only (GET) request transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking.bookings.errors import BookingRefused
from booking.bookings.rules import approved_overlapping, overlap_refusal
from booking.extensions import db
from booking.resources.models import Resource

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL SQLSTATE exclusion_violation
CONSTRAINT_NAME = "booking_no_overlap"


def lock_resource(resource: Resource) -> None:
    """Serialize conflict checks and writes on one resource until the transaction ends."""
    db.session.execute(select(Resource.id).where(Resource.id == resource.id).with_for_update())


def is_overlap_violation(exc: IntegrityError) -> bool:
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return sqlstate == EXCLUSION_VIOLATION or CONSTRAINT_NAME in str(orig)


@contextmanager
def overlap_guard(
    resource: Resource, start_at: datetime, end_at: datetime, booking_id: int | None = None
) -> Iterator[None]:
    """Flush the block's changes in a SAVEPOINT; an overlap becomes a refusal.

    `start_at`/`end_at`: the period being written, to name the conflict.
    """
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except IntegrityError as exc:
        if not is_overlap_violation(exc):
            raise
        conflicts = approved_overlapping(resource, start_at, end_at, exclude_ids=[booking_id])
        if conflicts:
            raise overlap_refusal(resource, conflicts) from exc
        raise BookingRefused(
            _("%(resource)s is already booked at that time.", resource=resource.name),
            rule="overlap",
            field="start_at",
        ) from exc

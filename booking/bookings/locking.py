"""The one lock order of every service that changes bookings, and the overlap guard.

Invariants kept under concurrency: two approved bookings of one exclusive
resource never overlap; an association never holds more than its quota of a
resource; an open-lab session never has more seats taken than its capacity, nor
a free seat while someone waits; each booking's audit trail ends in its current
state and its SEQUENCE rises with every change a calendar client sees.

The lock order (DESIGN.md, "One lock order"), for every state-changing service
(request, series, approve, refuse, cancel, reschedule, promote, expire,
block-and-cancel) and for any other write to a booking row (the reminders'
`*_reminder_sent_at`), since the trigger of rule 4 runs on every booking update:

1. **The resource row(s)**: `lock_resource` / `lock_resources`, i.e.
   `SELECT ... FOR UPDATE`, several in ascending id order, in one statement,
   *before any write* and before any decision. A move to another room
   (`moves.py`) locks both rooms so, then re-reads the booking.
2. **The bookings, re-read after the lock**: `lock_booking` refreshes a booking
   loaded earlier (by the view, say); queries that pick bookings to change use
   `fresh()` (populate_existing) so that no stale copy from the session's
   identity map is trusted. Decisions (may it be cancelled? was it approved?
   who is first on the waiting list?) are made from these re-read rows.
3. **Every rule that depends on other rows**, checked after the lock: overlap,
   quota, seats, equipment counts. (A quota is per association *and resource*:
   `quotas.hours_held` counts only that resource's bookings, so the resource
   lock covers it. A rule that ever counts across resources must lock all of
   them first, in id order.)
4. **The writes.** The calendar-version trigger (`resources/versions.py`) locks the
   same resource rows again, which a holder gets at once. A service that wrote
   a booking first would take the booking row, then wait for the resource row
   in the trigger while an approver held the resource and waited for that
   booking: a deadlock. Hence rule 1.

Counters such as `Booking.sequence` are raised in Python only on a booking
re-read under the lock (`transitions.change_state`), so two changes can never
both write the same value.

`tests/bookings/test_lock_order.py` checks this order on the SQL of every such
service; `tests/bookings/test_concurrency.py` races each pair of them.

Why this holds on each database:

* PostgreSQL: the row lock makes check-then-write run one at a time per
  resource; under READ COMMITTED each statement after the lock sees what the
  previous holder committed. The exclusion constraint `booking_no_overlap`
  (partial on `state = 'approved' AND exclusive`) is the last word: if a write
  slips past the check anyway, the violation is caught around a SAVEPOINT and
  turned into the same `BookingRefused(rule="overlap")`, and the session stays
  usable. A deadlock or serialization failure that still happens (a path
  outside this order, say psql) is retried by `booking/core/retry.py`.
* SQLite: there is no row lock and no exclusion constraint. `booking/sqlite.py`
  starts every transaction outside GET/HEAD/OPTIONS requests with
  `BEGIN IMMEDIATE`, which takes the database write lock at the transaction's
  first statement: everything is serialized for the whole database, and a
  second writer waits (busy_timeout) until the first commits. `FOR UPDATE` is
  not rendered on SQLite, so the lock functions are harmless there. Services
  must therefore never be called from a read-only (GET) request transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.exc import IntegrityError

from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking
from booking.bookings.quotas import quota_by_id, quota_id_of
from booking.bookings.rules import BookingRequest, approved_overlapping, overlap_refusal
from booking.extensions import db
from booking.resources.models import Quota, Resource

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL SQLSTATE exclusion_violation
CONSTRAINT_NAME = "booking_no_overlap"


def lock_resources(resource_ids: Iterable[int]) -> None:
    """Lock resource rows in ascending id order, in one statement, until the transaction ends."""
    ids = sorted({i for i in resource_ids if i is not None})
    if not ids:
        return
    db.session.execute(
        select(Resource.id).where(Resource.id.in_(ids)).order_by(Resource.id).with_for_update()
    )


def lock_resource(resource: Resource, *reads: ColumnElement[Any]) -> Sequence[Any]:
    """Serialize conflict checks and writes on one resource until the transaction ends.

    `reads`: scalar subqueries answered by the locking statement itself, one round trip
    instead of one each, for rows that bookers never change under this lock (a quota, the
    trusted associations: administrators change them without it, so reading them just
    before the lock is granted or just after makes no difference). Never for bookings:
    those are read by statements of their own, after the lock. Returns their values.
    """
    stmt = select(Resource.id, *reads).where(Resource.id == resource.id).with_for_update()
    if not reads:
        db.session.execute(stmt)
        return ()
    return tuple(db.session.execute(stmt).one())[1:]


@dataclass(frozen=True)
class LockedReads:
    """What `lock_and_read` read with the resource lock: the association's quota on the
    resource and whether the resource trusts it (None: no approval needed, not asked)."""

    quota: Quota | None
    trusted: bool | None


def lock_and_read(req: BookingRequest) -> LockedReads:
    """Lock the request's resource (rule 1 of `locking.py`) and, in the same statement,
    read the quota and the trust the arrival rules need: one round trip, not three."""
    resource, association = req.resource, req.association
    reads = [quota_id_of(resource, association)]
    if resource.requires_approval:
        reads.append(resource.trusts(association))
    quota_id, *trusted = lock_resource(resource, *reads)
    return LockedReads(quota_by_id(quota_id), bool(trusted[0]) if trusted else None)


def lock_booking(booking: Booking) -> None:
    """Lock the booking's resource, then re-read the booking: decide from its current state."""
    db.session.execute(
        select(Resource.id).where(Resource.id == booking.resource_id).with_for_update()
    )
    db.session.refresh(booking)


def fresh(stmt: Select) -> Select:
    """A query whose rows overwrite the session's copies: re-reading after the lock."""
    return stmt.execution_options(populate_existing=True)


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

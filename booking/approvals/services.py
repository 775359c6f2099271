"""The manager's desk: what waits for a decision, what is coming, and blocked periods.

Read functions load everything a page shows in a fixed number of queries (the
overlaps of all the pending requests come from one self-join). Writes flush,
never commit, and take the acting user as a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased, selectinload

from booking import audit
from booking.auth.models import User
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.locking import fresh, lock_resource, lock_resources
from booking.bookings.models import ACTIVE_STATES, Booking, BookingEquipment, BookingState
from booking.bookings.services import cancel
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Closure, Resource, resource_managers, site_managers
from booking.timeutil import local_day_bounds, to_local


def managed_resources(user: User) -> list[Resource]:
    """The resources whose requests `user` decides (all of them for an administrator)."""
    stmt = select(Resource).options(selectinload(Resource.site)).order_by(Resource.name)
    if not user.is_admin:
        stmt = stmt.where(
            or_(
                Resource.id.in_(
                    select(resource_managers.c.resource_id).where(
                        resource_managers.c.user_id == user.id
                    )
                ),
                Resource.site_id.in_(
                    select(site_managers.c.site_id).where(site_managers.c.user_id == user.id)
                ),
            )
        )
    return list(db.session.scalars(stmt))


def _scoped(stmt: Select, user: User) -> Select:
    if user.is_admin:
        return stmt
    return stmt.where(Booking.resource_id.in_([r.id for r in managed_resources(user)]))


def _with_details(stmt: Select) -> Select:
    return stmt.options(
        selectinload(Booking.resource).selectinload(Resource.site),
        selectinload(Booking.association),
        selectinload(Booking.requester),
        selectinload(Booking.series),
        selectinload(Booking.equipment).selectinload(BookingEquipment.equipment),
    )


@dataclass
class QueueItem:
    booking: Booking
    overlaps: list[Booking]
    waiting_days: int
    is_overdue: bool


@dataclass
class QueueEntry:
    """One request, or the pending dates of one series, decided together or date by date."""

    items: list[QueueItem]
    series_id: int | None = None
    created_at: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.created_at = min(item.booking.created_at for item in self.items)

    @property
    def first(self) -> Booking:
        return self.items[0].booking

    @property
    def is_overdue(self) -> bool:
        return any(item.is_overdue for item in self.items)


def overlapping(bookings: list[Booking]) -> dict[int, list[Booking]]:
    """For each booking, the other active bookings and requests of its resource that
    overlap it: one query for all of them."""
    if not bookings:
        return {}
    other = aliased(Booking)
    mine = aliased(Booking)
    stmt = (
        select(mine.id, other)
        .join(
            other,
            (other.resource_id == mine.resource_id)
            & (other.id != mine.id)
            & (other.start_at < mine.end_at)
            & (other.end_at > mine.start_at),
        )
        .where(mine.id.in_([b.id for b in bookings]), other.state.in_(ACTIVE_STATES))
        .options(selectinload(other.association))
        .order_by(other.start_at, other.id)
    )
    found: dict[int, list[Booking]] = {b.id: [] for b in bookings}
    for booking_id, booking in db.session.execute(stmt):
        found[booking_id].append(booking)
    return found


def pending_queue(
    user: User, *, now: datetime | None = None, overdue_days: int = 3
) -> list[QueueEntry]:
    """The pending requests `user` may decide, oldest first; a series is one entry."""
    now = now or utcnow()
    stmt = _with_details(
        _scoped(
            select(Booking).where(Booking.state == BookingState.PENDING, Booking.start_at > now),
            user,
        ).order_by(Booking.created_at, Booking.start_at, Booking.id)
    )
    bookings = list(db.session.scalars(stmt))
    overlaps = overlapping(bookings)
    entries: dict[tuple[str, int], QueueEntry] = {}
    for booking in bookings:
        waited = now - booking.created_at
        item = QueueItem(
            booking=booking,
            overlaps=overlaps.get(booking.id, []),
            waiting_days=waited.days,
            is_overdue=waited > timedelta(days=overdue_days),
        )
        key = ("series", booking.series_id) if booking.series_id else ("booking", booking.id)
        if key in entries:
            entries[key].items.append(item)
        else:
            entries[key] = QueueEntry(items=[item], series_id=booking.series_id)
    for entry in entries.values():
        entry.items.sort(key=lambda i: i.booking.start_at)
    return sorted(entries.values(), key=lambda e: (e.created_at, e.first.id))


def upcoming(user: User, start_at: datetime, end_at: datetime) -> list[Booking]:
    """Approved bookings of the resources `user` manages starting in the window."""
    stmt = _with_details(
        _scoped(
            select(Booking).where(
                Booking.state == BookingState.APPROVED,
                Booking.start_at >= start_at,
                Booking.start_at < end_at,
            ),
            user,
        ).order_by(Booking.start_at, Booking.id)
    )
    return list(db.session.scalars(stmt))


def desk_windows(now: datetime) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """Today (local) and the rest of this week after today, as UTC windows."""
    today = to_local(now).date()
    today_start, today_end = local_day_bounds(today)
    sunday = today + timedelta(days=6 - today.weekday())
    _, week_end = local_day_bounds(sunday)
    return (today_start, today_end), (today_end, max(week_end, today_end))


# --- Blocking a period ------------------------------------------------------------------


def block_period(
    actor: User,
    resource: Resource,
    start_at: datetime,
    end_at: datetime,
    label: str,
    *,
    now: datetime | None = None,
) -> Closure:
    """Close a resource for a period: new requests overlapping it are refused."""
    now = now or utcnow()
    if not resource.can_manage(actor):
        raise NotAllowed(
            _("Only the managers of %(resource)s can block it.", resource=resource.name),
            field="resource",
        )
    label = (label or "").strip()
    if not label:
        raise BookingRefused(_("Say why the resource is closed."), rule="label", field="why")
    if end_at <= start_at:
        raise BookingRefused(
            _("The end must come after the start."), rule="duration", field="end_time"
        )
    if end_at <= now:
        raise BookingRefused(_("This period is already over."), rule="past", field="end_date")
    # The lock order (bookings/locking.py): a request or an approval holding the
    # resource finishes first, then sees the closure.
    lock_resource(resource)
    closure = Closure(
        resource_id=resource.id,
        start_at=start_at,
        end_at=end_at,
        label=label[:200],
        source="block",
        created_by_id=actor.id,
    )
    db.session.add(closure)
    db.session.flush()
    audit.record("closure", closure.id, "created", actor_id=actor.id, reason=closure.label)
    return closure


def _hit_query(closure: Closure, now: datetime) -> Select:
    stmt = select(Booking).where(
        Booking.state.in_(ACTIVE_STATES),
        Booking.start_at < closure.end_at,
        Booking.end_at > closure.start_at,
        Booking.end_at > now,
    )
    if closure.resource_id is not None:
        stmt = stmt.where(Booking.resource_id == closure.resource_id)
    else:
        stmt = stmt.where(
            Booking.resource_id.in_(select(Resource.id).where(Resource.site_id == closure.site_id))
        )
    return stmt.order_by(Booking.start_at, Booking.id)


def bookings_hit(closure: Closure, *, now: datetime | None = None) -> list[Booking]:
    """The active bookings and requests a closure overlaps that have not ended yet."""
    now = now or utcnow()
    return list(db.session.scalars(_with_details(_hit_query(closure, now))))


def cancel_hit_bookings(
    actor: User, closure: Closure, reason: str, *, now: datetime | None = None
) -> list[Booking]:
    """Cancel every booking the closure hits, with one reason (each association is told)."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise BookingRefused(
            _("Say why the bookings are cancelled: the associations will be told."),
            rule="reason",
            field="reason",
        )
    # The lock order (bookings/locking.py): every resource hit, in id order, then
    # the bookings re-read; `cancel` re-locks each resource, which it already holds.
    candidates = db.session.scalars(_hit_query(closure, now).with_only_columns(Booking.resource_id))
    lock_resources(candidates)
    hit = list(db.session.scalars(fresh(_with_details(_hit_query(closure, now)))))
    for booking in hit:
        if not booking.can_decide(actor):
            raise NotAllowed(_("You cannot cancel this booking."))
    for booking in hit:
        cancel(actor, booking, reason, now=now)
    return hit

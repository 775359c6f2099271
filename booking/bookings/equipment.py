"""Equipment quantities shared between the bookings that overlap in time.

A resource has `quantity` of each piece of equipment (`ResourceEquipment`). A room
is held by one approved booking at a time, but an open-lab session is shared by
every seat: two members must not both take its only 3D printer. So what a request
asks for is counted against what the overlapping bookings of the same resource
already hold — approved bookings, seats included, and waiting-list requests, which
keep their place in the queue for the equipment as for the seat (a promotion then
never finds its equipment taken, and no seat stays free while someone waits).

It depends on other rows: callers run it under the resource lock
(`locking.lock_resource`), after the lock, like the overlap and seat checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from booking.bookings.errors import BookingRefused
from booking.bookings.models import MAX_BOOKING_SPAN, Booking, BookingEquipment, BookingState
from booking.extensions import db
from booking.resources.models import Resource

#: States in which a booking holds (or waits in line for) its equipment.
HOLDING_STATES = (BookingState.APPROVED, BookingState.WAITLISTED)


def equipment_in_use(
    resource: Resource,
    start_at: datetime,
    end_at: datetime,
    equipment_ids: Iterable[int],
    exclude_ids: Iterable[int] = (),
) -> dict[int, int]:
    """Quantity of each piece of equipment held by bookings overlapping the period."""
    wanted = sorted(set(equipment_ids))
    if not wanted:
        return {}
    stmt = (
        select(BookingEquipment.equipment_id, func.sum(BookingEquipment.quantity))
        .join(Booking, Booking.id == BookingEquipment.booking_id)
        .where(
            Booking.resource_id == resource.id,
            Booking.state.in_(HOLDING_STATES),
            Booking.start_at < end_at,
            Booking.end_at > start_at,
            Booking.start_at > start_at - MAX_BOOKING_SPAN,
            BookingEquipment.equipment_id.in_(wanted),
        )
        .group_by(BookingEquipment.equipment_id)
    )
    excluded = [i for i in exclude_ids if i is not None]
    if excluded:
        stmt = stmt.where(Booking.id.not_in(excluded))
    return {equipment_id: int(total or 0) for equipment_id, total in db.session.execute(stmt)}


def check_equipment_free(
    resource: Resource,
    start_at: datetime,
    end_at: datetime,
    wanted: Mapping[int, int],
    exclude_ids: Iterable[int] = (),
) -> None:
    """Refuse when what is asked for, added to what overlapping bookings hold, exceeds
    the resource's quantity. Unknown equipment is `rules.check_equipment`'s to refuse."""
    if not wanted:
        return
    in_use = equipment_in_use(resource, start_at, end_at, wanted, exclude_ids)
    owned = {item.equipment_id: item for item in resource.equipment}
    for equipment_id, quantity in sorted(wanted.items()):
        item = owned.get(equipment_id)
        if item is None:
            continue
        free = item.quantity - in_use.get(equipment_id, 0)
        if quantity > free:
            raise BookingRefused(
                _(
                    "%(equipment)s of %(resource)s is already taken at that time: "
                    "%(free)s of %(count)s left, %(asked)s asked for.",
                    equipment=item.equipment.name,
                    resource=resource.name,
                    free=max(free, 0),
                    count=item.quantity,
                    asked=quantity,
                ),
                rule="equipment",
                field="equipment",
            )

"""Every model, imported once so that the metadata (and Alembic) sees the whole schema."""

from booking.audit import AuditEvent
from booking.auth.models import Association, Invitation, Membership, MembershipRole, User
from booking.bookings.models import (
    Booking,
    BookingEquipment,
    BookingSeries,
    BookingState,
    Comment,
)
from booking.outbox import OutboxMessage
from booking.periodic import PeriodicRun
from booking.resources import versions  # noqa: F401 - the calendar version triggers
from booking.resources.models import (
    Closure,
    Equipment,
    OpeningHours,
    Quota,
    Resource,
    ResourceEquipment,
    ResourceKind,
    Site,
    Training,
    UserTraining,
)

__all__ = [
    "Association",
    "AuditEvent",
    "Booking",
    "BookingEquipment",
    "BookingSeries",
    "BookingState",
    "Closure",
    "Comment",
    "Equipment",
    "Invitation",
    "Membership",
    "MembershipRole",
    "OpeningHours",
    "OutboxMessage",
    "PeriodicRun",
    "Quota",
    "Resource",
    "ResourceEquipment",
    "ResourceKind",
    "Site",
    "Training",
    "User",
    "UserTraining",
]

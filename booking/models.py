"""Every model, imported once so that the metadata (and Alembic) sees the whole schema."""

from booking.api.models import IdempotentRequest
from booking.api.tokens import ApiToken
from booking.api.webhooks import Webhook
from booking.audit import AuditEvent
from booking.auth.models import Association, Invitation, Membership, MembershipRole, User
from booking.auth.user_sessions import UserSession
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
from booking.stats import models as stats_models  # noqa: F401 - the statistics rollup

__all__ = [
    "ApiToken",
    "Association",
    "AuditEvent",
    "Booking",
    "BookingEquipment",
    "BookingSeries",
    "BookingState",
    "Closure",
    "Comment",
    "Equipment",
    "IdempotentRequest",
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
    "UserSession",
    "UserTraining",
    "Webhook",
]

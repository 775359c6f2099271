"""The audit trail: who did what to which object, when, and why.

Layer 1: it knows nothing of bookings; objects are named by type and id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from booking.db import utcnow
from booking.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.object_type}#{self.object_id} {self.action}>"


def record(
    object_type: str,
    object_id: int,
    action: str,
    *,
    actor_id: int | None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current session (the caller's transaction commits it)."""
    event = AuditEvent(
        object_type=object_type,
        object_id=object_id,
        action=action,
        actor_id=actor_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason or None,
    )
    db.session.add(event)
    return event


def trail_query(object_type: str, object_ids: list[int]) -> Select:
    """The events of some objects, oldest first, as a statement (to paginate)."""
    return (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(object_ids))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )


def trail(object_type: str, object_ids: list[int]) -> list[AuditEvent]:
    """The events of some objects, oldest first."""
    if not object_ids:
        return []
    return list(db.session.scalars(trail_query(object_type, object_ids)))

"""The outbox: emails written in the same transaction as the change they announce.

Layer 1: it stores ready-made messages and knows nothing of bookings. A
rolled-back transaction leaves nothing here, so nothing is sent; a committed
one leaves a row that `booking.notifications.sending` delivers, retrying with
backoff until it succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import Parser

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.db import utcnow
from booking.extensions import db


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recipients: Mapped[str] = mapped_column(Text)  # comma-separated addresses
    subject: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40), default="generic")
    raw: Mapped[str] = mapped_column(Text)  # the whole RFC 5322 message
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    def message(self) -> EmailMessage:
        return Parser(policy=policy.default).parsestr(self.raw)


def enqueue(message: EmailMessage, kind: str = "generic") -> OutboxMessage:
    """Add a composed message to the current transaction's outbox."""
    recipients = [addr.strip() for addr in str(message["To"]).split(",") if addr.strip()]
    row = OutboxMessage(
        recipients=",".join(recipients),
        subject=str(message["Subject"])[:300],
        kind=kind,
        raw=message.as_string(),
    )
    db.session.add(row)
    return row


# Kinds of outbox rows that are not emails (webhooks...), and who delivers them.
# The sender (booking/notifications/sending.py) hands such rows to their deliverer,
# which raises to have the row retried later.
_DELIVERERS: dict[str, Callable[[OutboxMessage], None]] = {}


def register_deliverer(kind: str, deliver: Callable[[OutboxMessage], None]) -> None:
    _DELIVERERS[kind] = deliver


def deliverer_of(kind: str) -> Callable[[OutboxMessage], None] | None:
    return _DELIVERERS.get(kind)

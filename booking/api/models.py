"""What the API keeps beside the domain: the answers to idempotent requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from booking.db import utcnow
from booking.extensions import db


class IdempotentRequest(db.Model):
    """A booking POST sent with an `Idempotency-Key`, and the answer it got.

    Written in the same transaction as the booking: the unique key makes a
    concurrent retry fail at commit, so a request never books twice.
    """

    __tablename__ = "api_idempotent_request"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    status: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

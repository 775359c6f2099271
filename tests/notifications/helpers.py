"""Reading what the notifications wrote to the outbox."""

from __future__ import annotations

from email.message import EmailMessage

from icalendar import Calendar
from sqlalchemy import select

from booking.extensions import db
from booking.outbox import OutboxMessage


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def emails(kind: str | None = None) -> list[EmailMessage]:
    return [row.message() for row in outbox() if kind is None or row.kind == kind]


def to_address(message: EmailMessage) -> str:
    return message["To"].addresses[0].addr_spec


def by_recipient(kind: str) -> dict[str, EmailMessage]:
    return {to_address(m): m for m in emails(kind)}


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def calendar(message: EmailMessage) -> Calendar | None:
    for part in message.iter_attachments():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_content())
    return None

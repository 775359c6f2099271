"""Delivering the outbox: SMTP when configured, `.eml` files in development.

Each due message is taken in its own short transaction, locked so that two
senders never deliver it twice (PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite
writers are serialized by `BEGIN IMMEDIATE`). A failure is recorded and the
message retried later with exponential backoff; it is never dropped.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from booking.db import utcnow
from booking.extensions import db
from booking.outbox import OutboxMessage, deliverer_of

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600
AFTER_REQUEST_BATCH = 20


class Transport(Protocol):
    def send(self, message: EmailMessage, recipients: list[str], ident: str) -> None: ...


class SMTPTransport:
    """Plain smtplib: STARTTLS or implicit TLS, optional login."""

    def __init__(self, config: dict) -> None:
        self.host = config["MAIL_SERVER"]
        self.port = int(config.get("MAIL_PORT") or 25)
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.username = config.get("MAIL_USERNAME") or ""
        self.password = config.get("MAIL_PASSWORD") or ""
        self.sender = parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
        self.timeout = float(config.get("MAIL_TIMEOUT", 15))

    def send(self, message: EmailMessage, recipients: list[str], ident: str) -> None:
        context = ssl.create_default_context()
        if self.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message, from_addr=self.sender, to_addrs=recipients)


class FileTransport:
    """Development: each message becomes a readable `.eml` file, and a log line."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, message: EmailMessage, recipients: list[str], ident: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{utcnow():%Y%m%d-%H%M%S}-{ident}.eml"
        path.write_bytes(bytes(message))
        log.info("Email to %s written to %s: %s", ", ".join(recipients), path, message["Subject"])


def transport_from_config(config: dict) -> Transport:
    if config.get("MAIL_SERVER"):
        return SMTPTransport(config)
    return FileTransport(config["MAIL_OUTBOX_DIR"])


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: 1, 2, 4 ... minutes, at most 6 h."""
    exponent = max(attempts - 1, 0)
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** min(exponent, 20), BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


def envelope_recipients(message: EmailMessage, row: OutboxMessage) -> list[str]:
    """Bare addresses from the parsed To/Cc headers (display names may hold commas)."""
    found = [
        address.addr_spec
        for header in ("To", "Cc")
        if message[header] is not None
        for address in message[header].addresses
    ]
    return found or [parseaddr(r)[1] for r in row.recipients.split(",") if r.strip()]


def _claim_next(now: datetime) -> OutboxMessage | None:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalars(stmt).first()


def send_due(
    *, now: datetime | None = None, limit: int = 200, transport: Transport | None = None
) -> SendReport:
    """Deliver up to `limit` due messages, committing after each one.

    A message that fails is tried again after `backoff(attempts)`. Messages are
    sent in their own transactions: call this outside a request's unit of work.
    """
    transport = transport or transport_from_config(current_app.config)
    report = SendReport()
    db.session.commit()  # start from a clean transaction
    for _ in range(limit):
        moment = now or utcnow()
        row = _claim_next(moment)
        if row is None:
            db.session.rollback()
            break
        row.attempts += 1
        try:
            deliver = deliverer_of(row.kind)
            if deliver is not None:  # not an email: a webhook call
                deliver(row)
            else:
                message = row.message()
                transport.send(message, envelope_recipients(message, row), str(row.id))
        except Exception as exc:  # any failure is retried later
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.next_attempt_at = moment + backoff(row.attempts)
            report.failed += 1
            log.warning(
                "Email #%s (%s) failed, attempt %s, next try at %s: %s",
                row.id,
                row.kind,
                row.attempts,
                row.next_attempt_at.isoformat(),
                row.last_error,
            )
        else:
            row.sent_at = moment
            row.last_error = None
            report.sent += 1
        db.session.commit()
    return report


# --- Sending after the request that wrote to the outbox --------------------------


def _note_outbox_writes(session: Session, _context, _instances) -> None:
    if has_app_context() and any(isinstance(obj, OutboxMessage) for obj in session.new):
        g.outbox_written = True


def _send_quietly(app: Flask) -> None:
    """Runs once the response is sent: any failure is logged, never raised."""
    try:
        with app.app_context():
            try:
                send_due(limit=AFTER_REQUEST_BATCH)
            finally:
                db.session.remove()
    except Exception:
        log.exception("Sending the outbox after a request failed; send-mail will retry")


def init_sending(app: Flask) -> None:
    """Send new outbox messages after the response of the request that wrote them."""
    if not event.contains(Session, "before_flush", _note_outbox_writes):
        event.listen(Session, "before_flush", _note_outbox_writes)

    @app.after_request
    def _send_after_response(response):
        if app.config.get("MAIL_SEND_AFTER_REQUEST") and g.pop("outbox_written", False):
            response.call_on_close(lambda: _send_quietly(app))
        return response

"""Delivering the outbox: SMTP when configured, `.eml` files in development.

Each due message goes through three steps, and no transaction is open while
the mail server is talked to (an SMTP conversation may last the whole
`MAIL_TIMEOUT`; on SQLite an open write transaction would lock every booking
request out for as long):
1. claim, in a short transaction: the message is taken (PostgreSQL
   `FOR UPDATE SKIP LOCKED`; SQLite writers are serialized by `BEGIN IMMEDIATE`),
   its `attempts` raised and its `next_attempt_at` moved `CLAIM_LEASE` ahead,
   so no other sender finds it due while this one works; commit;
2. send, with no transaction open;
3. record the result in a new short transaction, only if the claim is still
   ours (`attempts` unchanged): sent, or failed and due again after `backoff`.
A sender that dies between 1 and 3 leaves the message due again once the lease
has run out: it is never dropped.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import HeaderParser, Parser
from email.policy import compat32
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from booking.db import utcnow
from booking.extensions import db
from booking.outbox import OutboxMessage, deliverer_of

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600
AFTER_REQUEST_BATCH = 20
# Longer than any SMTP conversation (each step of one is bounded by MAIL_TIMEOUT).
CLAIM_LEASE = timedelta(minutes=10)


class Transport(Protocol):
    def send(self, message: Claim, recipients: list[str], ident: str) -> None: ...


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

    def send(self, message: Claim, recipients: list[str], ident: str) -> None:
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
            if message.raw.isascii():
                # The stored message as it is (smtplib ends its lines in CRLF).
                smtp.sendmail(self.sender, recipients, message.raw)
            else:
                smtp.send_message(message.message(), from_addr=self.sender, to_addrs=recipients)


class FileTransport:
    """Development: each message becomes a readable `.eml` file, and a log line."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def send(self, message: Claim, recipients: list[str], ident: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{utcnow():%Y%m%d-%H%M%S}-{ident}.eml"
        path.write_bytes(message.raw.encode())  # the stored message, as it is
        log.info("Email to %s written to %s: %s", ", ".join(recipients), path, message.subject)


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


def envelope_recipients(message: Claim) -> list[str]:
    """Bare addresses from the To/Cc headers (display names may hold commas), read from the
    headers alone: sending parses no body."""
    headers = HeaderParser(policy=compat32).parsestr(message.raw, headersonly=True)
    named = headers.get_all("To", []) + headers.get_all("Cc", [])
    found = [address for _name, address in getaddresses([str(v) for v in named]) if address]
    return found or [parseaddr(r)[1] for r in message.recipients.split(",") if r.strip()]


@dataclass(frozen=True)
class Claim:
    """A message taken by this sender: what sending needs, copied before the commit."""

    id: int
    attempts: int
    kind: str
    raw: str
    recipients: str
    subject: str

    def message(self) -> EmailMessage:
        return Parser(policy=policy.default).parsestr(self.raw)


def _claim_next(now: datetime) -> Claim | None:
    """Take the next due message in a transaction of its own, committed on return: one
    statement picks it (skipping a message another sender holds), raises its `attempts`
    and moves its `next_attempt_at` to the end of the lease."""
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == due)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + CLAIM_LEASE)
        .returning(
            OutboxMessage.id,
            OutboxMessage.attempts,
            OutboxMessage.kind,
            OutboxMessage.raw,
            OutboxMessage.recipients,
            OutboxMessage.subject,
        )
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        db.session.rollback()
        return None
    db.session.commit()
    return Claim(*row)


def _record(claim: Claim, **values: object) -> None:
    """Write a send's result in a short transaction, unless the claim was lost meanwhile."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claim.id,
            OutboxMessage.attempts == claim.attempts,
            OutboxMessage.sent_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def send_due(
    *, now: datetime | None = None, limit: int = 200, transport: Transport | None = None
) -> SendReport:
    """Deliver up to `limit` due messages: claim and commit, send, record and commit.

    A message that fails is tried again after `backoff(attempts)`. Messages are
    sent in their own transactions: call this outside a request's unit of work.
    """
    transport = transport or transport_from_config(current_app.config)
    report = SendReport()
    db.session.commit()  # start from a clean transaction
    for _ in range(limit):
        moment = now or utcnow()
        claim = _claim_next(moment)
        if claim is None:
            break
        try:
            deliver = deliverer_of(claim.kind)
            if deliver is not None:  # not an email: a webhook call
                deliver(claim)
            else:
                # The stored message is sent as it is: no parsing, no writing again.
                transport.send(claim, envelope_recipients(claim), str(claim.id))
        except Exception as exc:  # any failure is retried later
            error = f"{type(exc).__name__}: {exc}"[:2000]
            retry_at = (now or utcnow()) + backoff(claim.attempts)
            _record(claim, last_error=error, next_attempt_at=retry_at)
            report.failed += 1
            log.warning(
                "Email #%s (%s) failed, attempt %s, next try at %s: %s",
                claim.id,
                claim.kind,
                claim.attempts,
                retry_at.isoformat(),
                error,
            )
        else:
            _record(claim, sent_at=now or utcnow(), last_error=None)
            report.sent += 1
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

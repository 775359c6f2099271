"""Webhooks: booking events POSTed as signed JSON to partners' HTTPS addresses.

An association's administrator registers an address for the events of its
bookings; a site administrator may register one for every booking. An event
becomes an outbox row (kind "webhook", addressed "webhook:<id>") in the same
transaction as the change, like an email: a rolled-back change sends nothing,
and the outbox's sender delivers it after the response, retrying with backoff.
Each delivery is signed: `Salles-Signature: t=<unix time>,v1=<hex HMAC-SHA256
of "<t>.<body>" with the webhook's secret>`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking import netguard
from booking.auth.models import Association, User
from booking.bookings import events
from booking.bookings.models import Booking
from booking.db import utcnow
from booking.extensions import db
from booking.outbox import OutboxMessage, register_deliverer

EVENTS = ("requested", "approved", "refused", "cancelled", "moved")
EVENT_LABELS = {
    "requested": _l("a booking is requested"),
    "approved": _l("a booking is approved"),
    "refused": _l("a request is refused"),
    "cancelled": _l("a booking is cancelled"),
    "moved": _l("a booking is moved to another time"),
}
KIND = "webhook"
SIGNATURE_HEADER = "Salles-Signature"
TIMEOUT_SECONDS = 10


class Webhook(db.Model):
    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: every booking (only administrators register those).
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("association.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[str] = mapped_column(String(100))  # space-separated, from EVENTS
    secret: Mapped[str] = mapped_column(String(100))  # needed to sign: kept, shown once
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    association: Mapped[Association | None] = relationship()

    @property
    def address(self) -> str:
        return f"{KIND}:{self.id}"

    def can_manage(self, user: User) -> bool:
        if self.association_id is None:
            return user.is_admin
        return user.is_association_admin(self.association_id)


class WebhookError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class NewWebhook:
    webhook: Webhook
    secret: str


def _schemes() -> tuple[str, ...]:
    return ("https",) + (("http",) if current_app.config.get("WEBHOOK_ALLOW_HTTP") else ())


def check_url(url: str) -> str:
    """An HTTPS address whose host is public (every address it resolves to): the
    service must never be made to POST into its own network (SSRF)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in _schemes() or not parts.hostname or len(url) > 500:
        raise WebhookError(str(_l("Give an address that starts with https://.")), "url")
    try:
        netguard.check_url(url, _schemes())
    except netguard.UnsafeTargetError as error:
        if error.reason == netguard.INTERNAL:
            raise WebhookError(
                str(
                    _l(
                        "This address leads to an internal or reserved network (%(address)s): "
                        "give the public address of the partner's server.",
                        address=error.address,
                    )
                ),
                "url",
            ) from None
        raise WebhookError(
            str(
                _l(
                    "The server name %(host)s could not be found: check the address.",
                    host=error.host,
                )
            ),
            "url",
        ) from None
    return url


def register_webhook(
    actor: User, association: Association | None, url: str, chosen: Sequence[str]
) -> NewWebhook:
    if association is None and not actor.is_admin:
        raise WebhookError(str(_l("Only administrators receive every booking.")), "association")
    if association is not None and not actor.is_association_admin(association):
        raise WebhookError(
            str(_l("Only the association's administrators add webhooks.")), "association"
        )
    url = check_url(url)
    picked = [e for e in EVENTS if e in set(chosen)]
    if not picked or len(picked) != len(set(chosen)):
        raise WebhookError(str(_l("Choose at least one event.")), "events")
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook = Webhook(
        association_id=association.id if association else None,
        created_by_id=actor.id,
        url=url,
        events=" ".join(picked),
        secret=secret,
    )
    db.session.add(webhook)
    db.session.flush()
    return NewWebhook(webhook, secret)


def webhooks_for(user: User) -> list[Webhook]:
    """The active webhooks `user` may manage: their associations' (all for an administrator)."""
    stmt = select(Webhook).where(Webhook.is_active.is_(True)).order_by(Webhook.id)
    if not user.is_admin:
        admin_of = [
            m.association_id
            for m in user.memberships
            if user.is_association_admin(m.association_id)
        ]
        stmt = stmt.where(Webhook.association_id.in_(admin_of or [-1]))
    return list(db.session.scalars(stmt))


def remove_webhook(actor: User, webhook: Webhook) -> None:
    if not webhook.can_manage(actor):
        raise WebhookError(str(_l("You cannot change this webhook.")))
    webhook.is_active = False
    db.session.flush()


def deliveries(webhook: Webhook, limit: int = 100) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.kind == KIND, OutboxMessage.recipients == webhook.address)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


# --- Events into the outbox ---------------------------------------------------------


def payload(event: str, booking: Booking) -> dict:
    return {
        "event": event,
        "booking": {
            "id": booking.id,
            "resource": booking.resource.slug,
            "association": {"id": booking.association_id, "name": booking.association.name},
            "title": booking.title,
            "state": booking.state.value,
            "start": booking.start_at.astimezone(UTC).isoformat(),
            "end": booking.end_at.astimezone(UTC).isoformat(),
            "decision_reason": booking.decision_reason,
            "cancel_reason": booking.cancel_reason,
        },
    }


def enqueue_event(event: str, bookings: Sequence[Booking]) -> int:
    """One outbox row per (subscribed webhook, booking); returns how many."""
    if not bookings:
        return 0
    association_ids = sorted({b.association_id for b in bookings})
    stmt = select(Webhook).where(
        Webhook.is_active.is_(True),
        or_(Webhook.association_id.is_(None), Webhook.association_id.in_(association_ids)),
    )
    hooks = [h for h in db.session.scalars(stmt) if event in h.events.split()]
    count = 0
    for hook in hooks:
        for booking in bookings:
            if hook.association_id not in (None, booking.association_id):
                continue
            body = json.dumps(payload(event, booking), ensure_ascii=False, separators=(",", ":"))
            db.session.add(
                OutboxMessage(
                    recipients=hook.address, subject=f"{event} #{booking.id}", kind=KIND, raw=body
                )
            )
            count += 1
    return count


_SIGNALS = {
    "requested": events.request_created,
    "approved": events.booking_approved,
    "refused": events.booking_refused,
    "cancelled": events.booking_cancelled,
    "moved": events.booking_rescheduled,
}
_listeners: dict = {}


def connect_webhooks() -> None:
    """Listen to the booking signals (once per process) and deliver outbox rows of our kind."""
    for name, signal in _SIGNALS.items():
        if name not in _listeners:

            def listener(_sender, *, bookings: Sequence[Booking], _event: str = name, **_kw):
                enqueue_event(_event, bookings)

            _listeners[name] = listener
            signal.connect(listener, weak=False)
    register_deliverer(KIND, deliver)


# --- Delivery -----------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def deliver(row: OutboxMessage) -> None:
    """POST one outbox row (or the sender's claimed copy of it) to its webhook; any exception
    means "try again later"."""
    webhook_id = int(row.recipients.removeprefix(f"{KIND}:"))
    webhook = db.session.get(Webhook, webhook_id)
    if webhook is None or not webhook.is_active:
        db.session.rollback()
        return  # removed since: nothing to deliver, the row is closed
    url, secret = webhook.url, webhook.secret
    db.session.rollback()  # no transaction (nor SQLite's write lock) during the HTTP call
    body = row.raw.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "SallesOuvertes-Webhook/1",
        "Salles-Event": row.subject.split(" ")[0],
        "Salles-Delivery": str(row.id),
        SIGNATURE_HEADER: sign(secret, body, int(time.time())),
    }
    # Checked again at each delivery: the name may resolve elsewhere since registration.
    # A refusal raises, and the sender writes it in the delivery log and tries later.
    target = netguard.check_url(url, _schemes())
    opener = current_app.config.get("WEBHOOK_OPENER")  # tests: stands for the network
    if opener is None:
        netguard.post(target, body, headers, timeout=TIMEOUT_SECONDS)
        return
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    with opener(request, timeout=TIMEOUT_SECONDS) as response:
        status = getattr(response, "status", 200)
        if not 200 <= status < 300:
            raise RuntimeError(f"HTTP {status}")

"""Retention: personal details are kept only as long as they serve (RGPD art. 5-1-e).

`purge(now, policy)` is idempotent and bounded by the data, not by time: run it as often
as you like (`flask --app wsgi purge`, a timer, or the periodic job the app runs itself).

- past bookings and series: after `personal_months`, they no longer name who asked,
  decided or cancelled (dates, room, association and state stay for the statistics);
- comments older than `personal_months` lose their author and their text;
- audit events older than `personal_months` lose their actor;
- emails sent more than `outbox_days` ago leave the outbox (with their addresses);
- accounts whose address was never confirmed, older than `unconfirmed_days`, that have not
  signed in since, manage nothing and are named by no booking or comment, are deleted
  (abandoned sign-ups; an account in use is never caught).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, delete, exists, or_, select, update

from booking.audit import AuditEvent
from booking.auth.models import User, manages_something
from booking.bookings.models import Booking, BookingSeries, Comment
from booking.extensions import db
from booking.outbox import OutboxMessage
from booking.privacy.erasure import ERASED_COMMENT, erase_user
from booking.privacy.locks import lock_resources_of

UNCONFIRMED_BATCH = 200  # accounts deleted per run at most; the next run goes on


@dataclass(frozen=True)
class RetentionPolicy:
    personal_months: int = 24
    outbox_days: int = 30
    unconfirmed_days: int = 30

    @classmethod
    def from_config(cls, config: dict) -> RetentionPolicy:
        return cls(
            personal_months=int(config.get("RETENTION_PERSONAL_MONTHS", cls.personal_months)),
            outbox_days=int(config.get("RETENTION_OUTBOX_DAYS", cls.outbox_days)),
            unconfirmed_days=int(config.get("RETENTION_UNCONFIRMED_DAYS", cls.unconfirmed_days)),
        )


@dataclass
class PurgeReport:
    bookings: int = 0
    series: int = 0
    comments: int = 0
    audit_events: int = 0
    emails: int = 0
    accounts: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


_NO_SYNC = {"synchronize_session": False}


def purge(now: datetime, policy: RetentionPolicy) -> PurgeReport:
    """Anonymise and delete what the policy no longer allows to keep; flushes, caller commits."""
    report = PurgeReport()
    cutoff = now - relativedelta(months=policy.personal_months)
    named = or_(
        Booking.requester_id.is_not(None),
        Booking.decided_by_id.is_not(None),
        Booking.cancelled_by_id.is_not(None),
        Booking.checked_in_by_id.is_not(None),
    )
    lock_resources_of(and_(Booking.end_at < cutoff, named))
    report.bookings = db.session.execute(
        update(Booking)
        .where(Booking.end_at < cutoff, named)
        .values(requester_id=None, decided_by_id=None, cancelled_by_id=None, checked_in_by_id=None),
        execution_options=_NO_SYNC,
    ).rowcount
    recent_occurrence = exists().where(
        Booking.series_id == BookingSeries.id, Booking.end_at >= cutoff
    )
    report.series = db.session.execute(
        update(BookingSeries)
        .where(
            BookingSeries.requester_id.is_not(None),
            BookingSeries.created_at < cutoff,
            ~recent_occurrence,
        )
        .values(requester_id=None),
        execution_options=_NO_SYNC,
    ).rowcount
    report.comments = db.session.execute(
        update(Comment)
        .where(
            Comment.created_at < cutoff,
            or_(Comment.author_id.is_not(None), Comment.body != ERASED_COMMENT),
        )
        .values(author_id=None, body=ERASED_COMMENT),
        execution_options=_NO_SYNC,
    ).rowcount
    report.audit_events = db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.created_at < cutoff, AuditEvent.actor_id.is_not(None))
        .values(actor_id=None),
        execution_options=_NO_SYNC,
    ).rowcount
    report.emails = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.sent_at.is_not(None),
            OutboxMessage.sent_at < now - timedelta(days=policy.outbox_days),
        ),
        execution_options=_NO_SYNC,
    ).rowcount
    # Last, so that one run reaches a fixed point (the next one finds nothing more to do).
    report.accounts = _delete_unconfirmed(now - timedelta(days=policy.unconfirmed_days))
    db.session.flush()
    return report


def _delete_unconfirmed(cutoff: datetime) -> int:
    stale = db.session.scalars(
        select(User)
        .where(
            User.email_confirmed_at.is_(None),
            User.is_admin.is_(False),
            User.created_at < cutoff,
            or_(User.last_login_at.is_(None), User.last_login_at < cutoff),
            ~manages_something(User.id),
            ~exists().where(
                or_(
                    Booking.requester_id == User.id,
                    Booking.decided_by_id == User.id,
                    Booking.cancelled_by_id == User.id,
                )
            ),
            ~exists().where(BookingSeries.requester_id == User.id),
            ~exists().where(Comment.author_id == User.id),
        )
        .order_by(User.id)
        .limit(UNCONFIRMED_BATCH)
    ).all()
    for user in stale:
        erase_user(user)
    return len(stale)

"""Everything the service holds about one person, as plain data (JSON and the HTML page)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from booking.audit import AuditEvent
from booking.auth.models import Invitation, Membership, User
from booking.bookings.models import Booking, BookingSeries, Comment
from booking.extensions import db
from booking.resources.models import Closure, UserTraining


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_data(user: User) -> dict[str, Any]:
    """The person's account and every row that names them, in a stable, documented shape.

    Instants are ISO 8601 in UTC. Bookings are those the person requested, decided or
    cancelled; audit events those where they acted.
    """
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
    ).all()
    trainings = db.session.scalars(
        select(UserTraining)
        .options(joinedload(UserTraining.training))
        .where(UserTraining.user_id == user.id)
        .order_by(UserTraining.id)
    ).all()
    bookings = db.session.scalars(
        select(Booking)
        .options(joinedload(Booking.resource), joinedload(Booking.association))
        .where(
            or_(
                Booking.requester_id == user.id,
                Booking.decided_by_id == user.id,
                Booking.cancelled_by_id == user.id,
            )
        )
        .order_by(Booking.start_at, Booking.id)
    ).all()
    series = db.session.scalars(
        select(BookingSeries)
        .where(BookingSeries.requester_id == user.id)
        .order_by(BookingSeries.id)
    ).all()
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.created_at)
    ).all()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.created_at)
    ).all()
    invitations = db.session.scalars(
        select(Invitation)
        .where(or_(Invitation.invited_by_id == user.id, Invitation.email == user.email))
        .order_by(Invitation.id)
    ).all()
    closures = db.session.scalars(
        select(Closure).where(Closure.created_by_id == user.id).order_by(Closure.start_at)
    ).all()
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "language": user.locale,
            "is_administrator": user.is_admin,
            "email_confirmed_at": _when(user.email_confirmed_at),
            "created_at": _when(user.created_at),
            "last_login_at": _when(user.last_login_at),
            "emails_reminders": user.notify_reminders,
            "emails_comments": user.notify_comments,
            "has_private_feed": user.feed_token_hash is not None,
        },
        "memberships": [
            {
                "association": m.association.name,
                "role": m.role.value,
                "since": _when(m.created_at),
            }
            for m in memberships
        ],
        "trainings": [
            {
                "training": t.training.name,
                "obtained_on": _when(t.obtained_on),
                "expires_on": _when(t.expires_on),
            }
            for t in trainings
        ],
        "bookings": [
            {
                "id": b.id,
                "resource": b.resource.name,
                "association": b.association.name,
                "title": b.title,
                "purpose": b.purpose,
                "attendees": b.attendees,
                "state": b.state.value,
                "start_at": _when(b.start_at),
                "end_at": _when(b.end_at),
                "requested_by_me": b.requester_id == user.id,
                "decided_by_me": b.decided_by_id == user.id,
                "cancelled_by_me": b.cancelled_by_id == user.id,
                "decision_reason": b.decision_reason,
                "cancel_reason": b.cancel_reason,
                "created_at": _when(b.created_at),
            }
            for b in bookings
        ],
        "series": [
            {"id": s.id, "title": s.title, "rule": s.rule, "created_at": _when(s.created_at)}
            for s in series
        ],
        "comments": [
            {"booking": c.booking_id, "body": c.body, "created_at": _when(c.created_at)}
            for c in comments
        ],
        "audit_events": [
            {
                "object": f"{e.object_type}#{e.object_id}",
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "reason": e.reason,
                "at": _when(e.created_at),
            }
            for e in events
        ],
        "invitations": [
            {
                "association_id": i.association_id,
                "email": i.email,
                "sent_by_me": i.invited_by_id == user.id,
                "created_at": _when(i.created_at),
                "accepted_at": _when(i.accepted_at),
            }
            for i in invitations
        ],
        "closures_created": [
            {"label": c.label, "start_at": _when(c.start_at), "end_at": _when(c.end_at)}
            for c in closures
        ],
    }

"""Deleting an account: the person goes, the association's bookings stay, anonymised.

Bookings, series and audit events keep their dates, rooms and states (the association and
the city's statistics need them) but no longer point to the person; their comments lose
their text; emails addressed to them leave the outbox; memberships, trainings, manager
roles, sessions and the private feed token die with the account row.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from booking.audit import AuditEvent
from booking.auth.models import Invitation, User
from booking.auth.services import AccountError
from booking.bookings.models import Booking, BookingSeries, Comment
from booking.extensions import db
from booking.outbox import OutboxMessage
from booking.privacy.locks import lock_resources_of
from booking.resources.models import Closure, UserTraining

ERASED_COMMENT = ""  # an empty body: pages show "message removed"


def delete_account(user: User, password: str) -> None:
    """The signed-in person deletes their own account, confirming with their password."""
    if not user.check_password(password):
        raise AccountError(_l("The password is not correct."), field="password")
    if user.is_admin and _other_administrators(user) == 0:
        raise AccountError(
            _l(
                "You are the only administrator: make someone else administrator before "
                "deleting your account."
            ),
            field="password",
        )
    erase_user(user)


def _other_administrators(user: User) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.is_admin.is_(True), User.id != user.id)
    )


def erase_user(user: User) -> None:
    """Remove the person and every link to them; flushes, the caller commits."""
    uid = user.id
    email = user.email.lower()
    lock_resources_of(
        or_(
            Booking.requester_id == uid,
            Booking.decided_by_id == uid,
            Booking.cancelled_by_id == uid,
            Booking.checked_in_by_id == uid,
        )
    )
    for column in (
        Booking.requester_id,
        Booking.decided_by_id,
        Booking.cancelled_by_id,
        Booking.checked_in_by_id,
    ):
        db.session.execute(
            update(Booking).where(column == uid).values({column.key: None}),
            execution_options={"synchronize_session": False},
        )
    db.session.execute(
        update(BookingSeries).where(BookingSeries.requester_id == uid).values(requester_id=None),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Comment).where(Comment.author_id == uid).values(author_id=None, body=ERASED_COMMENT),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(AuditEvent).where(AuditEvent.actor_id == uid).values(actor_id=None),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Closure).where(Closure.created_by_id == uid).values(created_by_id=None),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(UserTraining).where(UserTraining.granted_by_id == uid).values(granted_by_id=None),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Invitation).where(Invitation.invited_by_id == uid).values(invited_by_id=None),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(Invitation).where(func.lower(Invitation.email) == email),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(OutboxMessage).where(_addressed_to(email)),
        execution_options={"synchronize_session": False},
    )
    user.feed_token_hash = None
    db.session.delete(user)
    db.session.flush()
    db.session.expire_all()


def _addressed_to(email: str):
    """Outbox rows whose comma-separated recipients include this address."""
    recipients = "," + func.lower(OutboxMessage.recipients) + ","
    return recipients.contains("," + email + ",", autoescape=True)

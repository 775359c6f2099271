"""Account rules: authentication, sign-up, passwords, invitations and memberships.

No request here: the acting user and the secret key are parameters. Every
function flushes and leaves the commit to its caller (view or CLI).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from booking.auth.models import (
    Association,
    Invitation,
    Membership,
    MembershipRole,
    User,
    hash_token,
    user_by_email,
)
from booking.auth.user_sessions import end_sessions
from booking.db import utcnow
from booking.extensions import db

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
INVITATION_VALID_DAYS = 14
LANGUAGES = ("fr", "en")
_RESET_SALT = "password-reset"
_CONFIRM_SALT = "email-confirmation"


class AccountError(Exception):
    """A refused account operation, with a translatable message and the form field it concerns."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message  # lazy: translated when shown, in the reader's language
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


# --- Authentication ---------------------------------------------------------


@cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def authenticate(email: str, password: str, *, now: datetime | None = None) -> User | None:
    """The active user with these credentials, with the login time recorded; else None."""
    user = user_by_email(email)
    if user is None:
        # Spend the same time as for a real account: timing must not reveal who has one.
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = now or utcnow()
    return user


# --- Registration numbers ---------------------------------------------------

_RNA = re.compile(r"W\d{9}")
_SIRET = re.compile(r"\d{14}")
# La Poste's establishments share one SIREN and use a different checksum.
_LA_POSTE_SIREN = "356000000"


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalize_registration_number(value: str | None) -> str | None:
    """An RNA (W + 9 digits) or SIRET (14 digits, Luhn) number, cleaned; None when empty.

    Raises AccountError when the value is neither.
    """
    cleaned = re.sub(r"[\s.\-]", "", value or "").upper()
    if not cleaned:
        return None
    if _RNA.fullmatch(cleaned):
        return cleaned
    if _SIRET.fullmatch(cleaned):
        la_poste = cleaned.startswith(_LA_POSTE_SIREN) and sum(int(c) for c in cleaned) % 5 == 0
        if luhn_valid(cleaned) or la_poste:
            return cleaned
        raise AccountError(
            _l("This SIRET number is not valid: check the 14 digits."), "registration_number"
        )
    raise AccountError(
        _l(
            "Enter an RNA number (W followed by 9 digits, e.g. W291000123) or a SIRET number (14 digits)."
        ),
        "registration_number",
    )


# --- Sign-up ----------------------------------------------------------------


@dataclass
class NewAccount:
    display_name: str
    email: str
    password: str
    locale: str = "fr"


@dataclass
class NewAssociation:
    name: str
    contact_email: str
    registration_number: str | None = None


def check_password_strength(password: str, *, field: str = "password") -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(
            _l(
                "Choose a password of at least %(num)d characters.",
                num=PASSWORD_MIN_LENGTH,
            ),
            field,
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(
            _l("Choose a password of at most %(num)d characters.", num=PASSWORD_MAX_LENGTH),
            field,
        )


def create_user(account: NewAccount, *, now: datetime | None = None) -> User:
    """A new active account; refused when the email address is already used."""
    email = account.email.strip().lower()
    taken = AccountError(
        _l(
            "An account already uses this email address. Log in, or reset your password if you forgot it."
        ),
        "email",
    )
    if user_by_email(email) is not None:
        raise taken
    check_password_strength(account.password)
    user = User(
        email=email,
        display_name=account.display_name.strip(),
        locale=account.locale if account.locale in LANGUAGES else "fr",
        created_at=now or utcnow(),
    )
    user.set_password(account.password)
    try:
        # A savepoint: two sign-ups racing for one address meet the unique key, not a 500.
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        raise taken from None
    return user


def sign_up(account: NewAccount, *, now: datetime | None = None) -> User | None:
    """A new account; None when the address already has one, after the same work.

    The page must answer a sign-up with a known address as it answers a new one
    (the owner is told by email), in the same time: the password is hashed either way.
    """
    check_password_strength(account.password)
    if user_by_email(account.email) is None:
        try:
            return create_user(account, now=now)
        except AccountError as error:
            if error.field != "email":  # lost a race for the address: as if it was taken
                raise
    User().set_password(account.password)
    return None


def check_association(declared: NewAssociation) -> None:
    """Refuse a registration number that is malformed or already used (before any write)."""
    number = normalize_registration_number(declared.registration_number)
    if number is not None:
        existing = db.session.scalar(
            select(Association.id).where(Association.registration_number == number)
        )
        if existing is not None:
            raise AccountError(
                _l(
                    "An association with this number is already registered. Ask its administrator to invite you."
                ),
                "registration_number",
            )


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:180] or "association"


# Words that name pages under /account/associations/.
_RESERVED_SLUGS = {"new"}


def _unique_association_slug(name: str) -> str:
    base = slugify(name)
    taken = set(
        db.session.scalars(select(Association.slug).where(Association.slug.like(f"{base}%")))
    )
    taken |= _RESERVED_SLUGS
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def declare_association(
    actor: User, declared: NewAssociation, *, now: datetime | None = None
) -> Association:
    """A new association, inactive until an administrator validates it; the actor is its admin."""
    check_association(declared)
    number = normalize_registration_number(declared.registration_number)
    association = Association(
        name=declared.name.strip(),
        slug=_unique_association_slug(declared.name),
        registration_number=number,
        contact_email=declared.contact_email.strip().lower(),
        is_active=False,
        created_at=now or utcnow(),
    )
    db.session.add(association)
    db.session.flush()
    db.session.add(Membership(user=actor, association=association, role=MembershipRole.ADMIN))
    db.session.flush()
    return association


def is_awaiting_validation(association: Association) -> bool:
    """Declared, not yet validated by an administrator."""
    return not association.is_active and association.validated_at is None


# --- Signed links (password reset, email confirmation) ----------------------


def _serializer(secret_key: str, salt: str, now: datetime | None) -> URLSafeTimedSerializer:
    """A serializer whose clock is `now` when given (so tests can travel in time)."""
    if now is None:
        return URLSafeTimedSerializer(secret_key, salt=salt)
    timestamp = int(now.timestamp())

    class _FixedClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return timestamp

    return URLSafeTimedSerializer(secret_key, salt=salt, signer=_FixedClockSigner)


def _reset_salt(user: User) -> str:
    # Part of the current hash: once the password changes, older links stop working.
    return f"{_RESET_SALT}:{user.password_hash[-16:]}"


def password_reset_token(user: User, *, secret_key: str, now: datetime | None = None) -> str:
    return _serializer(secret_key, _reset_salt(user), now).dumps({"user": user.id})


def user_for_reset_token(
    token: str, *, secret_key: str, max_age: int, now: datetime | None = None
) -> User | None:
    """The active user a reset link was made for, if the link is genuine, fresh and unused."""
    try:
        _valid, payload = URLSafeTimedSerializer(secret_key).loads_unsafe(token)
    except Exception:  # any garbage in the URL
        return None
    user_id = payload.get("user") if isinstance(payload, dict) else None
    if not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    try:
        _serializer(secret_key, _reset_salt(user), now).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return user


def reset_password(user: User, new_password: str) -> None:
    """Set a new password; every reset link made before and every signed-in device end."""
    check_password_strength(new_password)
    user.set_password(new_password)
    end_sessions(user)
    db.session.flush()


def email_confirmation_token(user: User, *, secret_key: str, now: datetime | None = None) -> str:
    return _serializer(secret_key, _CONFIRM_SALT, now).dumps({"user": user.id, "email": user.email})


def confirm_email(
    token: str, *, secret_key: str, max_age: int, now: datetime | None = None
) -> User | None:
    """Mark the address confirmed when the link is genuine and still names the user's address."""
    try:
        payload = _serializer(secret_key, _CONFIRM_SALT, now).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = db.session.get(User, payload["user"])
    if user is None or user.email != payload.get("email"):
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now or utcnow()
        db.session.flush()
    return user


# --- Password and profile ---------------------------------------------------


def change_password(
    user: User, current_password: str, new_password: str, *, keep_session_id: str | None = None
) -> None:
    """A new password; every signed-in device but `keep_session_id` (the one asking) ends."""
    if not user.check_password(current_password):
        raise AccountError(_l("Your current password is not this one."), "current_password")
    check_password_strength(new_password, field="new_password")
    user.set_password(new_password)
    end_sessions(user, keep_session_id=keep_session_id)
    db.session.flush()


@dataclass
class ProfileChanges:
    display_name: str
    locale: str
    notify_reminders: bool
    notify_comments: bool


def update_profile(user: User, changes: ProfileChanges) -> None:
    if changes.locale not in LANGUAGES:
        raise AccountError(_l("Choose French or English."), "locale")
    user.display_name = changes.display_name.strip()
    user.locale = changes.locale
    user.notify_reminders = changes.notify_reminders
    user.notify_comments = changes.notify_comments
    db.session.flush()


# --- Invitations ------------------------------------------------------------


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.created_at + timedelta(days=INVITATION_VALID_DAYS)


def invite(
    actor: User, association: Association, email: str, *, now: datetime | None = None
) -> tuple[Invitation, str]:
    """Invite someone to join; returns the invitation and its token (shown only once).

    A new invitation to the same address replaces a pending one.
    """
    if not actor.is_association_admin(association):
        raise AccountError(_l("Only the association's administrators may invite members."))
    email = email.strip().lower()
    invitee = user_by_email(email)
    if invitee is not None and invitee.is_member_of(association):
        raise AccountError(_l("This person is already a member of the association."), "email")
    pending = db.session.scalars(
        select(Invitation).where(
            Invitation.association_id == association.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
        )
    )
    for old in pending:
        db.session.delete(old)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        association=association,
        email=email,
        token_hash=hash_token(token),
        invited_by_id=actor.id,
        created_at=now or utcnow(),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def find_invitation(token: str, *, now: datetime | None = None) -> Invitation:
    """The open invitation behind a link; AccountError when unknown, used or expired."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise AccountError(_l("This invitation link is not valid. Ask for a new invitation."))
    if invitation.accepted_at is not None:
        raise AccountError(_l("This invitation has already been used."))
    if (now or utcnow()) >= invitation_expires_at(invitation):
        raise AccountError(
            _l("This invitation has expired. Ask the association's administrator for a new one.")
        )
    if not invitation.association.is_active and invitation.association.validated_at is not None:
        raise AccountError(_l("This association is no longer active."))
    return invitation


def accept_invitation(
    actor: User, token: str, *, now: datetime | None = None
) -> tuple[Association, Membership]:
    """Join the invitation's association as a member (a no-op join if already a member)."""
    invitation = find_invitation(token, now=now)
    association = invitation.association
    invitation.accepted_at = now or utcnow()
    membership = next((m for m in actor.memberships if m.association_id == association.id), None)
    if membership is None:
        membership = Membership(user=actor, association=association, role=MembershipRole.MEMBER)
        db.session.add(membership)
    db.session.flush()
    return association, membership


def pending_invitations(
    association: Association, *, now: datetime | None = None
) -> list[Invitation]:
    cutoff = (now or utcnow()) - timedelta(days=INVITATION_VALID_DAYS)
    stmt = (
        select(Invitation)
        .where(
            Invitation.association_id == association.id,
            Invitation.accepted_at.is_(None),
            Invitation.created_at > cutoff,
        )
        .order_by(Invitation.created_at.desc())
    )
    return list(db.session.scalars(stmt))


def cancel_invitation(actor: User, invitation: Invitation) -> None:
    if not actor.is_association_admin(invitation.association):
        raise AccountError(_l("Only the association's administrators may cancel invitations."))
    db.session.delete(invitation)
    db.session.flush()


# --- Memberships ------------------------------------------------------------


def memberships_of(user: User) -> list[Membership]:
    return sorted(user.memberships, key=lambda m: m.association.name.lower())


def members_of(association: Association) -> list[Membership]:
    stmt = (
        select(Membership)
        .join(Membership.user)
        .where(Membership.association_id == association.id)
        .order_by(User.display_name, User.id)
    )
    return list(db.session.scalars(stmt))


def _admin_count(association: Association) -> int:
    return sum(1 for m in members_of(association) if m.role == MembershipRole.ADMIN)


def _delete_membership(membership: Membership) -> None:
    user, association = membership.user, membership.association
    db.session.delete(membership)
    db.session.flush()
    db.session.expire(user, ["memberships"])
    db.session.expire(association, ["memberships"])


def _refuse_if_last_admin(membership: Membership, message: object) -> None:
    if membership.role == MembershipRole.ADMIN and _admin_count(membership.association) <= 1:
        raise AccountError(message)


def remove_member(actor: User, membership: Membership) -> None:
    """An association admin removes a member; the last admin cannot be removed."""
    if not actor.is_association_admin(membership.association):
        raise AccountError(_l("Only the association's administrators may remove members."))
    _refuse_if_last_admin(
        membership,
        _l(
            "The association needs at least one administrator: make another member administrator first."
        ),
    )
    _delete_membership(membership)


def leave_association(actor: User, association: Association) -> None:
    membership = next((m for m in actor.memberships if m.association_id == association.id), None)
    if membership is None:
        raise AccountError(_l("You are not a member of this association."))
    _refuse_if_last_admin(
        membership,
        _l(
            "You are the association's only administrator: make another member administrator before leaving."
        ),
    )
    _delete_membership(membership)


def set_member_role(actor: User, membership: Membership, role: MembershipRole) -> None:
    if not actor.is_association_admin(membership.association):
        raise AccountError(_l("Only the association's administrators may change roles."))
    if role != MembershipRole.ADMIN:
        _refuse_if_last_admin(
            membership,
            _l(
                "The association needs at least one administrator: make another member administrator first."
            ),
        )
    membership.role = role
    db.session.flush()

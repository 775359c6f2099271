"""Personal access tokens for the JSON API: named, scoped, expiring, stored hashed.

A token is shown once, when it is made; only its SHA-256 digest and a short
prefix (to recognise it in the list) are kept. Scopes: "read" (my associations
and their bookings), "book" (request, cancel, comment), "decide" (a manager's
queue, approve, refuse). The permissions of the person still apply: a scope
only narrows what a token may do on their behalf.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from booking.auth.models import User, hash_token
from booking.db import utcnow
from booking.extensions import db

SCOPES = ("read", "book", "decide")
SCOPE_LABELS = {
    "read": _l("read: my associations and their bookings"),
    "book": _l("book: request, cancel and comment bookings"),
    "decide": _l("decide: approve or refuse requests for the rooms I manage"),
}
TOKEN_PREFIX = "so_"  # noqa: S105 - a prefix, not a secret
MAX_NAME_LENGTH = 100
# last_used_at is written at most this often: reading with a token stays a read.
LAST_USE_PRECISION = timedelta(minutes=5)


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_LENGTH))
    scopes: Mapped[str] = mapped_column(String(40))  # space-separated, from SCOPES
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, to recognise it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_set

    def is_usable(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and (self.expires_at is None or now < self.expires_at)
            and self.user.is_active
        )


class TokenError(Exception):
    """A token could not be made as asked; carries a translated message and its field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def create_token(
    user: User, name: str, scopes: list[str], expires_at: datetime | None, *, now: datetime
) -> NewToken:
    name = (name or "").strip()
    if not name:
        raise TokenError(str(_l("Give the token a name.")), "name")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError(str(_l("The name is too long.")), "name")
    chosen = [s for s in SCOPES if s in set(scopes)]
    if not chosen or len(chosen) != len(set(scopes)):
        raise TokenError(str(_l("Choose at least one scope.")), "scopes")
    if expires_at is not None and expires_at <= now:
        raise TokenError(str(_l("The expiry date must be in the future.")), "expires_on")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        scopes=" ".join(chosen),
        token_hash=hash_token(secret),
        prefix=secret[:10],
        expires_at=expires_at,
        created_at=now,
    )
    db.session.add(token)
    db.session.flush()
    return NewToken(token, secret)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens not revoked, newest first."""
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(stmt))


def revoke_token(user: User, token_id: int, *, now: datetime) -> bool:
    """Revoke one of the user's own tokens; False when there is no such token."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = now
    db.session.flush()
    return True


def token_for_secret(secret: str, *, now: datetime) -> ApiToken | None:
    """The usable token with this secret, its user loaded; None otherwise.

    Marks the last use (at most every LAST_USE_PRECISION); the caller commits.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    stmt = (
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret))
        .options(joinedload(ApiToken.user))  # `is_usable` and every endpoint read it
    )
    token = db.session.scalar(stmt)
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        token.last_used_at = now
    return token

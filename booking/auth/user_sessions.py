"""Signed-in devices: the server-side handle behind each session and remember-me cookie.

One row per login. The session cookie carries a random session id, the
remember-me cookie (when asked for) a random remember token; the table keeps
only their SHA-256 digests. Deleting a row ends that login everywhere: logout,
a password change or reset, the profile's "sign out this device" and an
administrator's "sign out everywhere" all delete rows.

A session ends after `idle` without a request or at `expires_at` (the login
plus the plain-session lifetime, or plus the remember lifetime). A remembered
login whose session went idle is restored by its remember token, which is then
rotated (a stolen copy of the old one stops working).

No request here: the caller passes the cookies' values, the clock and the
user agent.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from booking.auth.models import User, hash_token, manages_something
from booking.db import utcnow
from booking.extensions import db

# A session's last use is written at most this often (a write per request would be waste).
TOUCH_INTERVAL = timedelta(seconds=60)
USER_AGENT_SUMMARY_LENGTH = 60


class UserSession(db.Model):
    """A signed-in device (one login), listed on the profile."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(String(USER_AGENT_SUMMARY_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    @property
    def is_remembered(self) -> bool:
        return self.remember_hash is not None


@dataclass(frozen=True)
class Lifetimes:
    """How long sessions live (from the configuration)."""

    idle: timedelta
    absolute: timedelta
    remember: timedelta


@dataclass(frozen=True)
class SignIn:
    """A login's secrets, to put in cookies; shown once, stored hashed."""

    row: UserSession
    session_id: str
    remember_token: str | None


# --- User agent -------------------------------------------------------------

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def summarize_user_agent(user_agent: str | None) -> str:
    """ "Firefox, Linux": enough to recognise a device, without keeping the whole header."""
    text = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in text), "")
    system = next((name for marker, name in _SYSTEMS if marker in text), "")
    summary = ", ".join(part for part in (browser, system) if part)
    if not summary:
        # An unknown client: its first word, printable characters only.
        summary = re.sub(r"[^\w./ -]", "", text.split(" ", 1)[0])
    return summary[:USER_AGENT_SUMMARY_LENGTH]


# --- Starting, checking and ending sessions ---------------------------------


def _purge_expired(user_id: int, now: datetime, lifetimes: Lifetimes) -> None:
    """Rows no cookie can use any more (bounded: one user's rows)."""
    idle_cutoff = now - lifetimes.idle
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user_id,
            (UserSession.expires_at <= now)
            | (UserSession.remember_hash.is_(None) & (UserSession.last_used_at <= idle_cutoff)),
        )
    )


def start_session(
    user: User,
    *,
    remember: bool,
    lifetimes: Lifetimes,
    user_agent: str | None,
    now: datetime | None = None,
) -> SignIn:
    """A new signed-in device for this user (at login)."""
    now = now or utcnow()
    _purge_expired(user.id, now, lifetimes)
    remember = remember and lifetimes.remember > timedelta(0)
    session_id = secrets.token_urlsafe(32)
    remember_token = secrets.token_urlsafe(32) if remember else None
    row = UserSession(
        user_id=user.id,
        session_hash=hash_token(session_id),
        remember_hash=hash_token(remember_token) if remember_token else None,
        user_agent=summarize_user_agent(user_agent),
        created_at=now,
        last_used_at=now,
        expires_at=now + (lifetimes.remember if remember else lifetimes.absolute),
    )
    db.session.add(row)
    db.session.flush()
    return SignIn(row, session_id, remember_token)


@dataclass(frozen=True)
class Found:
    user: User
    row: UserSession
    touched: bool  # the last use was written: the caller commits


def find_session(
    user_id: int, session_id: str, *, lifetimes: Lifetimes, now: datetime | None = None
) -> Found | None:
    """The active user behind a live session id, with its manager flag, in one query."""
    now = now or utcnow()
    result = db.session.execute(
        select(User, manages_something(User.id), UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.session_hash == hash_token(session_id))
    ).first()
    if result is None:
        return None
    user, manages, row = result
    if not user.is_active or now >= row.expires_at or now - row.last_used_at > lifetimes.idle:
        return None
    vars(user)["_is_manager"] = bool(manages)  # as `user_with_flags` does
    touched = now - row.last_used_at >= TOUCH_INTERVAL
    if touched:
        row.last_used_at = now
        db.session.flush()
    return Found(user, row, touched)


def restore_session(
    remember_token: str, *, user_agent: str | None = None, now: datetime | None = None
) -> SignIn | None:
    """A new session from a live remember token; both secrets are rotated."""
    now = now or utcnow()
    row = db.session.scalar(
        select(UserSession).where(UserSession.remember_hash == hash_token(remember_token))
    )
    if row is None or now >= row.expires_at:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    session_id = secrets.token_urlsafe(32)
    new_token = secrets.token_urlsafe(32)
    row.session_hash = hash_token(session_id)
    row.remember_hash = hash_token(new_token)
    row.last_used_at = now
    if user_agent:
        row.user_agent = summarize_user_agent(user_agent)
    db.session.flush()
    return SignIn(row, session_id, new_token)


def end_session(session_id: str) -> None:
    """Log out one device (its session and its remember token)."""
    db.session.execute(
        delete(UserSession).where(UserSession.session_hash == hash_token(session_id))
    )


def end_sessions(user: User, *, keep_session_id: str | None = None) -> int:
    """Sign a user out everywhere (but the current device, when given). Returns the count."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_session_id:
        stmt = stmt.where(UserSession.session_hash != hash_token(keep_session_id))
    return db.session.execute(stmt).rowcount or 0


def end_device(user: User, device_id: int) -> bool:
    """The profile's "sign out this device": only one of the user's own rows."""
    result = db.session.execute(
        delete(UserSession).where(UserSession.id == device_id, UserSession.user_id == user.id)
    )
    return bool(result.rowcount)


def devices_of(
    user: User, *, lifetimes: Lifetimes, now: datetime | None = None
) -> list[UserSession]:
    """The user's live logins, the most recently used first."""
    now = now or utcnow()
    idle_cutoff = now - lifetimes.idle
    stmt = (
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.expires_at > now,
            UserSession.remember_hash.is_not(None) | (UserSession.last_used_at > idle_cutoff),
        )
        .order_by(UserSession.last_used_at.desc(), UserSession.id.desc())
    )
    return list(db.session.scalars(stmt))


def is_current(row: UserSession, session_id: str | None) -> bool:
    return bool(session_id) and row.session_hash == hash_token(session_id)

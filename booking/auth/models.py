"""People and the associations they act for."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    ColumnElement,
    Enum,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from booking.db import utcnow
from booking.extensions import db

if TYPE_CHECKING:
    from booking.resources.models import Resource, Site


def hash_token(token: str) -> str:
    """Tokens (feed, invitation) are stored as SHA-256 digests, never in clear."""
    return hashlib.sha256(token.encode()).hexdigest()


class MembershipRole(enum.StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None]
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    is_admin: Mapped[bool] = mapped_column(default=False)
    notify_reminders: Mapped[bool] = mapped_column(default=True)
    notify_comments: Mapped[bool] = mapped_column(default=True)
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # The manager tables belong to the resources layer; named by string, not imported.
    managed_resources: Mapped[list[Resource]] = relationship(
        secondary="resource_manager", viewonly=True
    )
    managed_sites: Mapped[list[Site]] = relationship(secondary="site_manager", viewonly=True)

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    # Flask-Login reads `is_active`; our column has a clearer name.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.is_active_account

    def set_password(self, password: str) -> None:
        """Hash with werkzeug's default (scrypt); tests choose a cheaper method in config."""
        method = current_app.config.get("PASSWORD_HASH_METHOD") if has_app_context() else None
        if method:
            self.password_hash = generate_password_hash(password, method=method)
        else:
            self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def new_feed_token(self) -> str:
        """Make a new private-feed token (the old one stops working) and return it once."""
        token = secrets.token_urlsafe(32)
        self.feed_token_hash = hash_token(token)
        return token

    def revoke_feed_token(self) -> None:
        self.feed_token_hash = None

    @property
    def associations(self) -> list[Association]:
        return [m.association for m in self.memberships if m.association.is_active]

    @property
    def is_manager(self) -> bool:
        """Manages at least one resource or site.

        One EXISTS query (none when the user loader read it with the user), remembered
        until the user is expired: the menu of every page asks, and loading both lists
        of managed objects to answer cost two queries each time.
        """
        loaded = vars(self)
        if "managed_resources" in loaded and "managed_sites" in loaded:
            return bool(self.managed_resources or self.managed_sites)
        if _IS_MANAGER not in loaded:
            # Selected through `User` so that the session autoflushes first.
            flag = select(manages_something(User.id)).where(User.id == self.id)
            loaded[_IS_MANAGER] = bool(db.session.scalar(flag))
        return loaded[_IS_MANAGER]

    def is_member_of(self, association: Association | int) -> bool:
        assoc_id = association if isinstance(association, int) else association.id
        return any(m.association_id == assoc_id for m in self.memberships)

    def is_association_admin(self, association: Association | int) -> bool:
        assoc_id = association if isinstance(association, int) else association.id
        return self.is_admin or any(
            m.association_id == assoc_id and m.role == MembershipRole.ADMIN
            for m in self.memberships
        )


_IS_MANAGER = "_is_manager"  # where `User.is_manager` is remembered, in the instance's dict


@event.listens_for(User, "expire")
def forget_is_manager(user: User | None, _attributes: object) -> None:
    if user is not None:  # None: the instance is already garbage collected
        vars(user).pop(_IS_MANAGER, None)


def manages_something(user_id: object) -> ColumnElement[bool]:
    """SQL: the user (an id, or `User.id` to correlate) manages a resource or a site.

    The manager tables belong to the resources layer: named, not imported.
    """
    tables = db.metadata.tables
    return or_(
        exists().where(tables["resource_manager"].c.user_id == user_id),
        exists().where(tables["site_manager"].c.user_id == user_id),
    )


def user_with_flags(user_id: int) -> User | None:
    """A user and whether they manage anything, read in one query (the signed-in user)."""
    row = db.session.execute(
        select(User, manages_something(User.id)).where(User.id == user_id)
    ).first()
    if row is None:
        return None
    user, manages = row
    vars(user)[_IS_MANAGER] = bool(manages)
    return user


class Association(db.Model):
    __tablename__ = "association"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    registration_number: Mapped[str | None] = mapped_column(String(20))  # RNA or SIRET
    contact_email: Mapped[str] = mapped_column(String(254))
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=False)  # validated by an administrator
    validated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="association", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Association {self.slug}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(
        ForeignKey("association.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[MembershipRole] = mapped_column(
        Enum(MembershipRole, native_enum=False, length=10, validate_strings=True),
        default=MembershipRole.MEMBER,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    # Joined: `User.associations` and membership checks read it for every membership.
    association: Mapped[Association] = relationship(back_populates="memberships", lazy="joined")


class Invitation(db.Model):
    """An association admin invites someone by email; the link lets them join."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(
        ForeignKey("association.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]

    association: Mapped[Association] = relationship()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))

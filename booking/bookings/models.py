"""Bookings, recurring series, requested equipment and comments."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.auth.models import Association, User, forget_is_manager
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Equipment, Resource, Site


class BookingState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    WAITLISTED = "waitlisted"  # open-lab seat requested while the session is full
    RELEASED = "released"  # approved, but nobody checked in by start + grace: the slot is free

    @property
    def is_active(self) -> bool:
        """Pending, approved or waiting: the booking still holds or asks for time."""
        return self in ACTIVE_STATES


# No booking lasts longer than this (the engine refuses longer requests, and so does the
# model on every insert or update). Window queries rely on it: a booking that overlaps
# [a, b) starts after a - MAX_BOOKING_SPAN, so the index scan on (resource_id, start_at)
# covers a few weeks instead of the resource's whole history ("work follows the window").
MAX_BOOKING_SPAN = timedelta(days=31)

ACTIVE_STATES = frozenset({BookingState.PENDING, BookingState.APPROVED, BookingState.WAITLISTED})

# Stored by value ("approved"), not by member name: the exclusion constraint below
# and any SQL reading the column compare with the lowercase values.
_state_type = Enum(
    BookingState,
    native_enum=False,
    length=12,
    validate_strings=True,
    values_callable=lambda states: [state.value for state in states],
)


class BookingSeries(db.Model):
    """A recurring request, stored once; each occurrence is a `Booking` row.

    `rule` is an RFC 5545 RRULE expanded in local time from `first_start_local`
    (naive Europe/Paris wall-clock time), so 18:00 stays 18:00 across clock changes.
    """

    __tablename__ = "booking_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: str(uuid.uuid4()))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="RESTRICT"))
    association_id: Mapped[int] = mapped_column(
        ForeignKey("association.id", ondelete="RESTRICT"), index=True
    )
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    rule: Mapped[str] = mapped_column(String(300))
    first_start_local: Mapped[datetime] = mapped_column(db.DateTime(timezone=False))
    duration_minutes: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    resource: Mapped[Resource] = relationship()
    association: Mapped[Association] = relationship()
    requester: Mapped[User | None] = relationship()
    bookings: Mapped[list[Booking]] = relationship(
        back_populates="series", order_by="Booking.start_at"
    )


class Booking(db.Model):
    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint("attendees >= 1", name="attendees_positive"),
        # Window queries: "bookings of these resources between two instants".
        Index("ix_booking_resource_window", "resource_id", "start_at", "end_at"),
        Index("ix_booking_association_start", "association_id", "start_at"),
        Index("ix_booking_state_created", "state", "created_at"),
        Index("ix_booking_series", "series_id", "start_at"),
        # Statistics (booking/stats/queries.py): every column their GROUP BYs read.
        Index(
            "ix_booking_stats",
            "resource_id",
            "state",
            "start_at",
            "end_at",
            "attendees",
            "association_id",
            "created_at",
            "decided_at",
            "checked_in_at",
            "cancelled_at",
        ),
        # "Is this resource taken?": the last approved exclusive booking to start before
        # an instant, read from the index alone (find a free room probes every resource).
        # PostgreSQL only: SQLite's planner never matches a bound parameter (`state = ?`)
        # against a partial index; there ix_booking_resource_window serves the probe.
        Index(
            "ix_booking_approved_window",
            "resource_id",
            "start_at",
            "end_at",
            postgresql_where=text("state = 'approved' AND exclusive"),
        ).ddl_if(dialect="postgresql"),
        # The invariant: two approved bookings of one exclusive resource never overlap.
        ExcludeConstraint(
            ("resource_id", "="),
            (text("tstzrange(start_at, end_at, '[)')"), "&&"),
            name="booking_no_overlap",
            using="gist",
            where=text("state = 'approved' AND exclusive"),
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: str(uuid.uuid4()))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="RESTRICT"))
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id", ondelete="RESTRICT"))
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("booking_series.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(Text)
    attendees: Mapped[int] = mapped_column(default=1)
    is_public: Mapped[bool] = mapped_column(default=False)
    state: Mapped[BookingState] = mapped_column(_state_type, default=BookingState.PENDING)
    # Copied from the resource kind at creation: whether this booking holds the whole
    # resource. The database's no-overlap constraint reads it.
    exclusive: Mapped[bool] = mapped_column(default=True)
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE
    reminder_sent_at: Mapped[datetime | None]  # the day-before reminder to the requester
    manager_reminder_sent_at: Mapped[datetime | None]  # the "still pending" nudge
    # Check-in (bookings/checkin.py), on resources that require it.
    checked_in_at: Mapped[datetime | None]
    checkin_reminder_sent_at: Mapped[datetime | None]  # the day-of "check in now" email
    # No ON DELETE (see the migration 6cff623ef9de): erasure clears it before deleting.
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    resource: Mapped[Resource] = relationship()
    association: Mapped[Association] = relationship()
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])
    series: Mapped[BookingSeries | None] = relationship(back_populates="bookings")
    equipment: Mapped[list[BookingEquipment]] = relationship(
        back_populates="booking", cascade="all, delete-orphan"
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="booking", order_by="Comment.created_at"
    )

    def __repr__(self) -> str:
        return f"<Booking #{self.id} {self.state} {self.start_at:%Y-%m-%d %H:%M}Z>"

    def overlaps(self, start_at: datetime, end_at: datetime) -> bool:
        """Half-open intervals: touching ends are not overlaps."""
        return self.start_at < end_at and start_at < self.end_at

    # Permissions live next to the data.
    def can_view(self, user: User | None) -> bool:
        if user is None or not user.is_authenticated:
            return False
        return user.is_admin or user.is_member_of(self.association_id) or self._approver(user)

    def can_decide(self, user: User | None) -> bool:
        return self._approver(user)

    def _approver(self, user: User | None) -> bool:
        """`Resource.can_approve`, without loading the resource's and its site's managers
        for someone who manages nothing at all (most people)."""
        if user is None or not user.is_authenticated:
            return False
        if not user.is_admin and not user.is_manager:
            return False
        return self.resource.can_approve(user)

    def can_cancel(self, user: User | None) -> bool:
        if user is None or not user.is_authenticated:
            return False
        if self.state not in (BookingState.PENDING, BookingState.APPROVED, BookingState.WAITLISTED):
            return False
        return user.is_member_of(self.association_id) or self._approver(user)

    def can_change(self, user: User | None) -> bool:
        """Whether the user may move a request or an approved booking (not yet started: the
        engine says so in words)."""
        if user is None or not user.is_authenticated:
            return False
        if self.state not in (BookingState.PENDING, BookingState.APPROVED):
            return False
        return user.is_member_of(self.association_id) or self._approver(user)

    def can_check_in(self, user: User | None) -> bool:
        """Who may check in, by the resource's `checkin_by`: the association's members and
        the managers ("members"), or the managers only ("managers")."""
        if user is None or not user.is_authenticated:
            return False
        if self._approver(user):
            return True
        return self.resource.checkin_by == "members" and user.is_member_of(self.association_id)

    def can_comment(self, user: User | None) -> bool:
        return self.can_view(user)


class BookingEquipment(db.Model):
    """Equipment asked for with a booking, with quantities."""

    __tablename__ = "booking_equipment"
    __table_args__ = (
        UniqueConstraint("booking_id", "equipment_id"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("booking.id", ondelete="CASCADE"))
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(default=1)

    booking: Mapped[Booking] = relationship(back_populates="equipment")
    equipment: Mapped[Equipment] = relationship(lazy="joined")


class Comment(db.Model):
    """A message on a booking between its association and the managers."""

    __tablename__ = "booking_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    booking: Mapped[Booking] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()


# The exclusion constraint needs btree_gist for the `resource_id WITH =` part.
event.listen(
    db.metadata,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)


@event.listens_for(Booking, "before_insert")
@event.listens_for(Booking, "before_update")
def _span_is_bounded(_mapper, _connection, booking: Booking) -> None:
    """The window queries' lower bound (MAX_BOOKING_SPAN) holds for every stored booking."""
    if booking.end_at - booking.start_at > MAX_BOOKING_SPAN:
        raise ValueError(f"a booking lasts at most {MAX_BOOKING_SPAN.days} days")


def _managers_changed(_target: object, user: User, _initiator: object) -> None:
    """A user made (or no longer) a manager in Python, not yet flushed, is known as such at
    once: forget the `User.is_manager` it may remember, which `Booking._approver` trusts."""
    forget_is_manager(user, None)


for _managers in (Resource.managers, Site.managers):
    event.listen(_managers, "append", _managers_changed)
    event.listen(_managers, "remove", _managers_changed)

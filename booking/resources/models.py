"""Places and what can be booked in them."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    Enum,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.auth.models import Association, User
from booking.db import utcnow
from booking.extensions import db


class ResourceKind(enum.StrEnum):
    VISIO_ROOM = "visio_room"
    ROOM = "room"
    MACHINE = "machine"
    OPEN_LAB = "open_lab"

    @property
    def is_exclusive(self) -> bool:
        """Rooms and machines go to one booking at a time; open-lab sessions have seats."""
        return self is not ResourceKind.OPEN_LAB


site_managers = Table(
    "site_manager",
    db.metadata,
    Column("site_id", ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)

resource_managers = Table(
    "resource_manager",
    db.metadata,
    Column("resource_id", ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# Associations whose requests for a resource are approved on arrival.
trusted_associations = Table(
    "resource_trusted_association",
    db.metadata,
    Column("resource_id", ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True),
    Column("association_id", ForeignKey("association.id", ondelete="CASCADE"), primary_key=True),
)


class CheckinBy(enum.StrEnum):
    """Who may check in for a booking of a resource that requires it."""

    MEMBERS = "members"  # any member of the booking's association, and the managers
    MANAGERS = "managers"  # the resource's (and its site's) managers only


class Site(db.Model):
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(300), default="")
    neighbourhood: Mapped[str] = mapped_column(String(120), default="", index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    transport: Mapped[str | None] = mapped_column(String(300))  # public transport hint
    is_wheelchair_accessible: Mapped[bool] = mapped_column(default=False)
    accessibility_notes: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    # What the national open-data schema of places of digital inclusion asks for
    # (booking/stats/mediation.py): the operator's SIRET or RNA number, the commune and
    # its codes, the website, and `|`-separated values from the schema's vocabularies.
    pivot: Mapped[str | None] = mapped_column(String(14))
    city: Mapped[str] = mapped_column(String(120), default="Brest", server_default="Brest")
    postcode: Mapped[str | None] = mapped_column(String(5))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    website: Mapped[str | None] = mapped_column(String(300))
    services: Mapped[str | None] = mapped_column(String(600))
    fees: Mapped[str | None] = mapped_column(String(100))
    access_modes: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resources: Mapped[list[Resource]] = relationship(
        back_populates="site", order_by="Resource.name"
    )
    managers: Mapped[list[User]] = relationship(secondary=site_managers)
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        primaryjoin="and_(OpeningHours.site_id == Site.id, OpeningHours.resource_id.is_(None))",
        order_by="(OpeningHours.weekday, OpeningHours.opens_at)",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<Site {self.slug}>"

    def is_managed_by(self, user: User | None) -> bool:
        if user is None or not user.is_authenticated:
            return False
        return user.is_admin or any(m.id == user.id for m in self.managers)


class Training(db.Model):
    """A qualification some machines require (e.g. laser cutter safety)."""

    __tablename__ = "training"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    validity_months: Mapped[int | None]
    # How to obtain it, said to people who lack it on the booking form.
    contact: Mapped[str | None] = mapped_column(String(300))  # who to ask: a name, an email...
    next_session_on: Mapped[date | None]  # the next training day, when one is planned


class UserTraining(db.Model):
    __tablename__ = "user_training"
    __table_args__ = (UniqueConstraint("user_id", "training_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id", ondelete="CASCADE"))
    obtained_on: Mapped[date]
    expires_on: Mapped[date | None]  # None: does not expire
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    training: Mapped[Training] = relationship()

    def is_valid_on(self, day: date) -> bool:
        return self.obtained_on <= day and (self.expires_on is None or day <= self.expires_on)


class Resource(db.Model):
    __tablename__ = "resource"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("max_seats_per_person >= 1", name="max_seats_per_person_positive"),
        CheckConstraint("min_duration_minutes >= 1", name="min_duration_positive"),
        CheckConstraint("max_duration_minutes >= min_duration_minutes", name="duration_range"),
        CheckConstraint("slot_step_minutes >= 1", name="slot_step_positive"),
        CheckConstraint(
            "checkin_grace_minutes >= 0 AND checkin_grace_minutes <= 240",
            name="checkin_grace_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ResourceKind] = mapped_column(
        Enum(ResourceKind, native_enum=False, length=20, validate_strings=True)
    )
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    photo_path: Mapped[str | None] = mapped_column(String(300))  # under static/
    photo_alt: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int] = mapped_column(default=1)  # people, or seats of an open-lab session
    is_bookable: Mapped[bool] = mapped_column(default=True)
    is_wheelchair_accessible: Mapped[bool | None]  # None: same as the site
    # Booking policy
    requires_approval: Mapped[bool] = mapped_column(default=True)
    min_duration_minutes: Mapped[int] = mapped_column(default=30)
    max_duration_minutes: Mapped[int] = mapped_column(default=240)
    slot_step_minutes: Mapped[int] = mapped_column(default=30)
    fixed_slots: Mapped[bool] = mapped_column(default=False)  # machines: slots of exactly one step
    horizon_days: Mapped[int] = mapped_column(default=180)  # how far ahead it may be booked
    min_notice_minutes: Mapped[int] = mapped_column(default=120)
    required_training_id: Mapped[int | None] = mapped_column(
        ForeignKey("training.id", ondelete="SET NULL")
    )
    # Open-lab sessions: how many seats one person may hold in one session.
    max_seats_per_person: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    # Check-in (booking/bookings/checkin.py): an approved booking nobody checked in for
    # by its start + grace is released, and its slot offered to whoever waits.
    checkin_required: Mapped[bool] = mapped_column(default=False, server_default=false())
    checkin_grace_minutes: Mapped[int] = mapped_column(default=15, server_default=text("15"))
    checkin_by: Mapped[CheckinBy] = mapped_column(
        Enum(
            CheckinBy,
            native_enum=False,
            length=12,
            validate_strings=True,
            values_callable=lambda values: [v.value for v in values],
        ),
        default=CheckinBy.MEMBERS,
        server_default=CheckinBy.MEMBERS.value,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Raised by database triggers when anything its calendars show changes
    # (booking/resources/versions.py): what grids and feeds validate and cache on.
    calendar_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    calendar_changed_at: Mapped[datetime | None]

    site: Mapped[Site] = relationship(back_populates="resources")
    required_training: Mapped[Training | None] = relationship()
    equipment: Mapped[list[ResourceEquipment]] = relationship(
        back_populates="resource", cascade="all, delete-orphan"
    )
    managers: Mapped[list[User]] = relationship(secondary=resource_managers)
    trusted_associations: Mapped[list[Association]] = relationship(secondary=trusted_associations)
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="resource",
        order_by="(OpeningHours.weekday, OpeningHours.opens_at)",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Resource {self.slug}>"

    @property
    def is_exclusive(self) -> bool:
        return self.kind.is_exclusive

    @property
    def wheelchair_accessible(self) -> bool:
        if self.is_wheelchair_accessible is None:
            return self.site.is_wheelchair_accessible
        return self.is_wheelchair_accessible

    def can_approve(self, user: User | None) -> bool:
        """Managers of the resource or of its site, and administrators, decide on requests."""
        if user is None or not user.is_authenticated:
            return False
        if user.is_admin:
            return True
        return any(m.id == user.id for m in self.managers) or self.site.is_managed_by(user)

    can_manage = can_approve

    def is_trusted(self, association: Association) -> bool:
        return any(a.id == association.id for a in self.trusted_associations)

    def trusts(self, association: Association) -> ColumnElement[bool]:
        """`is_trusted` as an SQL expression, to read with another statement."""
        return (
            select(trusted_associations.c.resource_id)
            .where(
                trusted_associations.c.resource_id == self.id,
                trusted_associations.c.association_id == association.id,
            )
            .exists()
        )

    @property
    def has_opening_hours(self) -> bool:
        """Whether the resource has hours (its own or its site's): without, nobody can book it."""
        return bool(self.opening_hours) or bool(self.site.opening_hours)

    def effective_opening_hours(self) -> list[OpeningHours]:
        """The resource's own hours when it has any, else its site's."""
        return list(self.opening_hours) or list(self.site.opening_hours)


class Equipment(db.Model):
    """An item of the catalogue: visio kit, screen, camera, laser cutter bed..."""

    __tablename__ = "equipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)  # French, the default
    name_en: Mapped[str | None] = mapped_column(String(120))  # English; None: the French name
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    category: Mapped[str] = mapped_column(String(60), default="")

    def name_in(self, locale: str) -> str:
        """The name in a language: the English one when asked for and given, else French."""
        return self.name_en if self.name_en and locale.startswith("en") else self.name


class ResourceEquipment(db.Model):
    __tablename__ = "resource_equipment"
    __table_args__ = (
        UniqueConstraint("resource_id", "equipment_id"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        Index("ix_resource_equipment_equipment", "equipment_id", "resource_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    equipment_id: Mapped[int] = mapped_column(ForeignKey("equipment.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(default=1)

    resource: Mapped[Resource] = relationship(back_populates="equipment")
    equipment: Mapped[Equipment] = relationship(lazy="joined")


class OpeningHours(db.Model):
    """One opening range on a weekday (0 = Monday), in local wall-clock time."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opens"),
        CheckConstraint("(site_id IS NULL) <> (resource_id IS NULL)", name="site_or_resource"),
        Index("ix_opening_hours_owner", "resource_id", "site_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    weekday: Mapped[int]
    opens_at: Mapped[time]
    closes_at: Mapped[time]

    resource: Mapped[Resource | None] = relationship(back_populates="opening_hours")


class Closure(db.Model):
    """A dated closed period of a site or a resource (holiday, maintenance, city event)."""

    __tablename__ = "closure"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint("(site_id IS NULL) <> (resource_id IS NULL)", name="site_or_resource"),
        Index("ix_closure_resource_window", "resource_id", "start_at", "end_at"),
        Index("ix_closure_site_window", "site_id", "start_at", "end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    label: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual, import, block
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site | None] = relationship()
    resource: Mapped[Resource | None] = relationship()


class Quota(db.Model):
    """Optional cap on the hours an association may hold on a resource."""

    __tablename__ = "quota"
    __table_args__ = (UniqueConstraint("resource_id", "association_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("association.id", ondelete="CASCADE"))
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    hours_per_month: Mapped[float | None] = mapped_column(Float)

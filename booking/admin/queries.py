"""Read-side queries of the administration: who manages what, and the searchable,
paginated lists. Nothing here changes data."""

from __future__ import annotations

from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from booking.audit import AuditEvent
from booking.auth.models import Association, Membership, User
from booking.bookings.models import Booking, BookingSeries
from booking.db import utcnow
from booking.extensions import db
from booking.paging import page_size
from booking.resources.models import (
    Closure,
    Equipment,
    OpeningHours,
    Resource,
    ResourceKind,
    Site,
    Training,
    UserTraining,
    resource_managers,
    site_managers,
)


def _contains(column, query: str):
    escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def paginate(stmt: Select, page: int, per_page: int | None = None) -> Pagination:
    """One page of a list; `per_page` defaults to the PAGE_SIZE setting."""
    return db.paginate(
        stmt, page=max(page, 1), per_page=per_page or page_size(), error_out=False, count=True
    )


def can_administer(user: User | None) -> bool:
    """May open the administration at all: administrators and managers."""
    return bool(user and user.is_authenticated and (user.is_admin or user.is_manager))


def managed_site_ids(user: User) -> Select:
    return select(site_managers.c.site_id).where(site_managers.c.user_id == user.id)


def manageable_resources(user: User) -> Select:
    """The resources a user manages (all of them for an administrator)."""
    stmt = select(Resource)
    if user.is_admin:
        return stmt
    own = select(resource_managers.c.resource_id).where(resource_managers.c.user_id == user.id)
    return stmt.where(or_(Resource.id.in_(own), Resource.site_id.in_(managed_site_ids(user))))


def manageable_sites(user: User) -> Select:
    stmt = select(Site)
    if user.is_admin:
        return stmt
    return stmt.where(Site.id.in_(managed_site_ids(user)))


def sites_with_manageable_resources(user: User) -> list[tuple[int, str]]:
    """(id, name) of the places where the user manages something: the resource list's filter."""
    site_ids = manageable_resources(user).with_only_columns(Resource.site_id)
    stmt = select(Site.id, Site.name).where(Site.id.in_(site_ids)).order_by(Site.name)
    return [(row.id, row.name) for row in db.session.execute(stmt)]


def search_sites(user: User, query: str = "", page: int = 1) -> Pagination:
    stmt = manageable_sites(user).options(selectinload(Site.resources))
    if query.strip():
        stmt = stmt.where(
            or_(
                _contains(Site.name, query),
                _contains(Site.slug, query),
                _contains(Site.neighbourhood, query),
                _contains(Site.address, query),
            )
        )
    return paginate(stmt.order_by(Site.name, Site.id), page)


def search_resources(
    user: User,
    query: str = "",
    *,
    site_id: int | None = None,
    kind: str | None = None,
    page: int = 1,
) -> Pagination:
    stmt = manageable_resources(user).options(selectinload(Resource.site))
    if query.strip():
        stmt = stmt.where(or_(_contains(Resource.name, query), _contains(Resource.slug, query)))
    if site_id:
        stmt = stmt.where(Resource.site_id == site_id)
    if kind in {k.value for k in ResourceKind}:
        stmt = stmt.where(Resource.kind == ResourceKind(kind))
    return paginate(stmt.order_by(Resource.name, Resource.id), page)


def resource_has_bookings(resource: Resource) -> bool:
    """Bookings or series refer to it: its history must be kept."""
    return bool(
        db.session.scalar(
            select(
                exists().where(Booking.resource_id == resource.id)
                | exists().where(BookingSeries.resource_id == resource.id)
            )
        )
    )


def search_equipment(query: str = "", page: int = 1) -> Pagination:
    stmt = select(Equipment)
    if query.strip():
        stmt = stmt.where(
            or_(
                _contains(Equipment.name, query),
                _contains(Equipment.slug, query),
                _contains(Equipment.category, query),
            )
        )
    return paginate(stmt.order_by(Equipment.category, Equipment.name), page)


def opening_hours_of(*, site: Site | None = None, resource: Resource | None = None) -> list:
    stmt = select(OpeningHours).order_by(OpeningHours.weekday, OpeningHours.opens_at)
    if resource is not None:
        stmt = stmt.where(OpeningHours.resource_id == resource.id)
    else:
        stmt = stmt.where(OpeningHours.site_id == site.id, OpeningHours.resource_id.is_(None))
    return list(db.session.scalars(stmt))


def search_closures(
    user: User, query: str = "", *, past: bool = False, page: int = 1, now: datetime | None = None
) -> Pagination:
    """Closures of what the user manages, including those of a whole place where one of
    their resources is (they close it too): upcoming (and current) first, or past ones."""
    now = now or utcnow()
    stmt = select(Closure).options(selectinload(Closure.site), selectinload(Closure.resource))
    if not user.is_admin:
        own = manageable_resources(user)
        stmt = stmt.where(
            or_(
                Closure.resource_id.in_(own.with_only_columns(Resource.id)),
                Closure.site_id.in_(own.with_only_columns(Resource.site_id)),
            )
        )
    if query.strip():
        stmt = stmt.where(_contains(Closure.label, query))
    if past:
        stmt = stmt.where(Closure.end_at < now).order_by(Closure.start_at.desc(), Closure.id)
    else:
        stmt = stmt.where(Closure.end_at >= now).order_by(Closure.start_at, Closure.id)
    return paginate(stmt, page)


def grantable_trainings(user: User) -> Select:
    """Trainings a user may grant: all for an administrator; for a manager, those their
    resources require (makerspace managers train the people using their machines)."""
    stmt = select(Training)
    if user.is_admin:
        return stmt
    required = (
        manageable_resources(user)
        .with_only_columns(Resource.required_training_id)
        .where(Resource.required_training_id.is_not(None))
    )
    return stmt.where(Training.id.in_(required))


def may_grant_training(user: User, training: Training) -> bool:
    stmt = grantable_trainings(user).where(Training.id == training.id)
    return db.session.scalar(select(exists(stmt))) or False


def list_trainings(user: User, page: int = 1, query: str = "") -> Pagination:
    stmt = grantable_trainings(user)
    if query.strip():
        stmt = stmt.where(_contains(Training.name, query))
    return paginate(stmt.order_by(Training.name), page)


def training_holders(training: Training) -> list[UserTraining]:
    stmt = (
        select(UserTraining)
        .join(User, User.id == UserTraining.user_id)
        .where(UserTraining.training_id == training.id)
        .options(selectinload(UserTraining.user))
        .order_by(User.display_name, User.id)
    )
    return list(db.session.scalars(stmt))


ASSOCIATION_STATES = ("pending", "active", "inactive")


def search_associations(query: str = "", state: str = "", page: int = 1) -> Pagination:
    stmt = select(Association).options(selectinload(Association.memberships))
    if query.strip():
        stmt = stmt.where(
            or_(
                _contains(Association.name, query),
                _contains(Association.contact_email, query),
                _contains(Association.slug, query),
            )
        )
    if state == "pending":
        stmt = stmt.where(Association.validated_at.is_(None), Association.is_active.is_(False))
    elif state == "active":
        stmt = stmt.where(Association.is_active.is_(True))
    elif state == "inactive":
        stmt = stmt.where(Association.validated_at.is_not(None), Association.is_active.is_(False))
    return paginate(stmt.order_by(Association.name, Association.id), page)


def association_state(association: Association) -> str:
    """pending (never validated), active, or inactive (validated once, now deactivated)."""
    if association.is_active:
        return "active"
    return "pending" if association.validated_at is None else "inactive"


def association_members(association: Association) -> list[Membership]:
    stmt = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.association_id == association.id)
        .options(selectinload(Membership.user))
        .order_by(User.display_name, User.id)
    )
    return list(db.session.scalars(stmt))


def search_users(query: str = "", role: str = "", page: int = 1) -> Pagination:
    stmt = select(User).options(
        selectinload(User.managed_resources), selectinload(User.managed_sites)
    )
    if query.strip():
        stmt = stmt.where(or_(_contains(User.email, query), _contains(User.display_name, query)))
    if role == "admin":
        stmt = stmt.where(User.is_admin.is_(True))
    elif role == "manager":
        stmt = stmt.where(
            or_(
                User.id.in_(select(resource_managers.c.user_id)),
                User.id.in_(select(site_managers.c.user_id)),
            )
        )
    elif role == "inactive":
        stmt = stmt.where(User.is_active_account.is_(False))
    return paginate(stmt.order_by(User.display_name, User.id), page)


def dashboard_counts(user: User, *, now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()

    def count(stmt: Select) -> int:
        return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    counts = {
        "resources": count(manageable_resources(user)),
        "sites": count(manageable_sites(user)),
        "closures": search_closures(user, now=now).total or 0,
    }
    if user.is_admin:
        counts["pending_associations"] = count(
            select(Association.id).where(
                Association.validated_at.is_(None), Association.is_active.is_(False)
            )
        )
        counts["users"] = count(select(User.id))
    return counts


def history(
    object_type: str, object_id: int, limit: int = 20
) -> list[tuple[AuditEvent, User | None]]:
    """The latest audit events of an object, newest first, with who made them."""
    stmt = (
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, actor) for event, actor in db.session.execute(stmt)]

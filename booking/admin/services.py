"""Administration rules: sites, resources and their rules, equipment, opening hours,
closures, trainings, associations and users.

Administrators manage everything. Managers (of a resource or of a site) manage
only their own resources: rules, equipment, opening hours and closures, and
record who holds the trainings their machines require. Every change is recorded
in the audit trail with the acting user. Services flush, never commit; the view
commits once. Read-side lists and "who manages what" live in `queries.py`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TypeVar

from flask_babel import lazy_gettext as _
from sqlalchemy import exists, func, select

from booking.admin.queries import association_state, may_grant_training, resource_has_bookings
from booking.audit import record
from booking.auth.models import Association, User
from booking.auth.user_sessions import end_sessions
from booking.bookings.models import BookingEquipment
from booking.db import utcnow
from booking.extensions import db
from booking.resources.mediation import ACCESS_MODES, FEES, SERVICES, join_values
from booking.resources.models import (
    CheckinBy,
    Closure,
    Equipment,
    OpeningHours,
    Resource,
    ResourceEquipment,
    ResourceKind,
    Site,
    Training,
    UserTraining,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class AdminError(Exception):
    """A refused administrative change, with a translatable message and the form field it concerns.

    The message is lazy: it is translated when shown, in the reader's language.
    """

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(message)
        self._message = message
        self.field = field

    @property
    def message(self) -> str:
        return str(self._message)

    def __str__(self) -> str:
        return self.message


class AdminForbiddenError(AdminError):
    """The acting user may not make this change."""


def _require(allowed: bool) -> None:
    if not allowed:
        raise AdminForbiddenError(_("You are not allowed to make this change."))


T = TypeVar("T")


def _changes(obj: object, values: dict) -> list[str]:
    """Set attributes, returning the names of those whose value changed."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _save(actor: User, object_type: str, model: type[T], item: T | None, values: dict) -> T:
    """Create `model(**values)`, or apply `values` to `item`; audit either way."""
    if item is None:
        item = model(**values)
        db.session.add(item)
        db.session.flush()
        record(object_type, item.id, "created", actor_id=actor.id)
        return item
    changed = _changes(item, values)
    if changed:
        db.session.flush()
        record(object_type, item.id, "updated", actor_id=actor.id, reason=", ".join(changed))
    return item


def slugify(text: str) -> str:
    """A URL slug from a name: "Salle Éole 2" -> "salle-eole-2"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:200]


def _check_slug(model: type, slug: str, current_id: int | None) -> str:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise AdminError(
            _("Use only lowercase letters, digits and single hyphens, like salle-du-port."),
            "slug",
        )
    clash = db.session.scalar(select(model.id).where(model.slug == slug))
    if clash is not None and clash != current_id:
        raise AdminError(_("This short name is already used: choose another one."), "slug")
    return slug


# --- Who manages what ---------------------------------------------------------------


# --- Sites ---------------------------------------------------------------------------

SITE_FIELDS = (
    "name",
    "description",
    "address",
    "neighbourhood",
    "latitude",
    "longitude",
    "transport",
    "is_wheelchair_accessible",
    "accessibility_notes",
    "contact_email",
    "contact_phone",
    "website",
    "pivot",
    "city",
    "postcode",
    "insee_code",
    "services",
    "fees",
    "access_modes",
)
# Open-data fields holding `|`-separated values of the national schema's vocabularies.
SITE_VOCABULARIES = {"services": SERVICES, "fees": FEES, "access_modes": ACCESS_MODES}


def _check_coordinates(values: dict) -> None:
    lat, lon = values.get("latitude"), values.get("longitude")
    if (lat is None) != (lon is None):
        field = "longitude" if lon is None else "latitude"
        raise AdminError(_("Give both latitude and longitude, or neither."), field)
    if lat is not None and not -90 <= lat <= 90:
        raise AdminError(_("Latitude is between -90 and 90."), "latitude")
    if lon is not None and not -180 <= lon <= 180:
        raise AdminError(_("Longitude is between -180 and 180."), "longitude")


def save_site(actor: User, site: Site | None, values: dict) -> Site:
    """Create (administrators) or edit (administrators, the site's managers) a site."""
    _require(actor.is_admin if site is None else site.is_managed_by(actor))
    values = {k: v for k, v in values.items() if k in (*SITE_FIELDS, "slug")}
    if not (values.get("name") or "").strip():
        raise AdminError(_("Give the place a name."), "name")
    slug = values.pop("slug", None) or slugify(values["name"])
    values["slug"] = _check_slug(Site, slug, site.id if site else None)
    _check_coordinates(values)
    for name, vocabulary in SITE_VOCABULARIES.items():
        if name in values and not isinstance(values[name], str | None):
            values[name] = join_values(values[name], vocabulary)
    if "city" in values and not (values["city"] or "").strip():
        values["city"] = "Brest"
    return _save(actor, "site", Site, site, values)


def delete_site(actor: User, site: Site) -> None:
    """Delete an empty site; a site that still has resources is kept."""
    _require(actor.is_admin)
    if site.resources:
        raise AdminError(
            _("This place still has resources: move or delete them before deleting the place.")
        )
    record("site", site.id, "deleted", actor_id=actor.id, reason=site.name)
    db.session.delete(site)
    db.session.flush()


# --- Resources -----------------------------------------------------------------------

RESOURCE_FIELDS = (
    "site_id",
    "kind",
    "name",
    "description",
    "capacity",
    "is_bookable",
    "requires_approval",
    "min_duration_minutes",
    "max_duration_minutes",
    "slot_step_minutes",
    "fixed_slots",
    "horizon_days",
    "min_notice_minutes",
    "required_training_id",
    "max_seats_per_person",
    "checkin_required",
    "checkin_grace_minutes",
    "checkin_by",
)


def _check_rules(values: dict) -> None:
    positive = {
        "capacity": _("The capacity is at least 1."),
        "min_duration_minutes": _("The minimum length is at least 1 minute."),
        "max_duration_minutes": _("The maximum length is at least 1 minute."),
        "slot_step_minutes": _("The slot step is at least 1 minute."),
        "horizon_days": _("Bookings must be possible at least 1 day ahead."),
    }
    for name, message in positive.items():
        value = values.get(name)
        if value is None or value < 1:
            raise AdminError(message, name)
    if values.get("max_seats_per_person") is None:  # left empty: one seat each
        values["max_seats_per_person"] = 1
    if values["max_seats_per_person"] < 1:
        raise AdminError(_("At least 1 seat per person."), "max_seats_per_person")
    notice = values.get("min_notice_minutes")
    if notice is None or notice < 0:
        raise AdminError(_("The minimum notice cannot be negative."), "min_notice_minutes")
    _check_checkin(values)
    if values["min_duration_minutes"] > values["max_duration_minutes"]:
        raise AdminError(
            _("The maximum length must be at least the minimum length."), "max_duration_minutes"
        )


def _check_checkin(values: dict) -> None:
    """Check-in settings: a grace of 0 to 240 minutes, and who may check in."""
    grace = values.get("checkin_grace_minutes")
    if grace is None:
        values["checkin_grace_minutes"] = grace = 15
    if not 0 <= grace <= 240:
        raise AdminError(
            _("The grace period is between 0 and 240 minutes."), "checkin_grace_minutes"
        )
    who = values.get("checkin_by") or CheckinBy.MEMBERS.value
    if who not in {c.value for c in CheckinBy}:
        raise AdminError(_("Choose who may check in."), "checkin_by")
    values["checkin_by"] = CheckinBy(who)


def save_resource(
    actor: User,
    resource: Resource | None,
    values: dict,
    *,
    trusted_ids: Iterable[int] = (),
    manager_ids: Iterable[int] | None = None,
) -> Resource:
    """Create (administrators) or edit (its managers) a resource and its booking rules.

    Only administrators change a resource's site or its managers (`manager_ids`
    None keeps them as they are).
    """
    _require(actor.is_admin if resource is None else resource.can_manage(actor))
    values = {k: v for k, v in values.items() if k in (*RESOURCE_FIELDS, "slug")}
    if not actor.is_admin:
        values.pop("site_id", None)
        manager_ids = None
    if not (values.get("name") or "").strip():
        raise AdminError(_("Give the resource a name."), "name")
    if "site_id" in values and db.session.get(Site, values["site_id"] or 0) is None:
        raise AdminError(_("Choose a place."), "site_id")
    if values.get("required_training_id") == 0:
        values["required_training_id"] = None
    if values.get("required_training_id") is not None and (
        db.session.get(Training, values["required_training_id"]) is None
    ):
        raise AdminError(_("Choose a training from the list."), "required_training_id")
    values["kind"] = ResourceKind(values["kind"])
    slug = values.pop("slug", None) or slugify(values["name"])
    values["slug"] = _check_slug(Resource, slug, resource.id if resource else None)
    _check_rules(values)
    trusted = _by_ids(Association, trusted_ids)
    managers = _by_ids(User, manager_ids) if manager_ids is not None else None

    if resource is None:
        resource = Resource(**values)
        resource.trusted_associations = trusted
        resource.managers = managers or []
        db.session.add(resource)
        db.session.flush()
        record("resource", resource.id, "created", actor_id=actor.id)
        return resource
    changed = _changes(resource, values)
    if {a.id for a in resource.trusted_associations} != {a.id for a in trusted}:
        resource.trusted_associations = trusted
        changed.append("trusted_associations")
    if managers is not None and {u.id for u in resource.managers} != {u.id for u in managers}:
        resource.managers = managers
        changed.append("managers")
    if changed:
        db.session.flush()
        record("resource", resource.id, "updated", actor_id=actor.id, reason=", ".join(changed))
    return resource


def _by_ids(model: type, ids: Iterable[int]) -> list:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(wanted))))


def delete_resource(actor: User, resource: Resource) -> bool:
    """Delete a resource never booked; one with bookings is made non-bookable instead.

    Returns True when the resource was deleted.
    """
    _require(actor.is_admin)
    if resource_has_bookings(resource):
        if resource.is_bookable:
            resource.is_bookable = False
            record(
                "resource",
                resource.id,
                "withdrawn",
                actor_id=actor.id,
                reason="has bookings",
            )
            db.session.flush()
        return False
    record("resource", resource.id, "deleted", actor_id=actor.id, reason=resource.name)
    db.session.delete(resource)
    db.session.flush()
    return True


# --- Equipment -----------------------------------------------------------------------


def save_equipment(actor: User, item: Equipment | None, values: dict) -> Equipment:
    _require(actor.is_admin)
    name = (values.get("name") or "").strip()
    if not name:
        raise AdminError(_("Give the equipment a name."), "name")
    clash = db.session.scalar(
        select(Equipment.id).where(func.lower(Equipment.name) == name.lower())
    )
    if clash is not None and (item is None or clash != item.id):
        raise AdminError(_("This equipment is already in the catalogue."), "name")
    slug = _check_slug(Equipment, values.get("slug") or slugify(name), item.id if item else None)
    data = {
        "name": name,
        "name_en": (values.get("name_en") or "").strip() or None,
        "slug": slug,
        "category": (values.get("category") or "").strip(),
    }
    return _save(actor, "equipment", Equipment, item, data)


def delete_equipment(actor: User, item: Equipment) -> None:
    """Remove an item from the catalogue, unless a resource or a booking uses it."""
    _require(actor.is_admin)
    used = db.session.scalar(
        select(
            exists().where(ResourceEquipment.equipment_id == item.id)
            | exists().where(BookingEquipment.equipment_id == item.id)
        )
    )
    if used:
        raise AdminError(_("This equipment is used by resources or bookings: it is kept."))
    record("equipment", item.id, "deleted", actor_id=actor.id, reason=item.name)
    db.session.delete(item)
    db.session.flush()


def set_resource_equipment(
    actor: User, resource: Resource, equipment: Equipment, quantity: int
) -> ResourceEquipment:
    """Add an item to a resource, or change its quantity."""
    _require(resource.can_manage(actor))
    if quantity is None or quantity < 1:
        raise AdminError(_("The quantity is at least 1."), "quantity")
    line = next((e for e in resource.equipment if e.equipment_id == equipment.id), None)
    if line is None:
        line = ResourceEquipment(resource=resource, equipment=equipment, quantity=quantity)
        db.session.add(line)
    else:
        line.quantity = quantity
    db.session.flush()
    record(
        "resource",
        resource.id,
        "equipment_set",
        actor_id=actor.id,
        reason=f"{equipment.name} × {quantity}",
    )
    return line


def set_equipment_lines(
    actor: User, resource: Resource, lines: Iterable[tuple[int, int | None]]
) -> None:
    """Make the resource's equipment exactly `lines` ((equipment id, quantity); no quantity
    means 1): items left out are removed, the others added or their quantity changed."""
    _require(resource.can_manage(actor))
    wanted: dict[int, int] = {}
    for equipment_id, quantity in lines:
        if equipment_id in wanted:
            raise AdminError(_("Each item of equipment goes on one line only."), "equipment")
        wanted[equipment_id] = 1 if quantity is None else quantity
    items = {e.id: e for e in _by_ids(Equipment, list(wanted))}
    if set(items) != set(wanted):
        raise AdminError(_("Choose equipment from the list."), "equipment")
    for line in list(resource.equipment):
        if line.equipment_id not in wanted:
            remove_resource_equipment(actor, line)
    current = {line.equipment_id: line.quantity for line in resource.equipment}
    for equipment_id, quantity in wanted.items():
        if current.get(equipment_id) != quantity:
            set_resource_equipment(actor, resource, items[equipment_id], quantity)


def remove_resource_equipment(actor: User, line: ResourceEquipment) -> None:
    resource = line.resource
    _require(resource.can_manage(actor))
    record(
        "resource", resource.id, "equipment_removed", actor_id=actor.id, reason=line.equipment.name
    )
    resource.equipment.remove(line)
    db.session.flush()


# --- Opening hours -------------------------------------------------------------------


def _owner_may_manage(actor: User, site: Site | None, resource: Resource | None) -> bool:
    return resource.can_manage(actor) if resource is not None else site.is_managed_by(actor)


def add_opening_hours(
    actor: User,
    *,
    weekday: int,
    opens_at: time,
    closes_at: time,
    site: Site | None = None,
    resource: Resource | None = None,
) -> OpeningHours:
    """Add an opening range to a site or a resource; inverted or overlapping ranges are refused."""
    if (site is None) == (resource is None):
        raise ValueError("opening hours belong to a site or a resource")
    _require(_owner_may_manage(actor, site, resource))
    if weekday not in range(7):
        raise AdminError(_("Choose a day of the week."), "weekday")
    if closes_at <= opens_at:
        raise AdminError(_("The closing time must be after the opening time."), "closes_at")
    stmt = select(OpeningHours).where(OpeningHours.weekday == weekday)
    if resource is not None:
        stmt = stmt.where(OpeningHours.resource_id == resource.id)
    else:
        stmt = stmt.where(OpeningHours.site_id == site.id, OpeningHours.resource_id.is_(None))
    for other in db.session.scalars(stmt):
        if opens_at < other.closes_at and other.opens_at < closes_at:
            raise AdminError(
                _(
                    "This range overlaps the range %(opens)s–%(closes)s of the same day.",
                    opens=other.opens_at.strftime("%H:%M"),
                    closes=other.closes_at.strftime("%H:%M"),
                ),
                "opens_at",
            )
    hours = OpeningHours(
        site_id=site.id if resource is None else None,
        resource_id=resource.id if resource is not None else None,
        weekday=weekday,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    db.session.add(hours)
    db.session.flush()
    owner_type, owner_id = ("resource", resource.id) if resource else ("site", site.id)
    record(
        owner_type,
        owner_id,
        "hours_added",
        actor_id=actor.id,
        reason=f"{weekday}: {opens_at:%H:%M}-{closes_at:%H:%M}",
    )
    if resource is not None:
        db.session.refresh(resource, ["opening_hours"])
    return hours


def set_weekly_hours(
    actor: User,
    week: list[list[tuple[time, time]]],
    *,
    site: Site | None = None,
    resource: Resource | None = None,
) -> None:
    """Replace all the opening ranges of a site or a resource by `week` (seven lists of
    (opens, closes), Monday first): the whole week set in one form, all or nothing."""
    if (site is None) == (resource is None) or len(week) != 7:
        raise ValueError("seven days of opening hours for a site or a resource")
    _require(_owner_may_manage(actor, site, resource))
    stmt = select(OpeningHours)
    if resource is not None:
        stmt = stmt.where(OpeningHours.resource_id == resource.id)
    else:
        stmt = stmt.where(OpeningHours.site_id == site.id, OpeningHours.resource_id.is_(None))
    for old in db.session.scalars(stmt):
        delete_opening_hours(actor, old)
    for weekday, ranges in enumerate(week):
        for opens_at, closes_at in sorted(ranges):
            add_opening_hours(
                actor,
                weekday=weekday,
                opens_at=opens_at,
                closes_at=closes_at,
                site=site,
                resource=resource,
            )
    if resource is not None:
        db.session.refresh(resource, ["opening_hours"])


def delete_opening_hours(actor: User, hours: OpeningHours) -> None:
    site = db.session.get(Site, hours.site_id) if hours.site_id else None
    resource = hours.resource
    _require(_owner_may_manage(actor, site, resource))
    owner_type, owner_id = ("resource", resource.id) if resource else ("site", site.id)
    record(
        owner_type,
        owner_id,
        "hours_removed",
        actor_id=actor.id,
        reason=f"{hours.weekday}: {hours.opens_at:%H:%M}-{hours.closes_at:%H:%M}",
    )
    db.session.delete(hours)
    db.session.flush()


# --- Closures ------------------------------------------------------------------------


def add_closure(
    actor: User,
    *,
    label: str,
    start_at: datetime,
    end_at: datetime,
    site: Site | None = None,
    resource: Resource | None = None,
) -> Closure:
    """Close a site or a resource for a period (UTC instants)."""
    if (site is None) == (resource is None):
        raise AdminError(_("Choose the place or the resource to close."), "target")
    _require(_owner_may_manage(actor, site, resource))
    label = (label or "").strip()
    if not label:
        raise AdminError(_("Say why it is closed, for example “Public holiday”."), "label")
    if end_at <= start_at:
        raise AdminError(_("The end must be after the start."), "end_at")
    closure = Closure(
        site_id=site.id if site else None,
        resource_id=resource.id if resource else None,
        label=label,
        start_at=start_at,
        end_at=end_at,
        source="manual",
        created_by_id=actor.id,
    )
    db.session.add(closure)
    db.session.flush()
    record("closure", closure.id, "created", actor_id=actor.id, reason=label)
    return closure


def closure_may_be_managed(actor: User, closure: Closure) -> bool:
    return _owner_may_manage(actor, closure.site, closure.resource)


def delete_closure(actor: User, closure: Closure) -> None:
    _require(closure_may_be_managed(actor, closure))
    record("closure", closure.id, "deleted", actor_id=actor.id, reason=closure.label)
    db.session.delete(closure)
    db.session.flush()


# --- Trainings -----------------------------------------------------------------------


def save_training(actor: User, training: Training | None, values: dict) -> Training:
    _require(actor.is_admin)
    name = (values.get("name") or "").strip()
    if not name:
        raise AdminError(_("Give the training a name."), "name")
    clash = db.session.scalar(select(Training.id).where(func.lower(Training.name) == name.lower()))
    if clash is not None and (training is None or clash != training.id):
        raise AdminError(_("A training already has this name."), "name")
    months = values.get("validity_months")
    if months is not None and months < 1:
        raise AdminError(_("The validity is at least 1 month, or empty."), "validity_months")
    data = {
        "name": name,
        "description": (values.get("description") or "").strip() or None,
        "validity_months": months,
        "contact": (values.get("contact") or "").strip() or None,
        "next_session_on": values.get("next_session_on"),
    }
    return _save(actor, "training", Training, training, data)


def grant_training(
    actor: User,
    training: Training,
    user: User,
    obtained_on: date,
    expires_on: date | None = None,
) -> UserTraining:
    """Record that a user holds a training (renewing it when already held)."""
    _require(may_grant_training(actor, training))
    if expires_on is not None and expires_on < obtained_on:
        raise AdminError(_("The expiry date cannot be before the date obtained."), "expires_on")
    held = db.session.scalar(
        select(UserTraining).where(
            UserTraining.user_id == user.id, UserTraining.training_id == training.id
        )
    )
    if held is None:
        held = UserTraining(user_id=user.id, training_id=training.id)
        db.session.add(held)
    held.obtained_on = obtained_on
    held.expires_on = expires_on
    held.granted_by_id = actor.id
    db.session.flush()
    record(
        "training",
        training.id,
        "granted",
        actor_id=actor.id,
        reason=f"{user.email} {obtained_on.isoformat()}–{expires_on.isoformat() if expires_on else ''}",
    )
    return held


def revoke_training(actor: User, held: UserTraining) -> None:
    _require(may_grant_training(actor, held.training))
    record("training", held.training_id, "revoked", actor_id=actor.id, reason=held.user.email)
    db.session.delete(held)
    db.session.flush()


# --- Associations --------------------------------------------------------------------


def _set_association_state(
    actor: User,
    association: Association,
    action: str,
    *,
    active: bool,
    reason: str | None,
    validated_at: datetime | None = None,
) -> None:
    before = association_state(association)
    association.is_active = active
    if association.validated_at is None:
        association.validated_at = validated_at or utcnow()
    after = association_state(association)
    db.session.flush()
    record(
        "association",
        association.id,
        action,
        actor_id=actor.id,
        from_state=before,
        to_state=after,
        reason=reason,
    )


def validate_association(
    actor: User, association: Association, *, now: datetime | None = None
) -> None:
    """An administrator accepts a newly declared association: its members may book."""
    _require(actor.is_admin)
    if association_state(association) != "pending":
        raise AdminError(_("This association is not waiting for validation."))
    _set_association_state(
        actor, association, "validated", active=True, reason=None, validated_at=now
    )


def deactivate_association(actor: User, association: Association, reason: str = "") -> None:
    _require(actor.is_admin)
    if not association.is_active:
        raise AdminError(_("This association is already inactive."))
    _set_association_state(
        actor, association, "deactivated", active=False, reason=reason.strip() or None
    )


def reactivate_association(actor: User, association: Association) -> None:
    _require(actor.is_admin)
    if association_state(association) != "inactive":
        raise AdminError(_("Only a deactivated association can be reactivated."))
    _set_association_state(actor, association, "reactivated", active=True, reason=None)


def update_association_contact(actor: User, association: Association, values: dict) -> None:
    _require(actor.is_admin)
    data = {
        "name": (values.get("name") or "").strip(),
        "contact_email": (values.get("contact_email") or "").strip(),
        "registration_number": (values.get("registration_number") or "").strip() or None,
        "description": (values.get("description") or "").strip() or None,
    }
    if not data["name"]:
        raise AdminError(_("Give the association a name."), "name")
    if not data["contact_email"]:
        raise AdminError(_("Give a contact email address."), "contact_email")
    changed = _changes(association, data)
    if changed:
        db.session.flush()
        record(
            "association", association.id, "updated", actor_id=actor.id, reason=", ".join(changed)
        )


# --- Users ---------------------------------------------------------------------------


@dataclass
class UserRoles:
    is_admin: bool
    is_active: bool
    resource_ids: list[int]
    site_ids: list[int]


def update_user_roles(actor: User, user: User, roles: UserRoles) -> list[str]:
    """Set a user's administrator role, account state and managed resources and sites.

    An administrator cannot remove their own role nor deactivate themselves, so
    that the service never loses its last way in by mistake. Returns what changed.
    """
    _require(actor.is_admin)
    if user.id == actor.id and not roles.is_admin:
        raise AdminError(_("You cannot remove your own administrator role."), "is_admin")
    if user.id == actor.id and not roles.is_active:
        raise AdminError(_("You cannot deactivate your own account."), "is_active")
    changed = []
    if user.is_admin != roles.is_admin:
        user.is_admin = roles.is_admin
        changed.append("is_admin")
        record(
            "user",
            user.id,
            "admin_granted" if roles.is_admin else "admin_removed",
            actor_id=actor.id,
        )
    if user.is_active_account != roles.is_active:
        user.is_active_account = roles.is_active
        changed.append("is_active")
        record(
            "user",
            user.id,
            "activated" if roles.is_active else "deactivated",
            actor_id=actor.id,
        )
    changed += _set_managed(actor, user, Resource, roles.resource_ids, "resources")
    changed += _set_managed(actor, user, Site, roles.site_ids, "sites")
    db.session.flush()
    db.session.expire(user, ["managed_resources", "managed_sites"])
    return changed


def sign_out_everywhere(actor: User, user: User) -> int:
    """End every signed-in device of a user (a stolen laptop, a shared computer).

    Their password still works; returns how many devices were signed out.
    """
    _require(actor.is_admin)
    count = end_sessions(user)
    record("user", user.id, "signed_out", actor_id=actor.id, reason=str(count))
    db.session.flush()
    return count


def _set_managed(actor: User, user: User, model: type, ids: Iterable[int], what: str) -> list[str]:
    wanted = {o.id: o for o in _by_ids(model, ids)}
    current = {
        o.id: o for o in (user.managed_resources if model is Resource else user.managed_sites)
    }
    added = [wanted[i] for i in wanted.keys() - current.keys()]
    removed = [current[i] for i in current.keys() - wanted.keys()]
    for obj in added:
        obj.managers.append(user)
    for obj in removed:
        obj.managers.remove(user)
    object_type = "resource" if model is Resource else "site"
    for obj in added:
        record(object_type, obj.id, "manager_added", actor_id=actor.id, reason=user.email)
    for obj in removed:
        record(object_type, obj.id, "manager_removed", actor_id=actor.id, reason=user.email)
    return [f"managed_{what}"] if added or removed else []


# --- Dashboard -----------------------------------------------------------------------

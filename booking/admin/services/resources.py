"""Resource rules: create and edit a resource with its booking rules, delete or retire it."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _

from booking.admin.queries import resource_has_bookings
from booking.admin.services.common import (
    AdminError,
    by_ids,
    check_slug,
    field_changes,
    require,
    slugify,
)
from booking.audit import record
from booking.auth.models import Association, User
from booking.extensions import db
from booking.resources.models import CheckinBy, Resource, ResourceKind, Site, Training

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
    require(actor.is_admin if resource is None else resource.can_manage(actor))
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
    values["slug"] = check_slug(Resource, slug, resource.id if resource else None)
    _check_rules(values)
    trusted = by_ids(Association, trusted_ids)
    managers = by_ids(User, manager_ids) if manager_ids is not None else None

    if resource is None:
        resource = Resource(**values)
        resource.trusted_associations = trusted
        resource.managers = managers or []
        db.session.add(resource)
        db.session.flush()
        record("resource", resource.id, "created", actor_id=actor.id)
        return resource
    changed = field_changes(resource, values)
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


def delete_resource(actor: User, resource: Resource) -> bool:
    """Delete a resource never booked; one with bookings is made non-bookable instead.

    Returns True when the resource was deleted.
    """
    require(actor.is_admin)
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

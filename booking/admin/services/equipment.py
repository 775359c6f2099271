"""Equipment rules: the catalogue of equipment and the lines lending it to resources."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _
from sqlalchemy import exists, func, select

from booking.admin.services.common import (
    AdminError,
    by_ids,
    check_slug,
    require,
    save_audited,
    slugify,
)
from booking.audit import record
from booking.auth.models import User
from booking.bookings.models import BookingEquipment
from booking.extensions import db
from booking.resources.models import Equipment, Resource, ResourceEquipment


def save_equipment(actor: User, item: Equipment | None, values: dict) -> Equipment:
    require(actor.is_admin)
    name = (values.get("name") or "").strip()
    if not name:
        raise AdminError(_("Give the equipment a name."), "name")
    clash = db.session.scalar(
        select(Equipment.id).where(func.lower(Equipment.name) == name.lower())
    )
    if clash is not None and (item is None or clash != item.id):
        raise AdminError(_("This equipment is already in the catalogue."), "name")
    slug = check_slug(Equipment, values.get("slug") or slugify(name), item.id if item else None)
    data = {
        "name": name,
        "name_en": (values.get("name_en") or "").strip() or None,
        "slug": slug,
        "category": (values.get("category") or "").strip(),
    }
    return save_audited(actor, "equipment", Equipment, item, data)


def delete_equipment(actor: User, item: Equipment) -> None:
    """Remove an item from the catalogue, unless a resource or a booking uses it."""
    require(actor.is_admin)
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
    require(resource.can_manage(actor))
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
    require(resource.can_manage(actor))
    wanted: dict[int, int] = {}
    for equipment_id, quantity in lines:
        if equipment_id in wanted:
            raise AdminError(_("Each item of equipment goes on one line only."), "equipment")
        wanted[equipment_id] = 1 if quantity is None else quantity
    items = {e.id: e for e in by_ids(Equipment, list(wanted))}
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
    require(resource.can_manage(actor))
    record(
        "resource", resource.id, "equipment_removed", actor_id=actor.id, reason=line.equipment.name
    )
    resource.equipment.remove(line)
    db.session.flush()

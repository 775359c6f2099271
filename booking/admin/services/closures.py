"""Closure rules: close a site or a resource for a period, and reopen it."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _

from booking.admin.services.common import AdminError, owner_may_manage, require
from booking.audit import record
from booking.auth.models import User
from booking.extensions import db
from booking.resources.models import Closure, Resource, Site


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
    require(owner_may_manage(actor, site, resource))
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
    return owner_may_manage(actor, closure.site, closure.resource)


def delete_closure(actor: User, closure: Closure) -> None:
    require(closure_may_be_managed(actor, closure))
    record("closure", closure.id, "deleted", actor_id=actor.id, reason=closure.label)
    db.session.delete(closure)
    db.session.flush()

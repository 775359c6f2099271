"""User rules: roles, managed sites and resources, signing a user out everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _

from booking.admin.services.common import AdminError, by_ids, require
from booking.audit import record
from booking.auth.models import User
from booking.auth.user_sessions import end_sessions
from booking.extensions import db
from booking.resources.models import Resource, Site


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
    require(actor.is_admin)
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
    require(actor.is_admin)
    count = end_sessions(user)
    record("user", user.id, "signed_out", actor_id=actor.id, reason=str(count))
    db.session.flush()
    return count


def _set_managed(actor: User, user: User, model: type, ids: Iterable[int], what: str) -> list[str]:
    wanted = {o.id: o for o in by_ids(model, ids)}
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

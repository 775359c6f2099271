"""Association rules: validate, deactivate and reactivate an association, edit its contact."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _

from booking.admin.queries import association_state
from booking.admin.services.common import AdminError, field_changes, require
from booking.audit import record
from booking.auth.models import Association, User
from booking.db import utcnow
from booking.extensions import db


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
    require(actor.is_admin)
    if association_state(association) != "pending":
        raise AdminError(_("This association is not waiting for validation."))
    _set_association_state(
        actor, association, "validated", active=True, reason=None, validated_at=now
    )


def deactivate_association(actor: User, association: Association, reason: str = "") -> None:
    require(actor.is_admin)
    if not association.is_active:
        raise AdminError(_("This association is already inactive."))
    _set_association_state(
        actor, association, "deactivated", active=False, reason=reason.strip() or None
    )


def reactivate_association(actor: User, association: Association) -> None:
    require(actor.is_admin)
    if association_state(association) != "inactive":
        raise AdminError(_("Only a deactivated association can be reactivated."))
    _set_association_state(actor, association, "reactivated", active=True, reason=None)


def update_association_contact(actor: User, association: Association, values: dict) -> None:
    require(actor.is_admin)
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
    changed = field_changes(association, data)
    if changed:
        db.session.flush()
        record(
            "association", association.id, "updated", actor_id=actor.id, reason=", ".join(changed)
        )

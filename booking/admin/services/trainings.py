"""Training rules: the trainings machines require, and who holds them."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _
from sqlalchemy import func, select

from booking.admin.queries import may_grant_training
from booking.admin.services.common import AdminError, require, save_audited
from booking.audit import record
from booking.auth.models import User
from booking.extensions import db
from booking.resources.models import Training, UserTraining


def save_training(actor: User, training: Training | None, values: dict) -> Training:
    require(actor.is_admin)
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
    return save_audited(actor, "training", Training, training, data)


def grant_training(
    actor: User,
    training: Training,
    user: User,
    obtained_on: date,
    expires_on: date | None = None,
) -> UserTraining:
    """Record that a user holds a training (renewing it when already held)."""
    require(may_grant_training(actor, training))
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
    require(may_grant_training(actor, held.training))
    record("training", held.training_id, "revoked", actor_id=actor.id, reason=held.user.email)
    db.session.delete(held)
    db.session.flush()

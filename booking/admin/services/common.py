"""What every administration rule shares: the domain errors, the permission check,
slugs, and saving an object with its changes recorded in the audit trail."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

from flask_babel import lazy_gettext as _
from sqlalchemy import select

from booking.audit import record
from booking.auth.models import User
from booking.extensions import db
from booking.resources.models import Resource, Site

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


def require(allowed: bool) -> None:
    if not allowed:
        raise AdminForbiddenError(_("You are not allowed to make this change."))


T = TypeVar("T")


def field_changes(obj: object, values: dict) -> list[str]:
    """Set attributes, returning the names of those whose value changed."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def save_audited(actor: User, object_type: str, model: type[T], item: T | None, values: dict) -> T:
    """Create `model(**values)`, or apply `values` to `item`; audit either way."""
    if item is None:
        item = model(**values)
        db.session.add(item)
        db.session.flush()
        record(object_type, item.id, "created", actor_id=actor.id)
        return item
    changed = field_changes(item, values)
    if changed:
        db.session.flush()
        record(object_type, item.id, "updated", actor_id=actor.id, reason=", ".join(changed))
    return item


def slugify(text: str) -> str:
    """A URL slug from a name: "Salle Éole 2" -> "salle-eole-2"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:200]


def check_slug(model: type, slug: str, current_id: int | None) -> str:
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


def by_ids(model: type, ids: Iterable[int]) -> list:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(wanted))))


def owner_may_manage(actor: User, site: Site | None, resource: Resource | None) -> bool:
    return resource.can_manage(actor) if resource is not None else site.is_managed_by(actor)

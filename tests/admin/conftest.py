"""Fixtures of the administration tests: an administrator, a manager and their resources."""

from __future__ import annotations

import pytest

from booking.audit import trail
from tests import factories


@pytest.fixture
def admin(db):
    return factories.make_user("admin@example.org", name="Admin", is_admin=True, locale="en")


@pytest.fixture
def manager(db):
    return factories.make_user("gestion@example.org", name="Gestionnaire", locale="en")


@pytest.fixture
def own_resource(db, manager):
    """A resource the manager manages directly."""
    return factories.make_resource(name="Salle du port", slug="salle-du-port", managers=[manager])


@pytest.fixture
def other_resource(db):
    """A resource on another site, managed by someone else."""
    return factories.make_resource(
        name="Salle des autres", slug="salle-des-autres", managers=[factories.make_user()]
    )


def actions(object_type: str, object_id: int) -> list[tuple[str, int | None]]:
    """The audit trail of an object, as (action, actor id) pairs."""
    return [(e.action, e.actor_id) for e in trail(object_type, [object_id])]

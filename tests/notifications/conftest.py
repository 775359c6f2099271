from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from booking.auth.models import Association, User
from booking.resources.models import Resource
from tests import factories

# The manager's desk scene, for tests that run the engine's transitions end to end.
from tests.approvals.conftest import desk, request_for  # noqa: F401

START = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)  # Wednesday 18:00 in Brest
END = datetime(2026, 12, 2, 19, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class Scene:
    resource: Resource
    association: Association
    requester: User  # French
    room_manager: User  # English
    site_manager: User  # French
    other_member: User


@pytest.fixture
def scene(db) -> Scene:
    room_manager = factories.make_user("manager@example.org", name="Morgan", locale="en")
    site_manager = factories.make_user("site@example.org", name="Soizic", locale="fr")
    site = factories.make_site("Maison de quartier de Bellevue")
    site.managers.append(site_manager)
    resource = factories.make_resource(site, name="Salle Iroise", managers=[room_manager])
    association = factories.make_association("Les Amis du Vélo")
    association.contact_email = "contact@velo.example.org"
    requester = factories.make_user("requester@example.org", name="Rozenn", locale="fr")
    factories.add_member(requester, association)
    other = factories.make_user("other@example.org", name="Yann", locale="en")
    factories.add_member(other, association)
    return Scene(resource, association, requester, room_manager, site_manager, other)


@pytest.fixture
def pending(scene, make_booking):
    return make_booking(
        scene.resource,
        START,
        END,
        association=scene.association,
        state="pending",
        requester=scene.requester,
        title="Atelier réparation",
        purpose="Réparer des vélos",
        attendees=8,
        created_at=NOW,
    )

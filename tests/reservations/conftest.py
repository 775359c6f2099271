"""Scenery for the reservation pages: a room, a machine with fixed slots, an open-lab session.

The pages use the real clock, so dates are years ahead and resources have a long horizon.
"""

from __future__ import annotations

from datetime import datetime, time

import pytest

from booking.extensions import db as _db
from booking.resources.models import (
    Equipment,
    OpeningHours,
    ResourceEquipment,
    Training,
)
from booking.timeutil import to_utc
from tests import factories

FAR = 3650


def local(text: str) -> datetime:
    """'2030-03-05 14:00' (Europe/Paris) as a UTC instant."""
    return to_utc(datetime.fromisoformat(text))


@pytest.fixture
def site(db):
    return factories.make_site("Maison du Champ de Foire")


@pytest.fixture
def camera(db):
    item = Equipment(name="Camera", slug="camera")
    _db.session.add(item)
    return item


@pytest.fixture
def screen(db):
    item = Equipment(name="Screen", slug="screen")
    _db.session.add(item)
    return item


@pytest.fixture
def room(db, site, camera, screen):
    resource = factories.make_resource(
        site, name="Salle Iroise", slug="salle-iroise", capacity=10, horizon_days=FAR
    )
    resource.equipment.append(ResourceEquipment(equipment=camera, quantity=1))
    resource.equipment.append(ResourceEquipment(equipment=screen, quantity=2))
    _db.session.flush()
    return resource


@pytest.fixture
def training(db):
    item = Training(name="Laser safety", validity_months=None)
    _db.session.add(item)
    _db.session.flush()
    return item


@pytest.fixture
def machine(db, site, training):
    return factories.make_resource(
        site,
        kind="machine",
        name="Découpeuse laser",
        slug="laser",
        capacity=1,
        slot_step_minutes=60,
        min_duration_minutes=60,
        max_duration_minutes=60,
        fixed_slots=True,
        requires_approval=False,
        horizon_days=FAR,
        required_training_id=training.id,
    )


@pytest.fixture
def open_lab(db, site):
    resource = factories.make_resource(
        site,
        kind="open_lab",
        name="Atelier ouvert du jeudi",
        slug="atelier-jeudi",
        capacity=2,
        requires_approval=False,
        min_duration_minutes=60,
        max_duration_minutes=240,
        horizon_days=FAR,
    )
    resource.opening_hours.append(OpeningHours(weekday=3, opens_at=time(18), closes_at=time(21)))
    _db.session.flush()
    return resource


@pytest.fixture
def association(db):
    return factories.make_association("Les Amis du Vélo")


@pytest.fixture
def booker(db, association):
    """A member of one association, signed in by the tests that need it."""
    user = factories.make_user(name="Nolwenn", locale="en")
    factories.add_member(user, association)
    return user

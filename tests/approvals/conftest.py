"""The manager's desk scene: two rooms with their own managers on one site.

The views call the booking services with the real clock, so requests are
placed a fixed number of days after today, at fixed local hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest

from booking.auth.models import Association, User
from booking.resources.models import Resource
from booking.timeutil import local_datetime, local_today, to_utc
from tests import factories


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A UTC instant `days` after today, at a local wall-clock time."""
    return to_utc(local_datetime(local_today() + timedelta(days=days), time(hour, minute)))


@dataclass
class Desk:
    room_a: Resource
    room_b: Resource
    manager_a: User
    manager_b: User
    site_manager: User
    admin: User
    association: Association
    member: User
    rival: Association
    rival_member: User


@pytest.fixture
def desk(db) -> Desk:
    manager_a = factories.make_user("a@example.org", name="Anna", locale="fr")
    manager_b = factories.make_user("b@example.org", name="Bob", locale="en")
    site_manager = factories.make_user("site@example.org", name="Soazig")
    admin = factories.make_user("admin@example.org", name="Admin", is_admin=True)
    site = factories.make_site("Maison du Peuple")
    site.managers.append(site_manager)
    room_a = factories.make_resource(site, name="Salle Abers", managers=[manager_a])
    room_b = factories.make_resource(site, name="Salle Bretagne", managers=[manager_b])
    association = factories.make_association("Chorale du Port")
    association.contact_email = "chorale@example.org"
    member = factories.make_user("membre@example.org", name="Maël", locale="fr")
    factories.add_member(member, association)
    rival = factories.make_association("Club d'échecs")
    rival.contact_email = "echecs@example.org"
    rival_member = factories.make_user("joueur@example.org", name="Jo", locale="en")
    factories.add_member(rival_member, rival)
    return Desk(
        room_a,
        room_b,
        manager_a,
        manager_b,
        site_manager,
        admin,
        association,
        member,
        rival,
        rival_member,
    )


@pytest.fixture
def request_for(desk, make_booking):
    """A pending request of `association` (default: the choir) for a room."""

    def _request(resource=None, start=None, end=None, *, association=None, **fields):
        association = association or desk.association
        requester = desk.member if association is desk.association else desk.rival_member
        start = start or at(10, 18)
        return make_booking(
            resource or desk.room_a,
            start,
            end or start + timedelta(hours=2),
            association=association,
            requester=requester,
            state=fields.pop("state", "pending"),
            **fields,
        )

    return _request

"""Fixtures for the booking engine: a fixed clock and a room with its people."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest

from booking.auth.models import Association, User
from booking.bookings.rules import BookingRequest
from booking.resources.models import Resource
from booking.timeutil import to_utc
from tests import factories

# Sunday 1 March 2026, 12:00 in Brest: every test runs at this instant.
NOW = to_utc(datetime(2026, 3, 1, 12, 0))
TUESDAY = date(2026, 3, 3)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """The UTC instant of a Europe/Paris wall-clock time."""
    return to_utc(datetime.combine(day, time(hour, minute)))


@dataclass
class Scene:
    room: Resource
    association: Association
    member: User
    manager: User

    def request(self, day: date = TUESDAY, start=(14, 0), end=(16, 0), **fields) -> BookingRequest:
        fields.setdefault("title", "Assemblée générale")
        return BookingRequest(
            resource=fields.pop("resource", self.room),
            association=fields.pop("association", self.association),
            start_at=at(day, *start),
            end_at=at(day, *end),
            **fields,
        )


@pytest.fixture
def scene(db) -> Scene:
    manager = factories.make_user(name="Manager")
    room = factories.make_resource(name="Salle Jaurès", managers=[manager])
    association = factories.make_association("Les Amis du Vélo")
    member = factories.make_member(association)
    return Scene(room=room, association=association, member=member, manager=manager)


@contextmanager
def caught(signal) -> Iterator[list[dict]]:
    """The keyword arguments of every send of a signal inside the block."""
    received: list[dict] = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    signal.connect(listener)
    try:
        yield received
    finally:
        signal.disconnect(listener)

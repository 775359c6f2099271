"""A small known data set across the spring clock change of 2027 (Sunday 28 March).

Site "Bellevue": open every day 09:00-12:00 and 14:00-18:00 (7 h a day), closed on
Monday 29 March 14:00-18:00 (4 h). Room A follows the site's hours; room B has its own,
Sunday 01:00-04:00 only, which on 28 March lasts 2 h (02:00 becomes 03:00).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest

from booking.auth.models import Association, User
from booking.resources.models import Closure, OpeningHours, Resource, Site
from booking.stats.period import Period
from booking.timeutil import local_datetime, to_utc
from tests import factories

PERIOD = Period(date(2027, 3, 27), date(2027, 3, 29))  # Saturday to Monday


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return to_utc(local_datetime(date(2027, 3, day), time(hour, minute)))


@dataclass
class Scene:
    site: Site
    room_a: Resource
    room_b: Resource
    manager: User
    admin: User
    x: Association
    y: Association
    z: Association


@pytest.fixture
def scene(db) -> Scene:
    hours = {d: [(time(9), time(12)), (time(14), time(18))] for d in range(7)}
    site = factories.make_site(
        "Maison de quartier de Bellevue",
        hours=hours,
        neighbourhood="Bellevue",
        pivot="21290019500011",
        postcode="29200",
        insee_code="29019",
        contact_phone="02 98 00 80 80",
        services="Maîtrise des outils numériques du quotidien|Aide aux démarches administratives",
        fees="Gratuit",
        access_modes="Se présenter|Téléphoner",
        latitude=48.4022,
        longitude=-4.5033,
    )
    manager = factories.make_user("gestion@example.org", name="Morgane")
    admin = factories.make_user("admin@example.org", name="Admin", is_admin=True)
    room_a = factories.make_resource(site, name="Salle A", slug="salle-a", managers=[manager])
    room_b = factories.make_resource(site, name="Salle B", slug="salle-b", kind="room")
    db.session.add(
        OpeningHours(resource_id=room_b.id, weekday=6, opens_at=time(1), closes_at=time(4))
    )
    db.session.add(
        Closure(site_id=site.id, start_at=local(29, 14), end_at=local(29, 18), label="Travaux")
    )
    x, y, z = (factories.make_association(n) for n in ("Ar Vro", "Bro Brest", "Cyber Kerourien"))

    def book(room, start, end, state, assoc, *, delay_hours=None, **fields):
        created = start - timedelta(days=3)
        if delay_hours is not None:
            fields["decided_at"] = created + timedelta(hours=delay_hours)
        return factories.make_booking(
            room, start, end, state=state, association=assoc, created_at=created, **fields
        )

    # Room A
    book(room_a, local(26, 23), local(27, 1), "approved", x)  # 1 h inside the period
    book(room_a, local(27, 10), local(27, 12), "approved", x, attendees=5, delay_hours=1)
    book(room_a, local(28, 10), local(28, 11, 30), "approved", y, attendees=3, delay_hours=3)
    book(room_a, local(28, 15), local(28, 16), "cancelled", x, cancel_reason="Plus besoin")
    book(
        room_a,
        local(27, 10),
        local(27, 11),
        "refused",
        x,
        delay_hours=2,
        decision_reason="Salle réservée pour le conseil de quartier",
    )
    book(room_a, local(29, 10), local(29, 11), "expired", y)
    book(room_a, local(30, 10), local(30, 11), "approved", y)  # after the period
    # Room B: 01:00-04:00 on the night of the clock change is 2 real hours.
    book(room_b, local(28, 1), local(28, 4), "approved", z, attendees=2, delay_hours=5)
    db.session.flush()
    return Scene(site, room_a, room_b, manager, admin, x, y, z)

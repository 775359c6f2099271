"""A small town to look at: one site open 08:00–20:00 every day, two rooms, some bookings."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from booking.timeutil import local_datetime

DAY = date(2030, 6, 18)  # a Tuesday, far enough ahead to be bookable whatever today is
FAR = 3650  # days of horizon: DAY stays bookable for years


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return local_datetime(day, time(hh, mm)).astimezone(UTC)


@pytest.fixture
def english(client):
    """The client asks for English, so tests read the source strings."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def scene(db, make_site, make_resource, make_booking):
    hours = {d: [(time(8), time(20))] for d in range(7)}
    site = make_site("Maison du Port", hours=hours, neighbourhood="Recouvrance")
    other = make_site("Maison Haute", hours=hours, neighbourhood="Bellevue")
    first = make_resource(
        site, name="Salle Amarre", slug="salle-amarre", capacity=10, horizon_days=FAR
    )
    second = make_resource(
        site, name="Salle Bouée", slug="salle-bouee", capacity=4, horizon_days=FAR
    )
    far = make_resource(other, name="Salle Crête", slug="salle-crete", capacity=6, horizon_days=FAR)
    make_booking(first, at(DAY, 9), at(DAY, 10), title="Conseil secret")
    make_booking(first, at(DAY, 10), at(DAY, 11, 30), title="Atelier public", is_public=True)
    make_booking(second, at(DAY, 14), at(DAY, 15), title="Demande privée", state="pending")
    db.session.commit()
    return {"site": site, "other": other, "first": first, "second": second, "far": far}

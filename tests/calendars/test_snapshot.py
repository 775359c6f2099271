"""The exact text of small feeds, held in tests/calendars/snapshots/.

DTSTAMP is the booking's last change (not the time of the request), so with
fixed UIDs and change times the feed is the same bytes every time. After an
intended change of the output, regenerate with UPDATE_SNAPSHOTS=1 and review the diff.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from booking.extensions import db
from booking.timeutil import to_utc
from tests import factories

SNAPSHOTS = Path(__file__).parent / "snapshots"
CHANGED = datetime(2026, 9, 20, 8, 30, tzinfo=UTC)


def assert_snapshot(name: str, data: bytes) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_bytes(data)
    assert path.exists(), f"no snapshot {path}: run with UPDATE_SNAPSHOTS=1"
    assert data == path.read_bytes(), f"{name} differs from its snapshot"


@pytest.fixture
def scene(make_site, make_resource):
    site = make_site("Maison du Quartier de Bellevue", latitude=48.4005, longitude=-4.5012)
    site.slug = "mq-bellevue"
    site.address = "1 rue Sisley, 29200 Brest"
    room = make_resource(site, name="Salle Iroise", slug="salle-iroise")
    association = factories.make_association("Les Amis du Vélo")

    def booking(uid: str, start: datetime, minutes: int, **fields):
        return factories.make_booking(
            room,
            to_utc(start),
            to_utc(start) + timedelta(minutes=minutes),
            association=association,
            uid=uid,
            created_at=CHANGED - timedelta(days=3),
            updated_at=CHANGED,
            **fields,
        )

    booking(
        "6f1c0a52-0000-4000-8000-000000000001",
        datetime(2026, 10, 20, 18),
        120,
        title="Réunion, assemblée; générale",
        purpose="Ordre du jour :\nbilan 2026 🚲",
        is_public=True,
        sequence=2,
    )
    booking(
        "6f1c0a52-0000-4000-8000-000000000002",
        datetime(2026, 10, 27, 18),
        120,
        title="Bureau",
        purpose="Ne doit pas paraître",
    )
    booking(
        "6f1c0a52-0000-4000-8000-000000000003",
        datetime(2026, 11, 3, 9, 30),
        60,
        title="Atelier annulé",
        is_public=True,
        state="cancelled",
        cancelled_at=CHANGED,
        sequence=1,
    )
    db.session.commit()
    return room


def test_resource_feed_text_is_exactly_the_snapshot(client, now, scene):
    response = client.get("/feeds/resources/salle-iroise.ics", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert_snapshot("resource_salle-iroise.fr.ics", response.data)


def test_public_feed_text_is_exactly_the_snapshot(client, now, scene):
    response = client.get("/feeds/public.ics", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert_snapshot("public.en.ics", response.data)

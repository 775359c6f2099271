"""The statistics page and the open-data files read a fixed number of statements,
whatever the number of places, resources and bookings (no N+1)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from booking.extensions import db
from tests import factories
from tests.statements import recorded_statements, selects
from tests.stats.conftest import local

ARGS = {"period": "custom", "start": "2027-03-27", "end": "2027-03-29"}


def _add_places(count: int) -> None:
    for n in range(count):
        site = factories.make_site(hours={d: [(time(9), time(17))] for d in range(5)})
        for kind in ("visio_room", "machine"):
            room = factories.make_resource(site, kind=kind)
            start = local(27, 9) + timedelta(hours=n)
            factories.make_booking(room, start, start + timedelta(hours=1))


def _reads(client, path: str, **args) -> int:
    client.get(path, query_string=args)  # warm: the login, the session
    with recorded_statements() as statements:
        assert client.get(path, query_string=args).status_code == 200
    return len(selects(statements))


@pytest.mark.parametrize(
    "path",
    [
        "/stats/",
        "/stats/resources.csv",
        "/open-data/",
        "/open-data/lieux-mediation-numerique.csv",
        "/open-data/sites.geojson",
        "/open-data/resources.json",
        "/open-data/occupancy.csv",
    ],
)
def test_reads_do_not_grow_with_places_and_resources(scene, login, path):
    db.session.commit()
    client = login(scene.admin)
    before = _reads(client, path, **ARGS)
    _add_places(4)
    db.session.commit()
    assert _reads(client, path, **ARGS) == before

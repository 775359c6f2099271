"""Scenery for the API: two associations, a room managed by one manager, tokens.

The API uses the real clock, so dates are years ahead and the room's horizon is long.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from booking.api.tokens import create_token
from booking.extensions import db as _db
from booking.timeutil import to_utc
from tests import factories

FAR = 3650


def local(text: str) -> datetime:
    """'2030-03-05 14:00' (Europe/Paris) as a UTC instant."""
    return to_utc(datetime.fromisoformat(text))


@pytest.fixture
def manager(db):
    return factories.make_user(name="Gestionnaire")


@pytest.fixture
def site(db):
    return factories.make_site("Maison du Champ de Foire", neighbourhood="Centre")


@pytest.fixture
def room(db, site, manager):
    return factories.make_resource(
        site, name="Salle Iroise", slug="salle-iroise", horizon_days=FAR, managers=[manager]
    )


@pytest.fixture
def other_room(db):
    """A room in another place, managed by someone else."""
    return factories.make_resource(
        factories.make_site("Tyfab"), name="Salle Ouessant", slug="salle-ouessant", horizon_days=FAR
    )


@pytest.fixture
def assoc_a(db):
    return factories.make_association("Repair Café")


@pytest.fixture
def assoc_b(db):
    return factories.make_association("Club photo")


@pytest.fixture
def member_a(db, assoc_a):
    user = factories.make_user(name="Alice")
    factories.add_member(user, assoc_a)
    return user


@pytest.fixture
def member_b(db, assoc_b):
    user = factories.make_user(name="Bruno")
    factories.add_member(user, assoc_b)
    return user


@pytest.fixture
def bearer(db) -> Callable:
    """A token for `user` with `scopes`, as the headers that carry it (committed)."""

    def _bearer(user, *scopes: str, expires_at=None) -> dict[str, str]:
        made = create_token(
            user, "test", list(scopes or ("read",)), expires_at, now=datetime.now(UTC)
        )
        _db.session.commit()
        return {"Authorization": f"Bearer {made.secret}"}

    return _bearer


PUBLIC_IP = "93.184.215.14"  # a global unicast address (nothing is sent to it: see `opener`)


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """Names resolve without the network: `*.example` to a public address, unless mapped."""
    names: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host.endswith(".example"):
            address = names.get(host, PUBLIC_IP)
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.fixture
def opener(app):
    fake = FakeOpener()
    app.config["WEBHOOK_OPENER"] = fake
    yield fake
    app.config.pop("WEBHOOK_OPENER")


@pytest.fixture
def admin_a(db, assoc_a):
    user = factories.make_user(name="Présidente")
    factories.add_member(user, assoc_a, role="admin")
    return user


class FakeOpener:
    """Stands for urllib's urlopen: records requests, answers `status` (or raises)."""

    def __init__(self) -> None:
        self.requests: list = []
        self.fail = False

    def __call__(self, request, timeout):
        self.requests.append(request)
        if self.fail:
            raise OSError("connection refused")
        return self

    status = 204

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        return False

"""The door display's conditional refresh: a 304 costs one small read, no session, no cookie."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking.door import views
from booking.extensions import db
from booking.timeutil import to_utc
from tests import factories
from tests.statements import recorded_statements, selects

DAY = "2030-03-06"


def local(text: str) -> datetime:
    return to_utc(datetime.fromisoformat(text))


@pytest.fixture
def room(db):
    resource = factories.make_resource(name="Salle Iroise", slug="salle-iroise")
    factories.make_booking(resource, local(f"{DAY} 14:00"), local(f"{DAY} 15:30"))
    db.session.commit()
    return resource


@pytest.fixture
def clock(monkeypatch):
    moment = {"now": local(f"{DAY} 10:10:05")}
    monkeypatch.setattr(views, "utcnow", lambda: moment["now"])
    return moment


def test_same_minute_same_data_is_a_304_from_one_read(client, room, clock):
    first = client.get("/rooms/salle-iroise/door")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    clock["now"] += timedelta(seconds=30)
    with recorded_statements() as statements:
        again = client.get("/rooms/salle-iroise/door", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert len(selects(statements)) == 1
    assert "resource" in selects(statements)[0]


def test_a_signed_in_visitor_s_304_reads_no_session_and_sets_no_cookie(client, room, clock):
    manager = factories.make_user()
    factories.sign_in(client, manager)
    etag = client.get("/rooms/salle-iroise/door").headers["ETag"]
    with recorded_statements() as statements:
        again = client.get("/rooms/salle-iroise/door", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert len(selects(statements)) == 1  # no user_session, no user
    assert "Set-Cookie" not in again.headers
    full = client.get("/rooms/salle-iroise/door")
    assert "Set-Cookie" not in full.headers


def test_the_next_minute_changes_the_etag(client, room, clock):
    etag = client.get("/rooms/salle-iroise/door").headers["ETag"]
    clock["now"] += timedelta(minutes=1)
    again = client.get("/rooms/salle-iroise/door", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.headers["ETag"] != etag


def test_a_new_booking_changes_the_etag(client, room, clock):
    etag = client.get("/rooms/salle-iroise/door").headers["ETag"]
    factories.make_booking(
        room, local(f"{DAY} 11:00"), local(f"{DAY} 12:00"), title="Atelier", is_public=True
    )
    db.session.commit()
    again = client.get("/rooms/salle-iroise/door?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert "Free until 11:00\u202fAM" in again.get_data(as_text=True)


def test_the_language_is_part_of_the_etag(client, room, clock):
    french = client.get("/rooms/salle-iroise/door?lang=fr").headers["ETag"]
    english = client.get("/rooms/salle-iroise/door?lang=en", headers={"If-None-Match": french})
    assert english.status_code == 200
    assert english.headers["ETag"] != french
    assert "Accept-Language" in english.headers["Vary"]


def test_the_kiosk_answers_304_from_one_read(client, room, clock):
    slug = room.site.slug
    first = client.get(f"/sites/{slug}/door")
    assert first.status_code == 200
    with recorded_statements() as statements:
        again = client.get(f"/sites/{slug}/door", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert len(selects(statements)) == 1

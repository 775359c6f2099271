"""Public bookings without an account: what the room and place feeds show, as JSON."""

from __future__ import annotations

from booking.extensions import db
from tests import factories
from tests.api.conftest import local

URL = "/api/v1/resources/salle-iroise/bookings?date=2030-03-05&days=2"


def _scene(room, assoc_a, assoc_b):
    factories.make_booking(
        room,
        local("2030-03-05 10:00"),
        local("2030-03-05 11:00"),
        association=assoc_a,
        title="Atelier réparation",
        purpose="Venez avec vos objets",
        is_public=True,
    )
    factories.make_booking(
        room,
        local("2030-03-05 14:00"),
        local("2030-03-05 15:00"),
        association=assoc_b,
        title="Entretien confidentiel",
        purpose="Dossier médical",
    )
    for state, hour in (("pending", 16), ("refused", 17), ("cancelled", 18), ("expired", 19)):
        factories.make_booking(
            room,
            local(f"2030-03-05 {hour}:00"),
            local(f"2030-03-05 {hour}:30"),
            association=assoc_a,
            title=f"Demande {state}",
            is_public=True,
            state=state,
        )
    db.session.commit()


def test_public_titles_show_and_private_ones_never_leak(client, room, assoc_a, assoc_b):
    _scene(room, assoc_a, assoc_b)
    response = client.get(URL, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Entretien confidentiel" not in body
    assert "Dossier médical" not in body
    assert "Club photo" not in body  # a private booking's association is not named either
    public, private = response.json["items"]
    assert public == {
        "resource": "salle-iroise",
        "start": "2030-03-05T09:00:00+00:00",
        "end": "2030-03-05T10:00:00+00:00",
        "start_local": "2030-03-05T10:00:00+01:00",
        "end_local": "2030-03-05T11:00:00+01:00",
        "is_public": True,
        "title": "Atelier réparation",
        "purpose": "Venez avec vos objets",
        "association": "Repair Café",
    }
    assert private["title"] == "Booked"
    assert (private["is_public"], private["purpose"], private["association"]) == (
        False,
        None,
        None,
    )
    french = client.get(URL, headers={"Accept-Language": "fr"})
    assert french.json["items"][1]["title"] == "Réservé"
    assert french.headers["ETag"] != response.headers["ETag"]
    assert "Accept-Language" in french.headers["Vary"]


def test_only_approved_bookings_are_listed_as_in_the_feeds(client, room, assoc_a, assoc_b):
    _scene(room, assoc_a, assoc_b)
    items = client.get(URL).json["items"]
    assert len(items) == 2
    assert not any(i["title"].startswith("Demande") for i in items)
    feed = client.get("/feeds/resources/salle-iroise.ics").get_data(as_text=True)
    assert "Demande pending" not in feed  # the feed does not show requests either


def test_the_window_pages_and_links(client, room, assoc_a):
    for day in (4, 5, 6, 7):
        for hour in (9, 11, 13):
            factories.make_booking(
                room,
                local(f"2030-03-0{day} {hour:02d}:00"),
                local(f"2030-03-0{day} {hour + 1:02d}:00"),
                association=assoc_a,
            )
    db.session.commit()
    first = client.get(URL + "&per_page=4")
    assert first.json["total"] == 6  # the 5th and 6th only
    assert [i["start_local"][:13] for i in first.json["items"]] == [
        "2030-03-05T09",
        "2030-03-05T11",
        "2030-03-05T13",
        "2030-03-06T09",
    ]
    assert 'rel="next"' in first.headers["Link"]
    second = client.get(URL + "&per_page=4&page=2")
    assert len(second.json["items"]) == 2
    assert 'rel="prev"' in second.headers["Link"]
    assert 'rel="next"' not in second.headers["Link"]


def test_a_booking_across_the_window_start_is_listed(client, room, assoc_a):
    factories.make_booking(
        room, local("2030-03-04 23:00"), local("2030-03-05 01:00"), association=assoc_a
    )
    db.session.commit()
    assert client.get(URL).json["total"] == 1


def test_304_until_the_calendar_changes_then_the_new_booking(client, room, assoc_a):
    first = client.get(URL)
    etag = first.headers["ETag"]
    assert first.json["items"] == []
    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    db.session.commit()
    changed = client.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json["total"] == 1


def test_a_cancellation_changes_the_list(client, room, assoc_a):
    booking = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    db.session.commit()
    etag = client.get(URL).headers["ETag"]
    booking.state = booking.state.__class__("cancelled")
    db.session.commit()
    response = client.get(URL, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json["items"] == []


def test_a_place_lists_its_resources_bookings(client, room, other_room, assoc_a):
    factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    factories.make_booking(
        other_room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    db.session.commit()
    url = f"/api/v1/sites/{room.site.slug}/bookings?date=2030-03-05"
    response = client.get(url)
    assert [i["resource"] for i in response.json["items"]] == ["salle-iroise"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/sites/nowhere/bookings").status_code == 404
    missing = client.get("/api/v1/resources/nope/bookings")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_bad_window_is_a_problem(client, room):
    response = client.get("/api/v1/resources/salle-iroise/bookings?days=32")
    assert response.status_code == 422
    assert response.json["field"] == "days"


def test_the_window_is_local_days_across_the_spring_clock_change(client, room, assoc_a):
    """31 March 2030 (the last Sunday of March) lasts 23 hours: its window ends at local
    midnight (22:00 UTC), and times carry the offset of their side of the change."""
    factories.make_booking(
        room, local("2030-03-31 01:30"), local("2030-03-31 04:00"), association=assoc_a
    )
    factories.make_booking(
        room, local("2030-03-31 23:00"), local("2030-03-31 23:30"), association=assoc_a
    )
    factories.make_booking(
        room, local("2030-04-01 00:00"), local("2030-04-01 00:30"), association=assoc_a
    )
    db.session.commit()
    got = client.get("/api/v1/resources/salle-iroise/bookings?date=2030-03-31&days=1").json
    assert (got["start"], got["end"]) == ("2030-03-30T23:00:00+00:00", "2030-03-31T22:00:00+00:00")
    assert [(i["start_local"], i["end_local"]) for i in got["items"]] == [
        ("2030-03-31T01:30:00+01:00", "2030-03-31T04:00:00+02:00"),
        ("2030-03-31T23:00:00+02:00", "2030-03-31T23:30:00+02:00"),
    ]


def test_page_links_are_on_the_public_address_not_the_host_header(app, client, room):
    response = client.get(URL, headers={"Host": "evil.example"})
    base = app.config["BASE_URL"].rstrip("/")
    links = response.headers["Link"]
    assert "evil.example" not in links
    assert links.startswith(f"<{base}/api/v1/resources/salle-iroise/bookings?")

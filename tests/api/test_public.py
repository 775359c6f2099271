"""The anonymous read endpoints: places, resources, availability (with ETags), find."""

from __future__ import annotations

from datetime import date

import pytest

from booking import create_app
from booking.bookings.availability import free_busy
from booking.extensions import db, limiter
from booking.timeutil import local_day_bounds
from config import TestConfig
from tests import factories
from tests.api.conftest import local

DAY = date(2030, 3, 5)  # a Tuesday


def test_sites_list_their_resources(client, room):
    response = client.get("/api/v1/sites")
    assert response.status_code == 200
    [site] = [s for s in response.json if s["slug"] == room.site.slug]
    assert site["resources"] == ["salle-iroise"]
    assert site["url"].endswith(f"/sites/{room.site.slug}")


def test_resources_give_hours_equipment_and_closures_ahead(client, room):
    factories.make_resource(room.site, slug="hidden", is_bookable=False)
    response = client.get("/api/v1/resources")
    assert [r["slug"] for r in response.json] == ["salle-iroise"]
    iroise = response.json[0]
    assert iroise["kind"] == "visio_room"
    assert iroise["opening_hours"][0] == {"weekday": 0, "opens": "08:00", "closes": "22:00"}
    assert client.get("/api/v1/resources?kind=makerspace").json == []


def test_unknown_resource_is_a_problem_document(client, db):
    response = client.get("/api/v1/resources/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404


def test_availability_is_the_calendar_pages_free_busy(client, room):
    factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 12:00"), title="Public", is_public=True
    )
    db.session.commit()
    response = client.get("/api/v1/resources/salle-iroise/availability?date=2030-03-05&days=1")
    assert response.status_code == 200
    start, end = local_day_bounds(DAY)
    expected = free_busy([room.id], start, end)[room.id]
    got = response.json["intervals"]
    assert [(i["start_local"], i["end_local"], i["state"]) for i in got] == [
        ("2030-03-05T00:00:00+01:00", "2030-03-05T08:00:00+01:00", "closed"),
        ("2030-03-05T08:00:00+01:00", "2030-03-05T10:00:00+01:00", "free"),
        ("2030-03-05T10:00:00+01:00", "2030-03-05T12:00:00+01:00", "busy"),
        ("2030-03-05T12:00:00+01:00", "2030-03-05T22:00:00+01:00", "free"),
        ("2030-03-05T22:00:00+01:00", "2030-03-06T00:00:00+01:00", "closed"),
    ]
    assert len(got) == len(expected)
    assert got[2]["label"] == "Public"
    assert got[1]["start"] == "2030-03-05T07:00:00+00:00"
    assert got[1]["book_url"].endswith(
        "/reservations/new?resource=salle-iroise&date=2030-03-05&start=08:00&end=10:00"
    )
    assert got[0]["book_url"] is None


def test_a_private_booking_shows_busy_without_its_title(client, room):
    factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 12:00"), title="Secret"
    )
    db.session.commit()
    got = client.get("/api/v1/resources/salle-iroise/availability?date=2030-03-05&days=1").json
    assert "Secret" not in str(got)


def test_availability_answers_304_until_the_calendar_changes(client, room):
    url = "/api/v1/resources/salle-iroise/availability?date=2030-03-05"
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    factories.make_booking(room, local("2030-03-06 10:00"), local("2030-03-06 12:00"))
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "busy" in {i["state"] for i in changed.json["intervals"]}


def test_day_availability_lists_every_room_and_validates_on_versions(client, room, other_room):
    url = "/api/v1/availability?date=2030-03-05"
    response = client.get(url)
    assert [r["resource"] for r in response.json["resources"]] == ["salle-iroise", "salle-ouessant"]
    etag = response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    factories.make_booking(other_room, local("2030-03-05 10:00"), local("2030-03-05 11:00"))
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    site_only = client.get(f"/api/v1/availability?date=2030-03-05&site={room.site.slug}")
    assert [r["resource"] for r in site_only.json["resources"]] == ["salle-iroise"]
    assert client.get("/api/v1/availability?site=nowhere").status_code == 404


def test_day_availability_is_paginated_so_a_region_is_never_one_answer(client, room, other_room):
    first = client.get("/api/v1/availability?date=2030-03-05&per_page=1")
    assert first.status_code == 200
    assert [r["resource"] for r in first.json["resources"]] == ["salle-iroise"]
    assert (first.json["page"], first.json["per_page"], first.json["total"]) == (1, 1, 2)
    assert 'rel="next"' in first.headers["Link"]
    assert "page=2" in first.headers["Link"]
    second = client.get("/api/v1/availability?date=2030-03-05&per_page=1&page=2")
    assert [r["resource"] for r in second.json["resources"]] == ["salle-ouessant"]
    assert second.headers["ETag"] != first.headers["ETag"]
    # A booking in the room of page 2 leaves page 1's validator as it was.
    factories.make_booking(other_room, local("2030-03-05 10:00"), local("2030-03-05 11:00"))
    db.session.commit()
    again = client.get(
        "/api/v1/availability?date=2030-03-05&per_page=1",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
    assert client.get("/api/v1/availability?per_page=500").status_code == 422


def test_a_bad_parameter_is_a_problem_naming_the_field(client, room):
    response = client.get("/api/v1/resources/salle-iroise/availability?days=90")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["field"] == "days"
    assert response.json["rule"] == "validation"


def test_messages_follow_accept_language(client, room):
    french = client.get("/api/v1/resources/nope", headers={"Accept-Language": "fr"})
    english = client.get("/api/v1/resources/nope", headers={"Accept-Language": "en"})
    assert french.json["detail"] != english.json["detail"]
    assert english.json["detail"] == "There is no bookable resource with this name."


def test_find_answers_the_free_rooms_that_fit(client, room, other_room):
    factories.make_booking(other_room, local("2030-03-05 14:00"), local("2030-03-05 16:00"))
    db.session.commit()
    response = client.get(
        "/api/v1/free",
        query_string={"start": "2030-03-05T14:00:00+01:00", "end": "2030-03-05T16:00:00+01:00"},
    )
    assert response.status_code == 200
    assert [f["resource"]["slug"] for f in response.json] == ["salle-iroise"]
    assert response.json[0]["book_url"].endswith("date=2030-03-05&start=14:00&end=16:00")
    backwards = client.get(
        "/api/v1/free",
        query_string={"start": "2030-03-05T16:00:00+01:00", "end": "2030-03-05T14:00:00+01:00"},
    )
    assert backwards.status_code == 422
    assert backwards.json["field"] == "end"


def test_anonymous_reads_allow_any_origin(client, room):
    response = client.get("/api/v1/resources", headers={"Origin": "https://partner.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/resources/salle-iroise/availability",
        headers={"Origin": "https://partner.example", "Access-Control-Request-Method": "GET"},
    )
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


def test_the_openapi_description_lists_the_endpoints(client, db):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/resources/{slug}/availability" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert "application/problem+json" in default["content"]


def test_the_documentation_page_serves_swagger_ui_from_the_app(client, db):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"swagger-ui-bundle.js" in page.data
    assert b"https://" not in page.data.split(b"<body")[0]
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    asset.close()  # a file response
    assert asset.status_code == 200
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404


def test_days_span_the_clock_change(client, room):
    response = client.get("/api/v1/resources/salle-iroise/availability?date=2030-03-31&days=1")
    intervals = response.json["intervals"]
    start, end = intervals[0]["start"], intervals[-1]["end"]
    assert (start, end) == ("2030-03-30T23:00:00+00:00", "2030-03-31T22:00:00+00:00")  # 23 hours


@pytest.fixture
def limited_app(app, database_url, db):
    """The application with rate limits on, and a small allowance for the API."""
    config = type(
        "_Config",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "API_RATE_LIMIT": "3/minute",
        },
    )
    application = create_app(config)
    limiter.reset()
    yield application
    limiter.reset()
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_reads_are_rate_limited_with_ratelimit_headers(limited_app, db):
    client = limited_app.test_client()
    answers = [client.get("/api/v1/sites") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert answers[1].headers["RateLimit-Remaining"] == "1"
    assert answers[3].mimetype == "application/problem+json"
    assert int(answers[3].headers["Retry-After"]) > 0


def test_retry_after_only_on_429_and_reset_in_seconds_until_the_window_ends(limited_app, db):
    client = limited_app.test_client()
    answers = [client.get("/api/v1/sites") for _ in range(4)]
    for answer in answers[:3]:
        assert "Retry-After" not in answer.headers  # RFC 9110: only with 429 / 503
        assert 0 <= int(answer.headers["RateLimit-Reset"]) <= 61  # seconds, not a Unix time
    assert answers[3].status_code == 429
    assert 0 < int(answers[3].headers["Retry-After"]) <= 61
    assert 0 <= int(answers[3].headers["RateLimit-Reset"]) <= 61


def test_links_are_on_base_url_never_on_the_requests_host(client, room):
    forged = {"Host": "evil.example"}
    day = client.get("/api/v1/resources/salle-iroise/availability?date=2030-03-05", headers=forged)
    resources = client.get("/api/v1/resources", headers=forged)
    for response in (day, resources):
        assert "evil.example" not in response.get_data(as_text=True)
    assert resources.json[0]["url"] == "http://salles.test/resources/salle-iroise"
    free = [i for i in day.json["intervals"] if i["book_url"]]
    assert free[0]["book_url"].startswith("http://salles.test/reservations/new?")

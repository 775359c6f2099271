"""The feeds as calendar apps see them: content read by three parsers, HTTP behaviour."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from gunicorn.glogging import SafeAtoms

from booking.bookings.models import BookingSeries
from booking.calendars import feeds, views
from booking.calendars.ical import bookings_calendar
from booking.calendars.logfilter import FeedTokenFilter
from booking.extensions import db
from booking.timeutil import to_local, to_utc
from tests import factories
from tests.calendars.conftest import NOW, node_available, parse_everywhere, parse_icaljs
from tests.statements import recorded_statements, selects

HOST = "salles.test"


def at(*parts: int) -> datetime:
    """A Europe/Paris wall-clock time as a UTC instant."""
    return to_utc(datetime(*parts))


def uid(booking) -> str:
    return f"{booking.uid}@{HOST}"


def unfolded(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n ", "")


@pytest.fixture
def room(make_site, make_resource):
    site = make_site("Maison du Quartier", latitude=48.3904, longitude=-4.4861)
    return make_resource(site, name="Salle Iroise", slug="salle-iroise")


def book(resource, day: tuple[int, int, int], hour: int = 18, hours: int = 2, **fields):
    start = at(*day, hour)
    return factories.make_booking(resource, start, start + timedelta(hours=hours), **fields)


# --- content, read by every parser ---------------------------------------------------


def test_icaljs_is_available_to_check_the_feeds() -> None:
    if not node_available():
        pytest.skip(
            "Node.js or tests/js/node_modules/ical.js is missing (run `make js-deps`): "
            "feeds are checked with icalendar and vobject only. REQUIRE_NODE=1 makes this fail."
        )
    assert parse_icaljs(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n") == []


def test_resource_feed_lists_approved_bookings_in_the_window_with_stable_uids(
    client, now, room, make_resource
):
    approved = [book(room, (2026, 10, d)) for d in (5, 6, 7)]
    book(room, (2026, 10, 8), state="pending")
    book(room, (2026, 10, 9), state="refused")
    book(room, (2026, 6, 1))  # more than 90 days ago
    book(room, (2027, 11, 1))  # more than a year ahead
    book(make_resource(room.site), (2026, 10, 5))  # another room
    db.session.commit()

    response = client.get("/feeds/resources/salle-iroise.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=salle-iroise.ics"
    assert response.headers["Cache-Control"].startswith("public, max-age=")
    events = parse_everywhere(response.data)
    assert [e["uid"] for e in events] == [uid(b) for b in approved]
    assert {e["status"] for e in events} == {"CONFIRMED"}
    assert events[0]["start"] == datetime(2026, 10, 5, 16, 0, tzinfo=UTC)  # 18:00 CEST
    # The same data gives the same bytes: UIDs and stamps do not change between polls.
    views.feed_cache().clear()
    assert client.get("/feeds/resources/salle-iroise.ics").data == response.data


def test_feed_headers_follow_rfc_5545_and_7986(client, now, room):
    book(room, (2026, 10, 5), is_public=True)
    db.session.commit()
    text = unfolded(client.get("/feeds/resources/salle-iroise.ics").data)
    lines = text.split("\r\n")
    for expected in (
        "VERSION:2.0",
        "NAME:Salle Iroise · Maison du Quartier",
        "X-WR-CALNAME:Salle Iroise · Maison du Quartier",
        "X-WR-TIMEZONE:Europe/Paris",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "TZID:Europe/Paris",
        "DTSTART;TZID=Europe/Paris:20261005T180000",
        "DTEND;TZID=Europe/Paris:20261005T200000",
        "GEO:48.3904;-4.4861",
        "URL:http://salles.test/resources/salle-iroise",
    ):
        assert expected in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert any(line.startswith("LAST-MODIFIED:") and line.endswith("Z") for line in lines)
    # UTC only where the RFC requires it.
    assert not any(line.startswith(("DTSTART", "DTEND")) and line.endswith("Z") for line in lines)


def test_weekly_1800_series_keeps_its_local_time_across_both_clock_changes(
    client, now, room, member, login
):
    association = member.associations[0]
    series = BookingSeries(
        resource=room,
        association=association,
        rule="FREQ=WEEKLY;BYDAY=TU",
        first_start_local=datetime(2026, 10, 13, 18),
        duration_minutes=90,
        title="Atelier",
    )
    db.session.add(series)
    db.session.flush()
    tuesdays = [datetime(2026, 10, 13, 18) + timedelta(weeks=n) for n in range(27)]
    bookings = [
        factories.make_booking(
            room,
            to_utc(day),
            to_utc(day + timedelta(minutes=90)),
            association=association,
            series=series,
            title="Atelier",
            is_public=True,
        )
        for day in tuesdays
    ]
    db.session.commit()

    for url in ("/feeds/resources/salle-iroise.ics", "/feeds/public.ics"):
        events = parse_everywhere(client.get(url).data)
        assert len(events) == 27
        assert all(to_local(e["start"]).time().isoformat() == "18:00:00" for e in events)
        assert all(to_local(e["end"]).time().isoformat() == "19:30:00" for e in events)
        starts = {e["start"] for e in events}
        # Before and after the October change (2026-10-25) and the March one (2027-03-28).
        assert datetime(2026, 10, 20, 16, tzinfo=UTC) in starts
        assert datetime(2026, 10, 27, 17, tzinfo=UTC) in starts
        assert datetime(2027, 3, 23, 17, tzinfo=UTC) in starts
        assert datetime(2027, 3, 30, 16, tzinfo=UTC) in starts

    # "Add to my calendar" on one occurrence gives the whole series.
    login(member)
    response = client.get(f"/bookings/{bookings[3].id}.ics")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    events = parse_everywhere(response.data)
    assert [e["uid"] for e in events] == [uid(b) for b in bookings]
    assert events[0]["url"] == f"http://salles.test/reservations/{bookings[0].id}"


def test_commas_semicolons_newlines_accents_and_emoji_survive(client, now, room):
    title = "Réunion, assemblée; générale"
    purpose = "Ordre du jour :\nbudget, élections; questions 🎉"
    booking = book(room, (2026, 10, 5), title=title, purpose=purpose, is_public=True)
    db.session.commit()

    data = client.get("/feeds/resources/salle-iroise.ics").data

    assert "SUMMARY:Réunion\\, assemblée\\; générale" in unfolded(data)
    lines = data.split(b"\r\n")
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)  # folded by the library
    (event,) = parse_everywhere(data)
    assert event["uid"] == uid(booking)
    assert event["summary"] == title
    assert event["description"].startswith(purpose + "\n")


def test_sequence_increases_and_time_moves_after_an_edit(client, now, room):
    booking = book(room, (2026, 10, 5))
    db.session.commit()
    first = client.get("/feeds/resources/salle-iroise.ics")
    (before,) = parse_everywhere(first.data)

    # What the engine does on a reschedule: new times, sequence + 1 (updated_at follows).
    booking.start_at += timedelta(hours=1)
    booking.end_at += timedelta(hours=1)
    booking.sequence += 1
    db.session.commit()
    second = client.get(
        "/feeds/resources/salle-iroise.ics", headers={"If-None-Match": first.headers["ETag"]}
    )

    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    (after,) = parse_everywhere(second.data)
    assert after["uid"] == before["uid"]
    assert after["sequence"] == before["sequence"] + 1
    assert after["start"] == before["start"] + timedelta(hours=1)


def test_cancelled_booking_stays_as_cancelled_for_30_days_then_leaves(
    client, now, room, monkeypatch
):
    booking = book(room, (2026, 10, 20))
    db.session.commit()
    (confirmed,) = parse_everywhere(client.get("/feeds/resources/salle-iroise.ics").data)
    assert confirmed["status"] == "CONFIRMED"

    booking.state = "cancelled"
    booking.cancelled_at = NOW - timedelta(hours=1)
    booking.cancel_reason = "Plus besoin"
    booking.sequence += 1
    db.session.commit()
    (cancelled,) = parse_everywhere(client.get("/feeds/resources/salle-iroise.ics").data)
    assert cancelled["uid"] == confirmed["uid"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["sequence"] == confirmed["sequence"] + 1

    monkeypatch.setattr(views, "utcnow", lambda: NOW + timedelta(days=29))
    assert len(parse_everywhere(client.get("/feeds/resources/salle-iroise.ics").data)) == 1
    monkeypatch.setattr(views, "utcnow", lambda: NOW + timedelta(days=31))
    assert parse_everywhere(client.get("/feeds/resources/salle-iroise.ics").data) == []


def test_site_feed_covers_every_room_and_locates_each_event(client, now, room, make_resource):
    other = make_resource(room.site, name="Fablab", slug="fablab")
    first = book(room, (2026, 10, 5))
    second = book(other, (2026, 10, 5))
    db.session.commit()

    response = client.get(f"/feeds/sites/{room.site.slug}.ics")

    events = {e["uid"]: e for e in parse_everywhere(response.data)}
    address = room.site.address
    assert events[uid(first)]["location"] == f"Salle Iroise, Maison du Quartier, {address}"
    assert events[uid(second)]["location"] == f"Fablab, Maison du Quartier, {address}"


def test_public_feed_shows_public_events_with_title_description_and_place(
    client, now, room, make_resource
):
    public = book(room, (2026, 10, 5), title="Conférence", purpose="Entrée libre", is_public=True)
    book(room, (2026, 10, 6), title="Conseil d'administration")
    book(room, (2026, 10, 7), title="Projection", is_public=True, state="pending")
    db.session.commit()

    response = client.get("/feeds/public.ics")

    assert response.headers["Content-Disposition"].endswith("salles-ouvertes-public.ics")
    (event,) = parse_everywhere(response.data)
    assert event["uid"] == uid(public)
    assert event["summary"] == "Conférence"
    assert event["description"].startswith("Entrée libre")
    assert "Salle Iroise" in event["location"]


def test_public_feeds_carry_no_private_data(client, now, room):
    requester = factories.make_user("claire.secret@example.org", name="Claire Secrète")
    association = factories.make_association("Les Voisins")
    association.contact_email = "bureau@voisins.example"
    private_fields = {
        "title": "Conseil disciplinaire",
        "purpose": "Cas de M. Dupont",
        "requester": requester,
        "association": association,
        "decision_reason": "Accord du directeur",
    }
    book(room, (2026, 10, 5), **private_fields)
    book(room, (2026, 10, 6), **private_fields, state="pending")
    book(
        room,
        (2026, 10, 7),
        **private_fields,
        state="cancelled",
        cancelled_at=NOW,
        cancel_reason="Motif personnel",
    )
    book(room, (2026, 10, 8), title="Fête", is_public=True, requester=requester)
    db.session.commit()
    secrets = [
        "Conseil disciplinaire",
        "Dupont",
        "Claire",
        "claire.secret",
        "Secrète",
        "bureau@voisins",
        "Accord du directeur",
        "Motif personnel",
        "@example",
        "/reservations/",
    ]
    for url in (
        "/feeds/resources/salle-iroise.ics",
        f"/feeds/sites/{room.site.slug}.ics",
        "/feeds/public.ics",
    ):
        for language in ("fr", "en"):
            data = client.get(url, headers={"Accept-Language": language}).data
            text = unfolded(data)
            leaked = [s for s in secrets if s in text]
            assert not leaked, f"{url} shows {leaked}"
            assert "TENTATIVE" not in text
            events = parse_everywhere(data)
            if url != "/feeds/public.ics":
                assert {e["summary"] for e in events} == {
                    "Fête",
                    "Réservé" if language == "fr" else "Booked",
                }


# --- HTTP: validators, cache, errors -------------------------------------------------------


@pytest.fixture
def builds(monkeypatch):
    """Count the calendars actually built."""
    calls = []
    real = views.build_feed

    def counting(*args, **kwargs):
        calls.append(args[0].key)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "build_feed", counting)
    return calls


def test_repeated_conditional_requests_answer_304_without_building(client, now, room, builds):
    book(room, (2026, 10, 5))
    db.session.commit()
    url = "/feeds/resources/salle-iroise.ics"
    first = client.get(url)
    assert builds == [f"resource:{room.id}"]
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}) * 2:
        again = client.get(url, headers=headers)
        assert again.status_code == 304
        assert again.data == b""
        assert again.headers["ETag"] == etag
    assert len(builds) == 1

    # A stale copy gets the new calendar.
    book(room, (2026, 10, 6))
    db.session.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    assert len(builds) == 2


def test_repeated_full_requests_are_served_from_the_cache(client, now, room, builds):
    book(room, (2026, 10, 5))
    db.session.commit()
    bodies = {client.get("/feeds/resources/salle-iroise.ics").data for _ in range(5)}
    assert len(bodies) == 1
    assert len(builds) == 1


def test_a_new_day_moves_the_window_and_changes_the_validator(client, now, room, monkeypatch):
    book(room, (2026, 7, 10))  # 83 days before NOW: in the window for 7 more days
    db.session.commit()
    first = client.get("/feeds/resources/salle-iroise.ics")
    assert len(parse_everywhere(first.data)) == 1
    monkeypatch.setattr(views, "utcnow", lambda: NOW + timedelta(days=8))
    later = client.get(
        "/feeds/resources/salle-iroise.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert later.status_code == 200
    assert parse_everywhere(later.data) == []


def test_the_validator_holds_all_day_and_moves_with_the_next_day(client, now, room, monkeypatch):
    book(room, (2026, 10, 5))
    db.session.commit()
    url = "/feeds/resources/salle-iroise.ics"
    etag = client.get(url).headers["ETag"]
    monkeypatch.setattr(views, "utcnow", lambda: NOW + timedelta(hours=13, minutes=59))
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    monkeypatch.setattr(views, "utcnow", lambda: NOW + timedelta(hours=14))  # 00:00 UTC
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_each_language_has_its_own_validator(client, now, room):
    book(room, (2026, 10, 5))
    db.session.commit()
    url = "/feeds/resources/salle-iroise.ics"
    french = client.get(url, headers={"Accept-Language": "fr"})
    english = client.get(url, headers={"Accept-Language": "en"})
    assert french.headers["ETag"] != english.headers["ETag"]
    assert french.data != english.data
    stale = {"Accept-Language": "en", "If-None-Match": french.headers["ETag"]}
    assert client.get(url, headers=stale).status_code == 200


def test_a_room_removed_between_its_validator_and_its_build_answers_404(
    client, now, room, monkeypatch
):
    """The validator's row was read, then the room went before the feed was built."""
    monkeypatch.setattr(views, "resource_feed", lambda *_args: None)
    response = client.get("/feeds/resources/salle-iroise.ics")
    assert response.status_code == 404
    assert response.mimetype == "text/plain"


def test_a_304_reads_one_row_of_the_resource_not_its_bookings(client, now, room):
    for day in range(5, 10):
        book(room, (2026, 10, day))
    db.session.commit()
    url = "/feeds/resources/salle-iroise.ics"
    etag = client.get(url).headers["ETag"]
    for headers in ({"If-None-Match": etag}, {}):  # a 304, then the cached body
        with recorded_statements() as statements:
            response = client.get(url, headers=headers)
        assert response.status_code == (304 if headers else 200)
        reads = selects(statements)
        assert len(reads) == 1, reads
        assert "booking" not in reads[0].lower()


@pytest.mark.parametrize(
    ("url", "change"),
    [
        ("/feeds/resources/salle-iroise.ics", lambda room: setattr(room.site, "name", "MPT")),
        ("/feeds/resources/salle-iroise.ics", lambda room: setattr(room, "name", "Salle Ouessant")),
        (
            "/feeds/sites/{site}.ics",
            lambda room: setattr(room.site, "address", "1 rue Jean Jaurès"),
        ),
        ("/feeds/public.ics", lambda room: setattr(room.site, "name", "MPT")),
    ],
)
def test_renaming_a_place_changes_the_validator_and_the_text(client, now, room, url, change):
    book(room, (2026, 10, 5), is_public=True, title="Fête")
    db.session.commit()
    url = url.format(site=room.site.slug)
    first = client.get(url)
    change(room)
    db.session.commit()
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.data != first.data


def test_a_rename_of_the_association_changes_the_public_feed(client, now, room, make_association):
    association = make_association("Vélo Brest")
    book(room, (2026, 10, 5), is_public=True, title="Fête", association=association)
    db.session.commit()
    first = client.get("/feeds/public.ics")
    assert "Vélo Brest" in unfolded(first.data)
    association.name = "Brest à vélo"
    db.session.commit()
    again = client.get("/feeds/public.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "Brest à vélo" in unfolded(again.data)


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/resources/no-such-room.ics",
        "/feeds/sites/no-such-site.ics",
        "/feeds/private/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics",
        "/feeds/private/short.ics",
        "/feeds/private/%00%27%20OR%201=1.ics",
    ],
)
def test_unknown_slug_or_token_answers_404_with_a_short_text(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert len(response.data) < 100


# --- the private feed --------------------------------------------------------------------


def _token(client) -> str:
    with client.session_transaction() as session:
        return session[views.NEW_TOKEN_KEY]


def test_private_feed_shows_the_associations_bookings_in_full_pending_as_tentative(
    client, now, room, member, login
):
    association = member.associations[0]
    approved = book(room, (2026, 10, 5), association=association, requester=member)
    pending = book(room, (2026, 10, 6), association=association, state="pending")
    refused = book(room, (2026, 10, 7), association=association, state="refused", decided_at=NOW)
    book(room, (2026, 10, 8))  # another association's
    db.session.commit()
    login(member)
    client.post("/account/calendar-feed/new")
    token = _token(client)

    response = client.get(f"/feeds/private/{token}.ics")

    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    assert token not in response.headers["Content-Disposition"]
    events = {e["uid"]: e for e in parse_everywhere(response.data)}
    assert set(events) == {uid(approved), uid(pending), uid(refused)}
    assert events[uid(approved)]["status"] == "CONFIRMED"
    assert events[uid(pending)]["status"] == "TENTATIVE"
    assert events[uid(refused)]["status"] == "CANCELLED"
    assert events[uid(approved)]["summary"] == "Réunion"
    assert member.display_name in events[uid(approved)]["description"]
    assert association.name in events[uid(approved)]["description"]
    assert events[uid(approved)]["url"] == f"http://salles.test/reservations/{approved.id}"


def test_private_feed_of_a_manager_shows_requests_for_the_managed_rooms(
    client, now, room, make_user, make_resource, login
):
    manager = make_user()
    room.managers.append(manager)
    mine_pending = book(room, (2026, 10, 5), state="pending")
    mine_approved = book(room, (2026, 10, 6))
    book(room, (2026, 10, 7), state="waitlisted")
    book(make_resource(), (2026, 10, 5), state="pending")  # not managed
    db.session.commit()
    login(manager)
    client.post("/account/calendar-feed/new")

    events = parse_everywhere(client.get(f"/feeds/private/{_token(client)}.ics").data)

    assert {e["uid"] for e in events} == {uid(mine_pending), uid(mine_approved)}


def test_regenerating_the_token_makes_the_old_address_answer_404(client, now, member, login):
    login(member)
    client.post("/account/calendar-feed/new")
    old = _token(client)
    assert client.get(f"/feeds/private/{old}.ics").status_code == 200

    client.post("/account/calendar-feed/new")
    new = _token(client)

    assert new != old
    assert client.get(f"/feeds/private/{old}.ics").status_code == 404
    assert client.get(f"/feeds/private/{new}.ics").status_code == 200
    db.session.refresh(member)
    assert member.feed_token_hash is not None
    assert new not in member.feed_token_hash

    client.post("/account/calendar-feed/revoke")
    assert client.get(f"/feeds/private/{new}.ics").status_code == 404


def test_new_private_address_is_shown_once_then_only_its_existence(client, member, login):
    login(member)
    page = client.get("/account/calendar-feed").get_data(as_text=True)
    assert "/feeds/private/" not in page

    response = client.post("/account/calendar-feed/new", follow_redirects=True)
    token = None
    page = response.get_data(as_text=True)
    assert "http://salles.test/feeds/private/" in page
    assert "webcal://salles.test/feeds/private/" in page
    token = page.split("http://salles.test/feeds/private/")[1].split(".ics")[0]
    assert client.get(f"/feeds/private/{token}.ics").status_code == 200

    again = client.get("/account/calendar-feed").get_data(as_text=True)
    assert token not in again
    assert 'action="/account/calendar-feed/revoke"' in again


def test_token_routes_need_a_signed_in_user_and_post(client):
    assert client.get("/account/calendar-feed/new").status_code == 405
    response = client.post("/account/calendar-feed/new")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "args",
    [
        ('"GET /feeds/private/SeCrEt_t0ken-123.ics HTTP/1.1"', "200", "-"),
        ('"GET /feeds/private/SeCrEt_t0ken-123.ics?x=1 HTTP/1.1"', "304", "-"),
    ],
)
def test_request_log_lines_never_show_a_private_token(caplog, args):
    caplog.set_level(logging.INFO, logger="werkzeug")
    logger = logging.getLogger("werkzeug")
    assert any(isinstance(f, FeedTokenFilter) for f in logger.filters)
    logger.info("%s - - [%s] %s %s %s", "127.0.0.1", "25/Nov/2026 10:00:00", *args)
    assert "SeCrEt_t0ken-123" not in caplog.text
    assert "/feeds/private/[token].ics" in caplog.text


def test_gunicorn_access_log_never_shows_a_private_token(caplog):
    caplog.set_level(logging.INFO, logger="gunicorn.access")
    logger = logging.getLogger("gunicorn.access")
    atoms = SafeAtoms(
        {"h": "10.0.0.1", "r": "GET /feeds/private/Abc_123-xyz.ics HTTP/1.1", "s": "200"}
    )
    # As gunicorn logs: its atoms answer "-" for headers the request did not send.
    logger.info('%(h)s "%(r)s" %(s)s %({x-forwarded-for}i)s', atoms)
    assert "Abc_123-xyz" not in caplog.text
    assert '10.0.0.1 "GET /feeds/private/[token].ics HTTP/1.1" 200 -' in caplog.text


# --- one booking's download -----------------------------------------------------------------


def test_booking_download_is_for_those_allowed_to_see_it(
    client, now, room, member, make_user, login
):
    booking = book(room, (2026, 10, 5), association=member.associations[0])
    db.session.commit()
    url = f"/bookings/{booking.id}.ics"

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "/account/login" in anonymous.headers["Location"]
    stranger = make_user()
    db.session.commit()
    login(stranger)
    assert client.get(url).status_code == 404
    assert client.get("/bookings/999999.ics").status_code == 404
    login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert (
        response.headers["Content-Disposition"] == f"attachment; filename=booking-{booking.id}.ics"
    )
    (event,) = parse_everywhere(response.data)
    assert event["uid"] == uid(booking)


# --- subscribe links on the pages ----------------------------------------------------------


def test_resource_and_site_pages_offer_https_and_webcal_links(client, room):
    db.session.commit()
    page = client.get("/resources/salle-iroise").get_data(as_text=True)
    assert 'value="http://salles.test/feeds/resources/salle-iroise.ics"' in page
    assert 'href="webcal://salles.test/feeds/resources/salle-iroise.ics"' in page
    for app_name in ("Thunderbird", "Google Agenda", "Calendrier d’Apple", "Outlook"):
        assert app_name in page
    site_page = client.get(f"/sites/{room.site.slug}", headers={"Host": "evil.example"})
    text = site_page.get_data(as_text=True)
    assert f"webcal://salles.test/feeds/sites/{room.site.slug}.ics" in text
    assert "evil.example" not in text


def test_kept_event_texts_give_the_same_feed_as_a_fresh_build(app, now, room):
    from_cache = app.extensions["feed_event_cache"]
    bookings = [book(room, (2026, 10, d), is_public=d % 2 == 0) for d in range(5, 12)]
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        feed = feeds.resource_feed("salle-iroise", "http://salles.test")
        fresh = feeds.build_feed(feed, now=NOW, base_url="http://salles.test")
        rows = feeds.load_bookings(feed, NOW)
        whole = bookings_calendar(
            rows,
            feed.places,
            name=feed.name,
            detail=feed.detail,
            base_url="http://salles.test",
            window=(date(2026, 7, 3), date(2027, 10, 1)),
            people=feeds._people_for(rows, feed.detail),
            source_url="http://salles.test/feeds/resources/salle-iroise.ics",
        )
        assert fresh == whole.to_ical()  # spliced events: the library's own text
        first = feeds.build_feed(feed, now=NOW, base_url="http://salles.test", events=from_cache)
        assert len(from_cache) == len(bookings)
        bookings[0].title = "Changé"
        bookings[0].sequence += 1
        db.session.commit()
        second = feeds.build_feed(feed, now=NOW, base_url="http://salles.test", events=from_cache)
    assert first == fresh
    assert len(from_cache) == len(bookings) + 1  # only the changed event was made again
    assert second != first
    assert second.count(b"BEGIN:VEVENT") == len(bookings)


def test_feed_cache_is_bounded_and_keeps_one_version_per_feed():
    cache = feeds.FeedCache(max_entries=2, max_bytes=10)
    cache.put(("a", "1"), b"aaaa")
    cache.put(("a", "2"), b"aaaa")  # a newer version of feed a replaces the old one
    assert cache.get(("a", "1")) is None
    assert len(cache) == 1
    cache.put(("b", "1"), b"bbbb")
    cache.put(("c", "1"), b"cccc")  # three feeds, room for two: the least recent goes
    assert cache.get(("a", "2")) is None
    assert cache.get(("c", "1")) == b"cccc"
    cache.put(("d", "1"), b"d" * 11)  # larger than the whole cache: not kept
    assert cache.get(("d", "1")) is None


def test_private_feed_answers_304_too_and_not_for_a_deactivated_account(
    client, now, room, member, login, builds
):
    book(room, (2026, 10, 5), association=member.associations[0])
    db.session.commit()
    login(member)
    client.post("/account/calendar-feed/new")
    url = f"/feeds/private/{_token(client)}.ics"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert len(builds) == 1
    head = client.head(url)
    assert head.status_code == 200
    assert head.headers["ETag"] == first.headers["ETag"]

    member.is_active_account = False
    db.session.commit()
    assert client.get(url).status_code == 404


def test_profile_page_shows_the_private_feed_and_regeneration_comes_back_to_it(
    client, now, member, login
):
    login(member)
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'action="/account/calendar-feed/new"' in page
    response = client.post(
        "/account/calendar-feed/new", data={"next": "/account/profile"}, follow_redirects=True
    )
    assert response.request.path == "/account/profile"
    assert "webcal://salles.test/feeds/private/" in response.get_data(as_text=True)


# --- private and single-booking validators cover every field they show ------------------


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (
            lambda booking: setattr(booking.resource.site, "name", "MPT de Bellevue"),
            "MPT de Bellevue",
        ),
        (lambda booking: setattr(booking.resource.site, "address", "1 rue Jaurès"), "1 rue Jaurès"),
        (lambda booking: setattr(booking.association, "name", "Brest à vélo"), "Brest à vélo"),
        (lambda booking: setattr(booking.requester, "display_name", "Rozenn K."), "Rozenn K."),
        (lambda booking: setattr(booking.resource, "name", "Salle Ouessant"), "Salle Ouessant"),
    ],
    ids=["site-name", "site-address", "association-name", "requester-name", "resource-name"],
)
@pytest.mark.parametrize("feed", ["private", "booking"])
def test_a_rename_shown_by_a_private_feed_changes_its_validator_and_text(
    client, now, room, member, login, change, shown, feed
):
    booking = book(room, (2026, 10, 5), association=member.associations[0], requester=member)
    db.session.commit()
    login(member)
    if feed == "private":
        client.post("/account/calendar-feed/new")
        url = f"/feeds/private/{_token(client)}.ics"
    else:
        url = f"/bookings/{booking.id}.ics"
    first = client.get(url)
    assert first.status_code == 200
    assert shown not in unfolded(first.data)
    change(booking)
    db.session.commit()
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert shown in unfolded(again.data)


# --- the hour repeated by the autumn clock change ------------------------------------------


def test_events_in_the_repeated_autumn_hour_are_read_alike_by_every_parser(client, now, room):
    """2026-10-25: 02:00-03:00 happens twice in Brest (00:00-01:00 and 01:00-02:00 UTC)."""
    utc = lambda hour, minute=0: datetime(2026, 10, 25, hour, minute, tzinfo=UTC)  # noqa: E731
    periods = {
        "first": (utc(0), utc(1)),  # 02:00-03:00 CEST
        "second": (utc(1), utc(2)),  # 02:00-03:00 CET, the repeated hour
        "across": (utc(0, 30), utc(1, 30)),  # 02:30 CEST to 02:30 CET
        "before": (utc(0) - timedelta(hours=1), utc(0)),  # 01:00-02:00 CEST
        "after": (utc(2), utc(3)),  # 03:00-04:00 CET
    }
    bookings = {}
    for n, (name, (start, end)) in enumerate(periods.items()):
        other = make_resource_for(room, n)
        bookings[name] = factories.make_booking(other, start, end, is_public=True, title=name)
    db.session.commit()
    data = client.get("/feeds/public.ics").data
    events = {e["summary"]: e for e in parse_everywhere(data)}
    for name, (start, end) in periods.items():
        assert (events[name]["start"], events[name]["end"]) == (start, end), name
    text = unfolded(data)
    assert f"UID:{uid(bookings['second'])}" in text
    assert "DTSTART:20261025T010000Z" in text  # the repeated hour in UTC
    assert "DTSTART;TZID=Europe/Paris:20261025T030000" in text  # others stay local


def make_resource_for(room, n: int):
    """Rooms of one site side by side: the repeated-hour events must not overlap in one."""
    if n == 0:
        return room
    return factories.make_resource(room.site, name=f"Salle {n}", slug=f"salle-{n}")

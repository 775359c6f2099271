"""The measured pages issue as many SQL statements on small data as on twice the data (no N+1).

Each test builds a small world, counts the statements of one request, doubles the world
(twice the rooms, twice the bookings in every room and window, twice the associations)
and counts again: the counts must be equal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from urllib.parse import urlencode

import pytest

from booking.auth.models import Association, User
from booking.bookings.models import Booking, BookingSeries, BookingState
from booking.extensions import db as _db
from booking.resources.models import Resource, Site
from booking.timeutil import local_datetime, local_today, to_utc
from tests import factories
from tests.statements import recorded_statements as counting

PAST_DAY = date(2026, 9, 29)  # a Tuesday: the day, week and month pages show a fixed date


def _future_tuesday() -> date:
    day = local_today() + timedelta(days=14)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _slot(i: int) -> tuple[time, time]:
    """Booking slot i of a day: 08:00–09:00, 09:30–10:30, ... (up to 8 a day)."""
    minutes = 8 * 60 + 90 * i
    return time(minutes // 60, minutes % 60), time((minutes + 60) // 60, (minutes + 60) % 60)


@dataclass
class World:
    """Ids and slugs only: the session is emptied before each counted request."""

    site_id: int
    site_slug: str
    room_ids: list[int] = field(default_factory=list)
    room_slugs: list[str] = field(default_factory=list)
    association_ids: list[int] = field(default_factory=list)
    per_day: int = 0
    rooms_done: int = 0
    member_id: int | None = None


def _days(day: date) -> list[date]:
    """The days that get bookings: the whole week of `day`, and the 1st and 20th of its month."""
    monday = day - timedelta(days=day.weekday())
    return sorted({monday + timedelta(days=n) for n in range(5)} | {day.replace(day=1)})


def build(world: World | None, size: int) -> World:
    """Grow the world to `size` rooms, `size` associations and `size` bookings a day a room."""
    if world is None:
        site = factories.make_site("Visio")
        world = World(site_id=site.id, site_slug=site.slug)
        association = factories.make_association()
        world.association_ids.append(association.id)
        member = factories.make_member(association)
        world.member_id = member.id
    site = _db.session.get(Site, world.site_id)
    while len(world.association_ids) < size:
        world.association_ids.append(factories.make_association().id)
    while len(world.room_ids) < size:
        room = factories.make_resource(
            site, slug=f"qc-room-{len(world.room_ids)}", horizon_days=800, min_notice_minutes=60
        )
        world.room_ids.append(room.id)
        world.room_slugs.append(room.slug)
    days = _days(PAST_DAY) + _days(_future_tuesday())
    for room_index, room_id in enumerate(world.room_ids):
        room = _db.session.get(Resource, room_id)
        new_room = room_index >= world.rooms_done
        series = BookingSeries(
            resource_id=room_id,
            association_id=world.association_ids[0],
            rule="FREQ=WEEKLY;COUNT=2",
            first_start_local=local_datetime(PAST_DAY, time(19)).replace(tzinfo=None),
            duration_minutes=30,
            title="Série",
        )
        _db.session.add(series)
        _db.session.flush()
        for day in days:
            for i in range(0 if new_room else world.per_day, size):
                start, end = _slot(i)
                factories.make_booking(
                    room,
                    to_utc(local_datetime(day, start)),
                    to_utc(local_datetime(day, end)),
                    association=_db.session.get(
                        Association, world.association_ids[(i + room_index) % size]
                    ),
                    state="approved" if i % 3 else "pending",
                    is_public=i % 2 == 0,
                    title=f"Réunion {i}",
                    series_id=series.id if i % 4 == 1 else None,
                )
    world.rooms_done = len(world.room_ids)
    world.per_day = size
    _db.session.commit()
    _db.session.expunge_all()
    return world


def count_request(client, method: str, url: str, **kwargs) -> tuple[int, list[str], object]:
    _db.session.commit()
    _db.session.expunge_all()
    with counting() as statements:
        response = client.open(url, method=method, **kwargs)
    return response.status_code, statements, response


def _require(app, *endpoints: str) -> None:
    """These pages come from other branches; until merged, say so rather than fail on a 404."""
    missing = [e for e in endpoints if e not in app.view_functions]
    if missing:
        pytest.skip(f"not on this branch yet: {', '.join(missing)}")


def _assert_flat(small: list[str], large: list[str]) -> None:
    assert len(small) == len(large), (
        f"{len(small)} statements on small data, {len(large)} on twice the data:\n"
        + "\n---\n".join(large)
    )


ENDPOINTS = {
    "day grid": "schedule.day",
    "week": "schedule.week",
    "month": "schedule.month",
    "find a free room": "schedule.find",
}
PAGES = {
    "day grid": lambda w: f"/calendar/day?date={PAST_DAY}&site={w.site_slug}",
    "week": lambda w: f"/calendar/resources/{w.room_slugs[0]}/week?date={PAST_DAY}",
    "month": lambda w: f"/calendar/resources/{w.room_slugs[0]}/month?month={PAST_DAY:%Y-%m}",
    "find a free room": lambda w: (
        "/find?"
        + urlencode(
            {
                "date": _future_tuesday().isoformat(),  # 16:00–17:00 is free in every room
                "start": "16:00",
                "end": "17:00",
                "attendees": 2,
            }
        )
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_issues_as_many_statements_on_twice_the_data(app, client, db, page) -> None:
    _require(app, ENDPOINTS[page])
    world = build(None, 2)
    status, small, _ = count_request(client, "GET", PAGES[page](world))
    assert status == 200
    world = build(world, 4)
    status, large, _ = count_request(client, "GET", PAGES[page](world))
    assert status == 200
    _assert_flat(small, large)


def test_room_feed_and_its_304_issue_as_many_statements_on_twice_the_data(app, client, db) -> None:
    _require(app, "feeds.resource_ics")
    world = build(None, 2)
    url = f"/feeds/resources/{world.room_slugs[0]}.ics"
    status, small, response = count_request(client, "GET", url)
    assert status == 200
    etag = response.headers["ETag"]
    status, small_304, _ = count_request(client, "GET", url, headers={"If-None-Match": etag})
    assert status == 304

    world = build(world, 4)
    status, large, response = count_request(client, "GET", url)
    assert status == 200
    assert response.headers["ETag"] != etag  # the data changed: a cold build again
    etag = response.headers["ETag"]
    status, large_304, _ = count_request(client, "GET", url, headers={"If-None-Match": etag})
    assert status == 304
    _assert_flat(small, large)
    _assert_flat(small_304, large_304)


def _booking_form(world: World, day: date, start: str, end: str) -> tuple[str, dict]:
    url = "/reservations/new?" + urlencode({"resource": world.room_slugs[0]})
    return url, {
        "date": day.isoformat(),
        "start": start,
        "end": end,
        "title": "Assemblée",
        "purpose": "",
        "attendees": "4",
        "visibility": "private",
        "association": str(world.association_ids[0]),
        "repeat": "none",
        "submit": "1",
    }


def _plan_b_read(statement: str) -> bool:
    """A window query of the plan B (`bookings/alternatives.py`): opening hours, bookings and
    closures of a window, or the search for other rooms and their equipment."""
    head = statement.split("WHERE", 1)[0]
    return bool(
        re.search(r"FROM (opening_hours|booking|closure|resource_equipment)\b", head)
        or re.search(r"FROM resource JOIN site", head)
    )


def test_booking_post_and_its_refusal_issue_as_many_statements_on_twice_the_data(
    app, client, db, login
) -> None:
    _require(app, "reservations.new")
    world = build(None, 2)
    future = _future_tuesday()
    counts = {}
    for size, free_day in ((2, future + timedelta(days=1)), (4, future + timedelta(days=2))):
        if size == 4:
            world = build(world, 4)
        login(_db.session.get(User, world.member_id))
        url, form = _booking_form(world, free_day, "19:30", "20:00")
        status, accepted, _ = count_request(client, "POST", url, data=form)
        assert status in (302, 303)
        start, end = _slot(1)  # an approved booking of room 0 on the future Tuesday
        url, form = _booking_form(world, future, start.strftime("%H:%M"), end.strftime("%H:%M"))
        status, refused, _ = count_request(client, "POST", url, data=form)
        assert status == 422
        counts[size] = (accepted, refused)
    _assert_flat(counts[2][0], counts[4][0])
    _assert_flat(counts[2][1], counts[4][1])
    for accepted, refused in counts.values():
        # One transaction each (SQLite shows its BEGIN): nothing is read again after commit.
        assert sum(s.startswith("BEGIN") for s in accepted) <= 1
        assert sum(s.startswith("BEGIN") for s in refused) <= 1
        # The refusal undoes only its savepoint: what the page shows is not read again; only
        # the plan B reads after it (the room's free times, the other rooms that fit).
        undone = next(i for i, s in enumerate(refused) if s.startswith("ROLLBACK TO SAVEPOINT"))
        after = [s for s in refused[undone + 1 :] if s.lstrip().startswith("SELECT")]
        assert after, "no plan B"
        assert [s for s in after if not _plan_b_read(s)] == []
    created = _db.session.query(Booking).filter(Booking.title == "Assemblée").all()
    assert len(created) == 2
    assert all(b.state in (BookingState.PENDING, BookingState.APPROVED) for b in created)

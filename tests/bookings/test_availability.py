"""free_busy and find_free: intervals in UTC, local opening hours, DST days, filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, text

from booking.bookings.availability import find_free, free_busy
from booking.resources.models import Closure, Equipment, OpeningHours, ResourceEquipment
from booking.timeutil import local_datetime, local_day_bounds


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """A local wall-clock time as a UTC instant."""
    return local_datetime(day, time(hh, mm)).astimezone(UTC)


DAY = date(2027, 6, 15)  # a Tuesday in summer time (UTC+2)


def kinds(intervals) -> list[tuple[str, str, str]]:
    return [
        (i.kind, i.start_at.astimezone(UTC).strftime("%H:%M"), i.end_at.strftime("%H:%M"))
        for i in intervals
    ]


def test_free_busy_covers_the_window_with_hours_bookings_and_gaps(make_resource, make_booking):
    room = make_resource()  # site open 08:00-22:00 local every day
    make_booking(room, at(DAY, 9), at(DAY, 10), title="Secret", is_public=False)
    make_booking(room, at(DAY, 10), at(DAY, 11), title="Atelier ouvert", is_public=True)
    make_booking(room, at(DAY, 14), at(DAY, 15), state="pending")
    start, end = local_day_bounds(DAY)
    result = free_busy([room.id], start, end)[room.id]
    assert kinds(result) == [
        ("closed", "22:00", "06:00"),
        ("free", "06:00", "07:00"),
        ("approved", "07:00", "08:00"),
        ("approved", "08:00", "09:00"),  # touching bookings stay two intervals
        ("free", "09:00", "12:00"),
        ("pending", "12:00", "13:00"),
        ("free", "13:00", "20:00"),
        ("closed", "20:00", "22:00"),
    ]
    assert result[0].is_outside_hours
    assert result[2].label is None  # a private booking's title is never given
    assert result[3].label == "Atelier ouvert"
    assert result[5].pending == 1
    assert result[0].start_at == start
    assert result[-1].end_at == end


def test_free_busy_ignores_refused_cancelled_and_other_resources(make_resource, make_booking):
    room = make_resource()
    other = make_resource(site=room.site)
    make_booking(room, at(DAY, 9), at(DAY, 10), state="refused")
    make_booking(room, at(DAY, 10), at(DAY, 11), state="cancelled")
    make_booking(other, at(DAY, 9), at(DAY, 12))
    result = free_busy([room.id], at(DAY, 8), at(DAY, 12))
    assert kinds(result[room.id]) == [("free", "06:00", "10:00")]
    assert set(result) == {room.id}


def test_free_busy_accepts_loaded_resources_and_empty_windows(make_resource):
    room = make_resource()
    assert kinds(free_busy([room], at(DAY, 9), at(DAY, 10))[room.id]) == [
        ("free", "07:00", "08:00")
    ]
    assert free_busy([room.id], at(DAY, 10), at(DAY, 9)) == {room.id: []}
    with pytest.raises(ValueError):
        free_busy([room.id], datetime(2027, 6, 15, 9), datetime(2027, 6, 15, 10))


def test_approved_wins_over_pending_on_the_same_time(make_resource, make_booking):
    room = make_resource()
    make_booking(room, at(DAY, 9), at(DAY, 11), state="pending")
    booking = make_booking(room, at(DAY, 10), at(DAY, 12))
    result = free_busy([room.id], at(DAY, 9), at(DAY, 13))[room.id]
    assert kinds(result) == [
        ("pending", "07:00", "08:00"),
        ("approved", "08:00", "10:00"),
        ("free", "10:00", "11:00"),
    ]
    assert result[1].booking_id == booking.id


def test_closures_of_site_and_resource_show_with_their_label(make_resource, db):
    room = make_resource()
    db.session.add_all(
        [
            Closure(site_id=room.site_id, start_at=at(DAY, 12), end_at=at(DAY, 14), label="Fête"),
            Closure(resource_id=room.id, start_at=at(DAY, 16), end_at=at(DAY, 17), label="Panne"),
            Closure(
                site_id=room.site_id,
                start_at=at(DAY, 18),
                end_at=at(DAY + timedelta(1), 1),
                label="Soirée",
            ),
        ]
    )
    db.session.flush()
    result = free_busy([room.id], at(DAY, 10), at(DAY, 20))[room.id]
    assert [(i.kind, i.label) for i in result] == [
        ("free", None),
        ("closed", "Fête"),
        ("free", None),
        ("closed", "Panne"),
        ("free", None),
        ("closed", "Soirée"),
    ]
    assert result[-1].end_at == at(DAY, 20)  # clipped to the window


def test_resource_hours_replace_site_hours_and_split_ranges(make_resource, db):
    room = make_resource()
    tuesday = DAY.weekday()
    db.session.add_all(
        [
            OpeningHours(
                resource_id=room.id, weekday=tuesday, opens_at=time(9), closes_at=time(12)
            ),
            OpeningHours(
                resource_id=room.id, weekday=tuesday, opens_at=time(14), closes_at=time(18)
            ),
        ]
    )
    db.session.flush()
    result = free_busy([room.id], at(DAY, 8), at(DAY, 20))[room.id]
    assert kinds(result) == [
        ("closed", "06:00", "07:00"),
        ("free", "07:00", "10:00"),
        ("closed", "10:00", "12:00"),
        ("free", "12:00", "16:00"),
        ("closed", "16:00", "18:00"),
    ]


def test_a_site_without_hours_is_closed(make_site, make_resource):
    room = make_resource(site=make_site(hours={}))
    assert kinds(free_busy([room.id], at(DAY, 8), at(DAY, 20))[room.id]) == [
        ("closed", "06:00", "18:00")
    ]


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 10, 25), 25), (date(2027, 3, 28), 23), (date(2027, 6, 15), 24)],
)
def test_a_day_lasts_23_24_or_25_hours_and_hours_stay_local(make_site, make_resource, day, hours):
    always = {d: [(time(0), time(23, 59))] for d in range(7)}
    room = make_resource(site=make_site(hours=always))
    start, end = local_day_bounds(day)
    assert end - start == timedelta(hours=hours)
    result = free_busy([room.id], start, end)[room.id]
    assert [i.kind for i in result] == ["free", "closed"]
    assert result[0].end_at - result[0].start_at == timedelta(hours=hours, minutes=-1)


@pytest.mark.parametrize("day", [date(2026, 10, 25), date(2027, 3, 28)])
def test_opening_hours_on_clock_change_days_are_local_wall_clock(make_resource, make_booking, day):
    room = make_resource()  # 08:00-22:00 local
    make_booking(room, at(day, 18), at(day, 20))
    start, end = local_day_bounds(day)
    result = free_busy([room.id], start, end)[room.id]
    assert [(i.kind, i.start_at, i.end_at) for i in result] == [
        ("closed", start, at(day, 8)),
        ("free", at(day, 8), at(day, 18)),
        ("approved", at(day, 18), at(day, 20)),
        ("free", at(day, 20), at(day, 22)),
        ("closed", at(day, 22), end),
    ]
    offset = 1 if day.month == 10 else 2  # winter time after the October change
    assert result[1].start_at.hour == 8 - offset


def test_a_week_across_the_october_change_keeps_local_hours(make_resource):
    room = make_resource()
    monday = date(2026, 10, 19)
    start, end = local_day_bounds(monday)[0], local_day_bounds(monday + timedelta(6))[1]
    free = [i for i in free_busy([room.id], start, end)[room.id] if i.kind == "free"]
    assert [i.start_at.astimezone(UTC).hour for i in free] == [6] * 6 + [7]
    assert all(i.end_at - i.start_at == timedelta(hours=14) for i in free)


def test_open_lab_is_full_only_when_its_seats_are_taken(make_resource, make_booking):
    lab = make_resource(kind="open_lab", capacity=2)
    make_booking(lab, at(DAY, 18), at(DAY, 21))
    result = free_busy([lab.id], at(DAY, 18), at(DAY, 21))[lab.id]
    assert [(i.kind, i.taken) for i in result] == [("free", 1)]
    make_booking(lab, at(DAY, 18), at(DAY, 21))
    result = free_busy([lab.id], at(DAY, 18), at(DAY, 21))[lab.id]
    assert [(i.kind, i.taken) for i in result] == [("approved", 2)]


# find_free -----------------------------------------------------------------


@pytest.fixture
def town(db, make_site, make_resource):
    """Two sites, four resources, some equipment."""
    east = make_site("Maison Est", neighbourhood="Bellevue")
    west = make_site("Maison Ouest", neighbourhood="Recouvrance", is_wheelchair_accessible=True)
    camera = Equipment(name="Caméra", slug="camera")
    screen = Equipment(name="Écran", slug="ecran")
    db.session.add_all([camera, screen])
    db.session.flush()
    small = make_resource(east, name="Petite", capacity=4)
    big = make_resource(east, name="Grande", capacity=20)
    west_room = make_resource(west, name="Ouest", capacity=10)
    laser = make_resource(west, name="Laser", kind="machine", capacity=1)
    db.session.add_all(
        [
            ResourceEquipment(resource_id=big.id, equipment_id=camera.id),
            ResourceEquipment(resource_id=big.id, equipment_id=screen.id, quantity=2),
            ResourceEquipment(resource_id=west_room.id, equipment_id=camera.id),
        ]
    )
    db.session.flush()
    db.session.expire_all()
    return {
        "east": east,
        "west": west,
        "camera": camera,
        "screen": screen,
        "small": small,
        "big": big,
        "west_room": west_room,
        "laser": laser,
    }


def names(found) -> list[str]:
    return [f.resource.name for f in found]


def test_find_free_lists_everything_open_and_free_smallest_first(town):
    assert names(find_free(at(DAY, 14), at(DAY, 16), 1)) == ["Laser", "Petite", "Ouest", "Grande"]


def test_find_free_filters_by_capacity(town):
    found = find_free(at(DAY, 14), at(DAY, 16), 8)
    assert names(found) == ["Ouest", "Grande"]
    assert found[0].capacity == 10
    assert found[0].attendees == 8
    assert names(find_free(at(DAY, 14), at(DAY, 16), 21)) == []


def test_find_free_needs_every_equipment_asked(town):
    camera, screen = town["camera"].id, town["screen"].id
    assert names(find_free(at(DAY, 14), at(DAY, 16), 2, [camera])) == ["Ouest", "Grande"]
    found = find_free(at(DAY, 14), at(DAY, 16), 2, [camera, screen])
    assert names(found) == ["Grande"]
    assert found[0].equipment == [("Caméra", 1), ("Écran", 2)]


def test_find_free_filters_by_neighbourhood_site_and_kind(town):
    window = (at(DAY, 14), at(DAY, 16), 1)
    assert names(find_free(*window, neighbourhood="Recouvrance")) == ["Laser", "Ouest"]
    assert names(find_free(*window, site_id=town["east"].id)) == ["Petite", "Grande"]
    assert names(find_free(*window, kind="makerspace")) == ["Laser"]
    assert names(find_free(*window, kind="visio")) == ["Petite", "Ouest", "Grande"]
    assert names(find_free(*window, kind="unknown")) == []


def test_find_free_says_why_it_fits(town):
    found = {f.resource.name: f for f in find_free(at(DAY, 14), at(DAY, 16), 3)}
    assert found["Ouest"].wheelchair_accessible is True
    assert found["Petite"].wheelchair_accessible is False
    assert found["Petite"].seats_left is None


def test_find_free_leaves_out_closed_resources(town, db):
    db.session.add(
        Closure(site_id=town["east"].id, start_at=at(DAY, 15), end_at=at(DAY, 17), label="Fête")
    )
    db.session.add(
        Closure(
            resource_id=town["laser"].id, start_at=at(DAY, 8), end_at=at(DAY, 14), label="Panne"
        )
    )
    db.session.flush()
    # The laser's closure ends as the search starts: touching is not overlapping.
    assert names(find_free(at(DAY, 14), at(DAY, 16), 1)) == ["Laser", "Ouest"]


def test_find_free_needs_opening_hours_for_the_whole_interval(town):
    assert names(find_free(at(DAY, 21), at(DAY, 22), 1)) == ["Laser", "Petite", "Ouest", "Grande"]
    assert names(find_free(at(DAY, 21), at(DAY, 23), 1)) == []
    assert names(find_free(at(DAY, 7), at(DAY, 9), 1)) == []


def test_an_approved_booking_blocks_but_a_pending_request_does_not(town, make_booking):
    make_booking(town["small"], at(DAY, 15), at(DAY, 16))
    make_booking(town["big"], at(DAY, 13), at(DAY, 17), state="pending")
    make_booking(town["west_room"], at(DAY, 12), at(DAY, 14))  # touches
    make_booking(town["laser"], at(DAY, 14), at(DAY, 15), state="cancelled")
    found = find_free(at(DAY, 14), at(DAY, 16), 1)
    assert names(found) == ["Laser", "Ouest", "Grande"]
    assert [f.pending for f in found] == [0, 0, 1]


def test_find_free_counts_open_lab_seats(make_resource, make_booking):
    lab = make_resource(kind="open_lab", capacity=3, name="Atelier")
    make_booking(lab, at(DAY, 18), at(DAY, 21), attendees=2)
    found = find_free(at(DAY, 18), at(DAY, 21), 1)
    assert names(found) == ["Atelier"]
    assert found[0].seats_left == 1
    assert find_free(at(DAY, 18), at(DAY, 21), 2) == []


def test_find_free_refuses_empty_intervals_and_no_people(town):
    assert find_free(at(DAY, 16), at(DAY, 14), 1) == []
    assert find_free(at(DAY, 14), at(DAY, 16), 0) == []


def test_find_free_skips_resources_that_are_not_bookable(town, db):
    town["laser"].is_bookable = False
    db.session.flush()
    assert "Laser" not in names(find_free(at(DAY, 14), at(DAY, 16), 1))


def test_an_approved_booking_kept_inside_a_block_stays_visible(make_resource, make_booking, db):
    room = make_resource()
    kept = make_booking(room, at(DAY, 14), at(DAY, 16), title="AG maintenue")
    make_booking(room, at(DAY, 12), at(DAY, 13), title="En attente", state="pending")
    db.session.add(
        Closure(
            resource_id=room.id,
            start_at=at(DAY, 11),
            end_at=at(DAY, 18),
            label="Travaux",
            source="block",
        )
    )
    db.session.flush()
    result = free_busy([room.id], at(DAY, 11), at(DAY, 18))[room.id]
    assert [(i.kind, i.label, i.booking_id) for i in result] == [
        ("closed", "Travaux", None),  # a pending request does not show through a block
        ("approved", None, kept.id),  # private: no title
        ("closed", "Travaux", None),
    ]


def test_a_long_approved_booking_hides_a_room_behind_later_requests(town, make_booking):
    # The approved booking began before the search; requests that start later inside it
    # (pending, cancelled, refused) do not make the room look free.
    make_booking(town["small"], at(DAY, 13), at(DAY, 17))
    make_booking(town["small"], at(DAY, 15), at(DAY, 15, 30), state="pending")
    make_booking(town["small"], at(DAY, 15, 30), at(DAY, 16), state="cancelled")
    # An approved booking that ended before the search, then a later pending request.
    make_booking(town["big"], at(DAY, 10), at(DAY, 14))
    make_booking(town["big"], at(DAY, 14, 30), at(DAY, 15), state="pending")
    # Approved bookings that start at or after the search's end do not count.
    make_booking(town["west_room"], at(DAY, 16), at(DAY, 18))
    assert names(find_free(at(DAY, 14), at(DAY, 16), 1)) == ["Laser", "Ouest", "Grande"]
    assert names(find_free(at(DAY, 12), at(DAY, 13), 1)) == ["Laser", "Petite", "Ouest"]


def test_find_free_probes_each_room_on_the_approved_bookings_index(town, db, make_booking):
    """Find a free room checks every room of the city: each check reads the partial index
    of approved exclusive bookings (the last one to start before the interval's end),
    not a month of bookings (issue 17, scale 100: 1,500 rooms)."""
    start = at(DAY, 8) - timedelta(days=60)
    for room in ("small", "big", "west_room"):
        for day in range(60):
            for hour, state in ((9, "approved"), (11, "pending"), (14, "approved")):
                begins = start + timedelta(days=day, hours=hour - 8)
                make_booking(town[room], begins, begins + timedelta(hours=1), state=state)
    db.session.commit()
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if not postgresql:
        pytest.skip("the partial index exists on PostgreSQL only")
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # As after a day's autovacuum: statistics and the visibility map.
        conn.execute(text("VACUUM ANALYZE booking"))
    sent: list[tuple] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        find_free(at(DAY, 14), at(DAY, 16), 1)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    statement, parameters = next((s, p) for s, p in sent if "FROM resource" in s and "booking" in s)
    plan = db.session.connection().exec_driver_sql("EXPLAIN " + statement, parameters).all()
    assert "ix_booking_approved_window" in "\n".join(row[0] for row in plan)

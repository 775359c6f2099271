"""The day grid's filters (issue 13, item 4) and its pages of rooms (issue 17): a GET form
whose choices follow the grid from day to day and page to page, and never more than a
page of rooms (and their bookings) read or shown at once."""

from __future__ import annotations

import re
from datetime import time, timedelta

from booking.extensions import db as _db
from booking.resources.models import Equipment, OpeningHours, ResourceEquipment
from tests import factories
from tests.schedule.conftest import DAY, FAR, at
from tests.statements import recorded_executions, selects

URL = f"/calendar/day?date={DAY.isoformat()}"


def rows_of(html: str) -> list[str]:
    """The room names of the grid's rows, in order."""
    return re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a></th>', html)


def _town(make_site, make_resource):
    camera = Equipment(name="Caméra", slug="camera")
    _db.session.add(camera)
    _db.session.flush()
    port = make_site("Maison du Port", neighbourhood="Recouvrance")
    haute = make_site("Maison Haute", neighbourhood="Bellevue")
    small = make_resource(port, name="Petite salle", capacity=4, horizon_days=FAR)
    big = make_resource(port, name="Grande salle", capacity=20, horizon_days=FAR)
    filmed = make_resource(haute, name="Salle filmée", capacity=10, horizon_days=FAR)
    laser = make_resource(haute, name="Découpeuse", kind="machine", capacity=1, horizon_days=FAR)
    _db.session.add(ResourceEquipment(resource_id=filmed.id, equipment_id=camera.id))
    _db.session.commit()
    return small, big, filmed, laser


def test_capacity_keeps_the_rooms_for_at_least_that_many_people(english, make_site, make_resource):
    _town(make_site, make_resource)
    html = english.get(URL + "&capacity=8").get_data(as_text=True)
    assert rows_of(html) == ["Salle filmée", "Grande salle"]  # by place: Haute, then du Port
    assert 'value="8"' in html  # the field keeps what was asked


def test_kind_equipment_and_neighbourhood_narrow_the_grid(english, make_site, make_resource):
    _town(make_site, make_resource)
    assert rows_of(english.get(URL + "&kind=machine").get_data(as_text=True)) == ["Découpeuse"]
    visio = rows_of(english.get(URL + "&kind=visio").get_data(as_text=True))
    assert "Découpeuse" not in visio
    assert len(visio) == 3
    assert rows_of(english.get(URL + "&equipment=camera").get_data(as_text=True)) == [
        "Salle filmée"
    ]
    assert rows_of(english.get(URL + "&neighbourhood=Recouvrance").get_data(as_text=True)) == [
        "Grande salle",
        "Petite salle",
    ]


def test_nothing_matching_says_so(english, make_site, make_resource):
    _town(make_site, make_resource)
    html = english.get(URL + "&capacity=400").get_data(as_text=True)
    assert rows_of(html) == []
    assert "No room matches these filters" in html


def test_the_filters_follow_to_the_previous_and_next_day(english, make_site, make_resource):
    _town(make_site, make_resource)
    html = english.get(URL + "&capacity=8&equipment=camera&kind=visio").get_data(as_text=True)
    following = (DAY + timedelta(days=1)).isoformat()
    nav = re.search(r'<nav class="calendar-nav".*?</nav>', html, re.S).group(0)
    assert (
        f'href="/calendar/day?date={following}&amp;kind=visio&amp;capacity=8&amp;equipment=camera"'
        in nav
    )
    assert 'href="/calendar/day?kind=visio&amp;capacity=8&amp;equipment=camera"' in nav  # today


def test_the_grid_cache_tells_filtered_grids_apart(english, make_site, make_resource):
    _town(make_site, make_resource)
    everything = rows_of(english.get(URL).get_data(as_text=True))
    assert len(everything) == 4
    assert rows_of(english.get(URL + "&capacity=15").get_data(as_text=True)) == ["Grande salle"]
    assert rows_of(english.get(URL).get_data(as_text=True)) == everything


def test_bad_filters_are_form_errors_and_keep_the_date(english, make_site, make_resource):
    _town(make_site, make_resource)
    response = english.get(URL + "&capacity=lots&equipment=unicorn")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give the number of people as a number" in html
    assert f'value="{DAY.isoformat()}"' in html
    assert len(rows_of(html)) == 4  # the bad filters are left out, the grid is still there


def _many_rooms(make_site, make_resource, count: int) -> list:
    """`count` rooms over a few places, each booked 09:00-10:00 on DAY."""
    sites = [make_site(f"Lieu {n:02d}") for n in range(4)]
    rooms = []
    for n in range(count):
        room = make_resource(
            sites[n % 4], name=f"Salle {n:03d}", capacity=5 + n % 7, horizon_days=FAR
        )
        rooms.append(room)
    association = factories.make_association()
    for room in rooms:
        factories.make_booking(room, at(DAY, 9), at(DAY, 10), association=association)
    _db.session.commit()
    return rooms


def test_the_all_places_grid_shows_one_page_of_rooms_with_links_to_the_others(
    app, english, make_site, make_resource, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 10)
    _many_rooms(make_site, make_resource, 60)
    first = english.get(URL).get_data(as_text=True)
    assert len(rows_of(first)) == 10
    assert "Rooms 1 to 10 of 60" in first
    pager = re.search(r'<nav class="pagination" aria-label="Pages of rooms">.*?</nav>', first, re.S)
    assert pager, "no labelled pagination"
    assert 'aria-current="page"' in pager.group(0)
    assert f"/calendar/day?date={DAY.isoformat()}&amp;page=2" in pager.group(0)
    second = english.get(URL + "&page=2").get_data(as_text=True)
    assert len(rows_of(second)) == 10
    assert set(rows_of(second)).isdisjoint(rows_of(first))
    last = english.get(URL + "&page=6").get_data(as_text=True)
    assert "Rooms 51 to 60 of 60" in last


def test_page_links_keep_the_filters(app, english, make_site, make_resource, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    _many_rooms(make_site, make_resource, 30)
    html = english.get(URL + "&capacity=8").get_data(as_text=True)
    pager = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
    assert f"date={DAY.isoformat()}&amp;capacity=8&amp;page=2" in pager


def _grid_reads(english, url: str) -> tuple[int, list[int]]:
    """(SELECT statements, ids bound in the bookings query) of one uncached page."""
    with recorded_executions() as executions:
        response = english.get(url)
    assert response.status_code == 200
    reads = selects([statement for statement, _values in executions])
    bookings = [
        values
        for statement, values in executions
        if re.search(r"FROM booking\b", statement) and "resource_id IN" in statement
    ]
    assert len(bookings) == 1, [s for s, _v in executions]
    ids = [v for v in bookings[0] if isinstance(v, int) and not isinstance(v, bool)]
    return len(reads), ids


def test_the_grid_reads_only_the_pages_rooms_and_their_bookings(
    app, english, make_site, make_resource, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 10)
    rooms = _many_rooms(make_site, make_resource, 60)
    reads, ids = _grid_reads(english, URL + "&page=3")
    shown = rows_of(english.get(URL + "&page=3").get_data(as_text=True))
    assert len(shown) == 10
    by_name = {room.name: room.id for room in rooms}
    assert sorted(ids) == sorted(by_name[name] for name in shown)
    # As many statements for a page of 60 rooms as for a place of 12 (one page, no count).
    few_reads, few_ids = _grid_reads(
        english, f"/calendar/day?date={(DAY + timedelta(1)).isoformat()}&capacity=11"
    )
    assert len(few_ids) < 10
    assert reads == few_reads + 1  # the count of all the rooms, needed for the page links
    assert reads <= 9


def test_the_hours_of_a_room_of_its_own_count_for_the_grid(english, make_site, make_resource):
    """A room with hours of its own in a place without any is offered."""
    room = make_resource(make_site(hours={}), name="Salle à part", horizon_days=FAR)
    _db.session.add(
        OpeningHours(
            resource_id=room.id, weekday=DAY.weekday(), opens_at=time(9), closes_at=time(12)
        )
    )
    _db.session.commit()
    assert rows_of(english.get(URL).get_data(as_text=True)) == ["Salle à part"]


def test_a_page_past_the_last_says_so_and_links_to_the_first(
    app, english, make_site, make_resource, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    _many_rooms(make_site, make_resource, 8)
    response = english.get(URL + "&page=9")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert rows_of(html) == []
    assert "There is no such page of rooms." in html
    assert f'href="/calendar/day?date={DAY.isoformat()}"' in html

"""Built grids are reused while nothing they show changes, and never served stale."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from booking.bookings.models import Booking, BookingState
from booking.extensions import db as _db
from booking.resources.models import Closure, OpeningHours
from booking.schedule import views
from tests.schedule.conftest import DAY, at
from tests.schedule.test_calendars import cells_of
from tests.statements import recorded_statements, selects

DAY_URL = f"/calendar/day?date={DAY.isoformat()}"
PAGES = [
    DAY_URL,
    f"/calendar/resources/salle-amarre/week?date={DAY.isoformat()}",
    f"/calendar/resources/salle-amarre/month?month={DAY:%Y-%m}",
]


def selects_of(client, url: str) -> tuple[str, list[str]]:
    _db.session.expunge_all()
    with recorded_statements() as statements:
        html = client.get(url).get_data(as_text=True)
    return html, selects(statements)


@pytest.mark.parametrize("url", PAGES)
def test_a_grid_shown_again_reads_no_booking(english, scene, url):
    first, cold = selects_of(english, url)
    again, warm = selects_of(english, url)
    assert again == first
    assert any("FROM booking" in s for s in cold)
    assert not any("FROM booking" in s for s in warm)
    assert len(warm) < len(cold)


@pytest.mark.parametrize("url", PAGES)
def test_a_new_booking_shows_at_once(english, scene, make_booking, url):
    english.get(url)
    make_booking(
        scene["first"], at(DAY, 16), at(DAY, 17), title="Répétition chorale", is_public=True
    )
    _db.session.commit()
    assert "Répétition chorale" in english.get(url).get_data(as_text=True)


@pytest.mark.parametrize("url", PAGES)
def test_a_cancelled_booking_leaves_at_once(english, scene, url):
    assert "Atelier public" in english.get(url).get_data(as_text=True)
    booking = _db.session.scalar(_db.select(Booking).where(Booking.title == "Atelier public"))
    booking.state = BookingState.CANCELLED
    _db.session.commit()
    assert "Atelier public" not in english.get(url).get_data(as_text=True)


def test_a_site_closure_and_new_hours_show_at_once(english, scene):
    english.get(DAY_URL)
    _db.session.add(
        Closure(site_id=scene["site"].id, start_at=at(DAY, 12), end_at=at(DAY, 13), label="Fête")
    )
    _db.session.commit()
    assert '<td class="slot-closed" colspan="2">Fête</td>' in cells_of(
        english.get(DAY_URL).get_data(as_text=True), "Salle Bouée"
    )
    before = english.get(DAY_URL).get_data(as_text=True)
    assert ">6:00\u202fAM<" not in before
    _db.session.add(
        OpeningHours(
            resource_id=scene["far"].id, weekday=DAY.weekday(), opens_at=time(6), closes_at=time(7)
        )
    )
    _db.session.commit()
    assert ">6:00\u202fAM<" in english.get(DAY_URL).get_data(as_text=True)


def test_renaming_a_room_or_its_site_shows_at_once(english, scene):
    english.get(DAY_URL)
    scene["second"].name = "Salle Bouée Bleue"
    scene["site"].name = "Maison du Port de Commerce"
    _db.session.commit()
    html = english.get(DAY_URL).get_data(as_text=True)
    assert "Salle Bouée Bleue" in html
    assert "Maison du Port de Commerce" in html


def test_each_language_has_its_own_grid(client, scene):
    english = client.get(DAY_URL, headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get(DAY_URL, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert ">Booked<" in english
    assert ">Réservé<" in french
    assert ">Réservé<" not in english


def test_todays_grid_moves_with_the_minute(english, scene, monkeypatch):
    """In the window that holds "now", slots turn past or too late to book as minutes go by."""
    assert scene["second"].min_notice_minutes == 60
    moment = at(DAY, 12, 29)
    monkeypatch.setattr(views, "utcnow", lambda: moment.replace(second=30))
    cells = cells_of(english.get(DAY_URL).get_data(as_text=True), "Salle Bouée")
    assert [c for c in cells if "at 1:30" in c]  # 13:30 is an hour away: bookable
    assert not [c for c in cells if "at 12:" in c or "at 1:00" in c]
    assert '<td class="slot-free slot-past" colspan="9">Past</td>' in cells  # 08:00–12:30
    assert '<td class="slot-off" colspan="2">Too late to book</td>' in cells  # 12:30–13:30
    monkeypatch.setattr(views, "utcnow", lambda: moment + timedelta(minutes=2))
    cells = cells_of(english.get(DAY_URL).get_data(as_text=True), "Salle Bouée")
    assert not [c for c in cells if "at 1:30" in c]
    assert '<td class="slot-free slot-past" colspan="10">Past</td>' in cells  # 08:00–13:00
    assert '<td class="slot-off" colspan="2">Too late to book</td>' in cells  # 13:00–14:00


def test_the_cache_is_bounded_and_can_be_turned_off(app, english, scene):
    cache = app.extensions["grid_cache"]
    limit = cache.max_entries
    try:
        cache.max_entries = 2
        for day in range(1, 6):
            english.get(f"/calendar/day?date={DAY.replace(day=day).isoformat()}")
        assert len(cache) == 2
        cache.clear()
        cache.max_entries = 0
        first, _ = selects_of(english, DAY_URL)
        again, warm = selects_of(english, DAY_URL)
        assert again == first
        assert len(cache) == 0
        assert any("FROM booking" in s for s in warm)
    finally:
        cache.max_entries = limit


def test_a_day_ahead_turns_too_late_to_book_when_the_notice_reaches_it(
    english, scene, db, monkeypatch
):
    """A window after now is keyed "ahead" only when the minimum notice cannot reach it."""
    scene["second"].min_notice_minutes = 12 * 60
    db.session.commit()
    eve = DAY - timedelta(days=1)
    monkeypatch.setattr(views, "utcnow", lambda: at(eve, 10))  # DAY 08:00 is 22 hours away
    cells = cells_of(english.get(DAY_URL).get_data(as_text=True), "Salle Bouée")
    assert "start=08:00" in cells[0]
    monkeypatch.setattr(views, "utcnow", lambda: at(eve, 20, 59))  # 08:00–09:00: too close
    cells = cells_of(english.get(DAY_URL).get_data(as_text=True), "Salle Bouée")
    assert cells[0] == '<td class="slot-off" colspan="2">Too late to book</td>'
    assert "start=09:00" in cells[1]


def test_a_day_beyond_the_horizon_becomes_bookable_the_next_morning(
    english, scene, db, monkeypatch
):
    scene["second"].horizon_days = 10
    db.session.commit()
    monkeypatch.setattr(views, "utcnow", lambda: at(DAY - timedelta(days=11), 12))
    cells = cells_of(english.get(DAY_URL).get_data(as_text=True), "Salle Bouée")
    assert "slot-free" not in "".join(cells)
    assert cells[0] == '<td class="slot-off" colspan="12">Not bookable yet</td>'  # to 14:00
    monkeypatch.setattr(views, "utcnow", lambda: at(DAY - timedelta(days=10), 12))
    cells = cells_of(english.get(DAY_URL).get_data(as_text=True), "Salle Bouée")
    assert "start=08:00" in cells[0]

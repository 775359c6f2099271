"""Open-lab sessions in the calendars: sessions with their seats, not half-hour cells."""

from __future__ import annotations

import html
from datetime import time

from booking.resources.models import OpeningHours
from tests.schedule.conftest import DAY, at


def _lab(db, make_site, make_resource, make_booking):
    site = make_site("Tyfab", hours={d: [(time(10), time(18))] for d in range(7)})
    lab = make_resource(
        site, kind="open_lab", name="Atelier ouvert", slug="atelier", capacity=2, horizon_days=3650
    )
    lab.opening_hours.append(
        OpeningHours(weekday=DAY.weekday(), opens_at=time(18), closes_at=time(21))
    )
    db.session.flush()
    for _ in range(2):
        make_booking(lab, at(DAY, 18), at(DAY, 21), state="approved")
    make_booking(lab, at(DAY, 18), at(DAY, 21), state="waitlisted")
    db.session.commit()
    return lab


def test_the_week_of_an_open_lab_lists_its_sessions_with_their_seats(
    english, db, make_site, make_resource, make_booking
):
    _lab(db, make_site, make_resource, make_booking)
    page = html.unescape(
        english.get(f"/calendar/resources/atelier/week?date={DAY.isoformat()}").get_data(
            as_text=True
        )
    )
    assert 'id="sessions"' in page
    assert 'id="week-grid"' not in page  # no half-hour cells
    row = page[page.index("Tuesday, June 18, 2030") :]
    row = row[: row.index("</tr>")]
    assert "Full · 1 person waiting" in row
    assert "Join the waiting list" in row
    assert "/reservations/new?resource=atelier&date=2030-06-18&start=18:00&end=21:00" in row


def test_the_resource_page_of_an_open_lab_shows_sessions(
    english, db, make_site, make_resource, make_booking
):
    lab = _lab(db, make_site, make_resource, make_booking)
    lab.opening_hours[0].weekday = 0  # Mondays: one session in every week shown
    db.session.commit()
    page = html.unescape(english.get("/resources/atelier").get_data(as_text=True))
    assert 'id="sessions"' in page
    assert 'id="week-grid"' not in page


def test_a_room_week_keeps_its_grid(english, scene):
    page = english.get(f"/calendar/resources/salle-amarre/week?date={DAY.isoformat()}")
    assert 'id="week-grid"' in page.get_data(as_text=True)
    assert 'id="sessions"' not in page.get_data(as_text=True)

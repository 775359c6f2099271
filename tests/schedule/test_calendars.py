"""The public calendars: day grid, week and month views."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from booking.bookings.rules import check_slot
from booking.db import utcnow
from booking.resources.models import Closure, Resource
from booking.timeutil import local_datetime, local_day_bounds
from tests.schedule.conftest import DAY, FAR, at


def cells_of(html: str, row_name: str) -> list[str]:
    """The <td> elements of the row whose header holds `row_name`, as raw HTML."""
    row = re.search(
        r"<tr(?: data-single)?><th scope=\"row\">(?:<a [^>]*>)?"
        + re.escape(row_name)
        + r".*?</tr>",
        html,
        re.S,
    )
    assert row, f"no row for {row_name}"
    return re.findall(r"<td[^>]*>.*?</td>", row.group(0), re.S)


def narrow(css: str, text: str) -> str:
    """A one-column cell: its pattern shows the state; its words are read out and a tooltip."""
    return f'<td class="{css}" title="{text}"><span class="visually-hidden">{text}</span></td>'


def headers_of(html: str) -> list[str]:
    thead = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    # The text read out: a half-hour's label is visually hidden, still in the header.
    cells = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", thead)
    return [re.sub(r"<[^>]+>", "", cell) for cell in cells]


# Day grid ------------------------------------------------------------------


def test_the_day_grid_is_a_table_of_rooms_by_half_hour(english, scene):
    response = english.get(f"/calendar/day?date={DAY.isoformat()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<caption" in html
    assert headers_of(html)[:3] == ["Room", "8:00\u202fAM", "8:30\u202fAM"]
    assert len(headers_of(html)) == 1 + 24  # 08:00-20:00
    for name in ("Salle Amarre", "Salle Bouée", "Salle Crête"):
        assert f">{name}</a></th>" in html
    assert '<th scope="rowgroup" colspan="25"><a href="/sites/' in html  # one group per site


def test_day_grid_cells_say_booked_pending_free_in_words(english, scene):
    html = english.get(f"/calendar/day?date={DAY.isoformat()}").get_data(as_text=True)
    first = cells_of(html, "Salle Amarre")
    assert first[2] == '<td class="slot-busy" colspan="2">Booked</td>'  # 09:00-10:00, private
    assert first[3] == '<td class="slot-busy" colspan="3">Atelier public</td>'  # public title
    assert "Conseil secret" not in html
    second = cells_of(html, "Salle Bouée")
    pending = [c for c in second if "slot-pending" in c]
    assert len(pending) == 1
    assert 'colspan="2"' in pending[0]
    assert '<span class="visually-hidden">Request pending</span></a>' in pending[0]
    assert "Demande privée" not in html
    free = second[0]
    assert 'class="slot-free"' in free
    assert (
        'href="/reservations/new?resource=salle-bouee&amp;date=2030-06-18&amp;start=08:00&amp;end=08:30"'
        in free
    )
    assert 'aria-label="Free: book Salle Bouée, 18/06 at 8:00\u202fAM"' in free


def test_day_grid_shows_closures_with_their_label(english, scene, db):
    db.session.add(
        Closure(
            site_id=scene["site"].id, start_at=at(DAY, 12), end_at=at(DAY, 13), label="Fête du port"
        )
    )
    db.session.commit()
    html = english.get(f"/calendar/day?date={DAY.isoformat()}").get_data(as_text=True)
    cells = cells_of(html, "Salle Bouée")
    assert '<td class="slot-closed" colspan="2">Fête du port</td>' in cells
    assert "Fête du port" not in "".join(cells_of(html, "Salle Crête"))


def test_day_grid_of_one_site(english, scene):
    html = english.get(f"/calendar/day?date={DAY.isoformat()}&site={scene['site'].slug}").get_data(
        as_text=True
    )
    assert "Salle Amarre" in html
    assert "Salle Crête" not in html
    assert 'scope="rowgroup"' not in html
    assert f'<option selected value="{scene["site"].slug}">' in html


def test_day_grid_links_to_the_previous_and_next_days(english, scene):
    html = english.get(f"/calendar/day?date={DAY.isoformat()}&site={scene['site'].slug}").get_data(
        as_text=True
    )
    assert f'href="/calendar/day?date=2030-06-17&amp;site={scene["site"].slug}" rel="prev"' in html
    assert f'href="/calendar/day?date=2030-06-19&amp;site={scene["site"].slug}" rel="next"' in html
    assert 'type="date"' in html


def test_day_grid_without_a_date_shows_today(english, scene):
    response = english.get("/calendar/day")
    assert response.status_code == 200
    assert "<table" in response.get_data(as_text=True)


def test_day_grid_of_an_unknown_site_is_not_found(english, scene):
    assert english.get("/calendar/day?site=nowhere").status_code == 404


def test_bad_dates_give_the_form_with_a_message(english, scene):
    for bad in ("garbage", "2030-02-30", "9999-01-01", "1-1-1"):
        response = english.get(f"/calendar/day?date={bad}")
        assert response.status_code == 400, bad
        html = response.get_data(as_text=True)
        assert 'id="date-error"' in html
        assert "<table" in html  # and today's grid


def test_past_slots_are_not_links(english, make_resource):
    room = make_resource(name="Salle Ancienne")
    html = english.get("/calendar/day?date=2020-01-07").get_data(as_text=True)
    cells = cells_of(html, room.name)
    assert cells
    assert all("<a " not in cell for cell in cells)
    assert ">Past<" in cells[0]


def test_a_day_without_opening_hours_is_closed(english, make_site, make_resource):
    sundays_only = {6: [(time(8), time(20))]}
    make_resource(make_site(hours=sundays_only), name="Salle Fermée")
    html = english.get(f"/calendar/day?date={DAY.isoformat()}").get_data(as_text=True)
    assert cells_of(html, "Salle Fermée") == ['<td class="slot-closed" colspan="24">Closed</td>']


def test_a_room_without_any_opening_hours_is_left_out_of_the_day_grid(
    english, make_site, make_resource
):
    """Issue 13, item 15: a new room is not offered until it has hours (its own or its site's)."""
    make_resource(make_site(hours={}), name="Salle Neuve")
    make_resource(make_site(), name="Salle Ouverte")
    html = english.get(f"/calendar/day?date={DAY.isoformat()}").get_data(as_text=True)
    assert "Salle Ouverte" in html
    assert "Salle Neuve" not in html


def test_the_grid_follows_the_clock_changes(english, make_site, make_resource):
    always = {d: [(time(0), time(23, 59))] for d in range(7)}
    make_resource(make_site(hours=always), name="Salle Nuit")
    autumn = headers_of(english.get("/calendar/day?date=2026-10-25").get_data(as_text=True))
    assert len(autumn) == 1 + 50  # a 25-hour day
    assert autumn.count("2:00\u202fAM") == 1  # then the same wall-clock hour again, marked
    assert autumn.count("2:00\u202fAM (repeated)") == 1
    assert autumn.index("2:00\u202fAM (repeated)") == autumn.index("2:00\u202fAM") + 2
    spring = headers_of(english.get("/calendar/day?date=2027-03-28").get_data(as_text=True))
    assert len(spring) == 1 + 46  # a 23-hour day
    assert "2:00\u202fAM" not in spring


def test_non_bookable_resources_are_left_out(english, make_resource):
    make_resource(name="Salle en travaux", is_bookable=False)
    assert "Salle en travaux" not in english.get("/calendar/day").get_data(as_text=True)


def test_calendars_are_in_the_menu(english, db):
    assert 'href="/calendar/day"' in english.get("/").get_data(as_text=True)


# Week ----------------------------------------------------------------------


def test_the_week_view_has_a_row_per_day(english, scene):
    response = english.get(f"/calendar/resources/salle-amarre/week?date={DAY.isoformat()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>', html)
    assert rows == [
        "Monday, June 17", "Tuesday, June 18", "Wednesday, June 19", "Thursday, June 20",
        "Friday, June 21", "Saturday, June 22", "Sunday, June 23",
    ]  # fmt: skip
    tuesday = cells_of(html, "Tuesday, June 18")
    assert tuesday[2] == '<td class="slot-busy" colspan="2">Booked</td>'
    assert "date=2030-06-19&amp;start=08:00" in cells_of(html, "Wednesday, June 19")[0]
    assert 'href="/calendar/resources/salle-amarre/week?date=2030-06-10" rel="prev"' in html
    assert 'href="/calendar/resources/salle-amarre/week?date=2030-06-24" rel="next"' in html


def test_the_week_marks_the_hour_skipped_in_spring(english, make_site, make_resource):
    always = {d: [(time(0), time(23, 59))] for d in range(7)}
    make_resource(make_site(hours=always), name="Salle Nuit", slug="salle-nuit")
    html = english.get("/calendar/resources/salle-nuit/week?date=2027-03-28").get_data(as_text=True)
    sunday = cells_of(html, "Sunday, March 28")
    assert sunday[4] == narrow("slot-closed", "No such time (clock change)")  # 02:00
    assert sunday[5] == narrow("slot-closed", "No such time (clock change)")  # 02:30
    assert "start=03:00" in sunday[6]
    assert "No such time" not in "".join(cells_of(html, "Saturday, March 27"))


def test_the_week_shows_the_hour_repeated_in_autumn(
    english, make_site, make_resource, make_booking
):
    always = {d: [(time(0), time(23, 59))] for d in range(7)}
    room = make_resource(make_site(hours=always), name="Salle Nuit", slug="salle-nuit")
    # 01:00-02:00 UTC on 2030-10-27: the second 02:00-03:00 in Brest (CET, after the change).
    make_booking(room, datetime(2030, 10, 27, 1, tzinfo=UTC), datetime(2030, 10, 27, 2, tzinfo=UTC))
    html = english.get("/calendar/resources/salle-nuit/week?date=2030-10-27").get_data(as_text=True)
    headers = headers_of(html)[1:]
    assert headers[4:9] == [
        "2:00\u202fAM", "2:30\u202fAM", "2:00\u202fAM (repeated)", "2:30\u202fAM (repeated)",
        "3:00\u202fAM",
    ]  # fmt: skip
    # 2030 is beyond the booking horizon: free half-hours merge as "not bookable yet".
    sunday = cells_of(html, "Sunday, October 27")
    assert sunday[0] == '<td class="slot-off" colspan="6">Not bookable yet</td>'  # to 02:30 CEST
    assert sunday[1] == '<td class="slot-busy" colspan="2">Booked</td>'  # the second 02:00-03:00
    saturday = cells_of(html, "Saturday, October 26")
    assert saturday[1] == narrow("slot-closed", "No such time (clock change)")
    assert saturday[2] == narrow("slot-closed", "No such time (clock change)")


def test_week_of_an_unknown_resource_is_not_found(english, db):
    assert english.get("/calendar/resources/nothing/week").status_code == 404


def test_week_with_a_bad_date_gives_the_form_with_a_message(english, scene):
    response = english.get("/calendar/resources/salle-amarre/week?date=yesterday")
    assert response.status_code == 400
    assert "Enter a valid date, for example 2026-09-29." in response.get_data(as_text=True)


def test_the_resource_page_shows_this_week(english, scene):
    html = english.get("/resources/salle-amarre").get_data(as_text=True)
    assert '<h2 id="availability-heading">This week' in html
    assert 'id="week-grid"' in html
    assert html.count('<tr><th scope="row">') == 7


# Month ---------------------------------------------------------------------


def test_the_month_view_lists_each_day(english, scene):
    response = english.get("/calendar/resources/salle-amarre/month?month=2030-06")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<caption" in html
    assert html.count('class="month-day"') == 30
    assert '<td class="outside"></td>' in html  # June 2030 starts on a Saturday
    day = re.search(r'date=2030-06-18">18</a>(.*?)</td>', html, re.S).group(1)
    assert (
        '<li class="slot-free"><a href="/reservations/new?resource=salle-amarre&amp;date=2030-06-18&amp;start=08:00&amp;end=09:00">'
        in day
    )
    assert '<li class="slot-busy">9:00\u202fAM–10:00\u202fAM Booked</li>' in day
    assert "10:00\u202fAM–11:30\u202fAM Atelier public" in day
    assert "start=11:30&amp;end=15:30" in day  # a free stretch, as long as the rules allow
    assert "Conseil secret" not in html
    assert 'href="/calendar/resources/salle-amarre/month?month=2030-05" rel="prev"' in html
    assert 'href="/calendar/resources/salle-amarre/month?month=2030-07" rel="next"' in html


def test_the_month_shows_closures_and_closed_days(english, make_site, make_resource, db):
    room = make_resource(make_site(hours={1: [(time(9), time(12))]}), slug="salle-mardi")
    db.session.add(
        Closure(resource_id=room.id, start_at=at(DAY, 9), end_at=at(DAY, 12), label="Inventaire")
    )
    holiday = date(2030, 6, 25)
    db.session.add(
        Closure(
            site_id=room.site_id,
            start_at=local_day_bounds(holiday)[0],
            end_at=local_day_bounds(holiday)[1],
            label="Fête nationale",
        )
    )
    db.session.commit()
    html = english.get("/calendar/resources/salle-mardi/month?month=2030-06").get_data(as_text=True)
    tuesday = re.search(r'date=2030-06-18">18</a>(.*?)</td>', html, re.S).group(1)
    assert "Inventaire" in tuesday
    monday = re.search(r'date=2030-06-17">17</a>(.*?)</td>', html, re.S).group(1)
    assert '<p class="slot-closed">Closed</p>' in monday
    holiday = re.search(r'date=2030-06-25">25</a>(.*?)</td>', html, re.S).group(1)
    assert '<li class="slot-closed">All day Fête nationale</li>' in holiday


def test_bad_months_give_the_form_with_a_message(english, scene):
    for bad in ("2026-13", "june", "0000-01"):
        response = english.get(f"/calendar/resources/salle-amarre/month?month={bad}")
        assert response.status_code == 400, bad
        assert 'id="month-error"' in response.get_data(as_text=True)


def test_month_of_an_unknown_resource_is_not_found(english, db):
    assert english.get("/calendar/resources/nothing/month").status_code == 404


def test_the_calendars_speak_french_by_default(client, scene):
    html = client.get(f"/calendar/day?date={DAY.isoformat()}").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Demande en attente" in html
    assert "Réservé" in html
    assert "08:00" in html


def test_month_and_week_link_each_other(english, scene):
    week = english.get(f"/calendar/resources/salle-amarre/week?date={DAY.isoformat()}")
    assert 'href="/calendar/resources/salle-amarre/month?month=2030-06"' in week.get_data(
        as_text=True
    )


# An all-day closure hides the hours under it but does not widen the grids (issue 11, item 8) --


def holiday(db, **where) -> None:
    start, end = local_day_bounds(DAY)
    db.session.add(Closure(start_at=start, end_at=end, label="Jour férié", **where))
    db.session.commit()


def test_an_all_day_closure_keeps_the_day_grid_to_the_opening_hours(english, scene, db):
    holiday(db, site_id=scene["site"].id)
    html = english.get(f"/calendar/day?date={DAY.isoformat()}").get_data(as_text=True)
    headers = headers_of(html)
    assert len(headers) == 1 + 24  # 08:00-20:00 for every place, as on any other day
    assert headers[1] == "8:00\u202fAM"
    assert headers[-1] == "7:30\u202fPM"
    # The closed place's rooms read the closure across the day (but for an approved booking
    # kept through it, which still takes place); the other place is open.
    assert_closed_all_day(cells_of(html, "Salle Amarre"))
    assert any("slot-free" in cell for cell in cells_of(html, "Salle Crête"))


def test_an_all_day_closure_keeps_the_week_to_the_opening_hours(english, scene, db):
    holiday(db, resource_id=scene["first"].id)
    url = f"/calendar/resources/salle-amarre/week?date={DAY.isoformat()}"
    html = english.get(url).get_data(as_text=True)
    assert len(headers_of(html)) == 1 + 24
    assert_closed_all_day(cells_of(html, "Tuesday, June 18"))


def assert_closed_all_day(cells: list[str]) -> None:
    """The row spans the 24 half-hours of the opening, closed but for kept bookings."""
    spans = [int(re.search(r'colspan="(\d+)"', c).group(1)) if "colspan" in c else 1 for c in cells]
    assert sum(spans) == 24
    assert '<td class="slot-closed" colspan="2">Jour férié</td>' in cells or any(
        "Jour férié" in c for c in cells
    )
    assert all("slot-closed" in c or "slot-busy" in c for c in cells)


# Never "Free" for a slot the form would refuse (issue 13, item 1) -------------------------


def free_links(html: str) -> list[tuple[str, str, str, str]]:
    """(resource, date, start, end) of every booking-form link of a page."""
    return re.findall(
        r'href="/reservations/new\?resource=([^&]+)&amp;date=([\d-]+)&amp;start=([\d:]+)&amp;end=([\d:]+)"',
        html,
    )


def test_every_link_of_the_grids_is_a_booking_the_form_accepts(english, scene, db):
    scene["first"].slot_step_minutes = 60
    scene["first"].min_duration_minutes = 90
    scene["second"].fixed_slots = True
    scene["second"].slot_step_minutes = 90
    db.session.commit()
    pages = [
        f"/calendar/day?date={DAY.isoformat()}",
        f"/calendar/resources/salle-amarre/week?date={DAY.isoformat()}",
        f"/calendar/resources/salle-bouee/week?date={DAY.isoformat()}",
        "/calendar/resources/salle-amarre/month?month=2030-06",
        "/calendar/resources/salle-bouee/month?month=2030-06",
    ]
    links = [link for url in pages for link in free_links(english.get(url).get_data(as_text=True))]
    assert len(links) > 50
    now = utcnow()
    for slug, day, start, end in links:
        resource = db.session.query(Resource).filter_by(slug=slug).one()
        on = date.fromisoformat(day)
        start_at = local_datetime(on, time.fromisoformat(start))
        end_at = local_datetime(on, time.fromisoformat(end))
        check_slot(resource, start_at, end_at, now)  # the form's rules: raises if refused


def test_cells_say_why_they_cannot_be_booked(english, scene, db):
    scene["first"].min_duration_minutes = 60  # 08:30–09:00 before a booking: too short
    scene["second"].horizon_days = 30  # DAY is years ahead
    db.session.commit()
    html = english.get(f"/calendar/day?date={DAY.isoformat()}").get_data(as_text=True)
    first = cells_of(html, "Salle Amarre")
    assert "start=08:00&amp;end=09:00" in first[0]
    assert first[1] == narrow("slot-off", "Not bookable")  # 08:30: one hour won't fit
    assert cells_of(html, "Salle Bouée")[0] == (
        '<td class="slot-off" colspan="12">Not bookable yet</td>'
    )
    assert ">Free<" not in "".join(cells_of(html, "Salle Bouée"))


def test_an_open_lab_cell_books_the_whole_session(english, make_site, make_resource):
    sessions = {d: [(time(14), time(17)), (time(18), time(21))] for d in range(7)}
    make_resource(make_site(hours=sessions), kind="open_lab", name="Atelier", horizon_days=FAR)
    html = english.get(f"/calendar/day?date={DAY.isoformat()}").get_data(as_text=True)
    links = {(s, e) for _slug, _day, s, e in free_links("".join(cells_of(html, "Atelier")))}
    assert links == {("14:00", "17:00"), ("18:00", "21:00")}


def test_past_days_of_the_month_read_past(english, make_site, make_resource):
    make_resource(name="Salle Ancienne", slug="salle-ancienne")
    html = english.get("/calendar/resources/salle-ancienne/month?month=2020-01").get_data(
        as_text=True
    )
    assert '<p class="slot-past">Past</p>' in html
    assert '<p class="slot-closed">' not in html  # open every day: no day reads "Closed"


def test_a_month_beyond_the_horizon_offers_nothing(english, scene, db):
    scene["first"].horizon_days = 30
    db.session.commit()
    html = english.get("/calendar/resources/salle-amarre/month?month=2030-06").get_data(
        as_text=True
    )
    assert not free_links(html)
    assert '<li class="slot-off">8:00\u202fAM–8:00\u202fPM Not bookable yet</li>' in html

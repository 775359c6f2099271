"""The "find a free room" search: the form, its errors, the results and why they fit."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from booking.resources.models import Equipment, ResourceEquipment, Training, UserTraining
from tests.schedule.conftest import DAY, FAR, at


@pytest.fixture
def camera(scene, db):
    item = Equipment(name="Caméra grand angle", slug="camera")
    db.session.add(item)
    db.session.flush()
    db.session.add(ResourceEquipment(resource_id=scene["first"].id, equipment_id=item.id))
    db.session.commit()
    return item


def search(client, **args) -> tuple[int, str]:
    query = "&".join(f"{k}={v}" for k, v in args.items())
    response = client.get(f"/find?{query}")
    return response.status_code, response.get_data(as_text=True)


def found_names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/resources/[^"]+">([^<]+)</a></h3>', html)


def error_of(html: str, field: str) -> str | None:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else None


WHEN = {"date": DAY.isoformat(), "start": "16:00", "end": "18:00"}


def test_the_empty_search_form_shows_no_results(english, camera):
    status, html = search(english)
    assert status == 200
    assert '<form method="get" action="/find"' in html
    assert 'type="date"' in html
    assert 'type="time"' in html
    assert '<input id="equipment-0" name="equipment" type="checkbox" value="camera">' in html
    assert '<option value="Recouvrance">Recouvrance</option>' in html
    assert "results-heading" not in html
    assert "csrf_token" not in html


def test_the_home_page_holds_the_search_form(english, camera):
    html = english.get("/").get_data(as_text=True)
    assert 'id="find-heading"' in html
    assert '<form method="get" action="/find"' in html
    assert 'value="camera"' in html


def test_a_search_lists_free_rooms_smallest_first_with_a_prefilled_link(english, scene):
    status, html = search(english, **WHEN, attendees=3)
    assert status == 200
    assert found_names(html) == ["Salle Bouée", "Salle Crête", "Salle Amarre"]
    assert (
        'href="/reservations/new?resource=salle-bouee&amp;date=2030-06-18&amp;start=16:00&amp;end=18:00'
        '&amp;attendees=3"' in html
    )
    assert "Room for 4 people: you are 3" in html
    # The heading counts rooms and says what was searched.
    assert "3 rooms are free and fit on Tuesday, June 18, 2030 from 16:00 to 18:00" in html


def test_the_search_filters_by_capacity_equipment_and_neighbourhood(english, camera):
    assert found_names(search(english, **WHEN, attendees=5)[1]) == ["Salle Crête", "Salle Amarre"]
    _, html = search(english, **WHEN, attendees=1, equipment="camera")
    assert found_names(html) == ["Salle Amarre"]
    assert "end=18:00&amp;attendees=1&amp;equipment=camera" in html  # carried into the form
    assert "Has: Caméra grand angle" in html
    _, html = search(english, **WHEN, attendees=1, neighbourhood="Bellevue")
    assert found_names(html) == ["Salle Crête"]
    _, html = search(english, **WHEN, attendees=1, kind="makerspace")
    assert found_names(html) == []
    assert "Nothing is free and fits at this time." in html


def test_an_approved_booking_hides_a_room_a_pending_request_does_not(english, scene):
    _, html = search(english, date=DAY.isoformat(), start="09:30", end="10:30")
    assert "Salle Amarre" not in found_names(html)  # approved bookings
    _, html = search(english, date=DAY.isoformat(), start="14:00", end="15:00")
    assert "Salle Bouée" in found_names(html)
    assert "1 request is already waiting for this time: you can still ask" in html


def test_a_closed_time_finds_nothing(english, scene):
    _, html = search(english, date=DAY.isoformat(), start="19:00", end="21:00")
    assert found_names(html) == []


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"start": "10:00", "end": "11:00"}, "date", "Give the date."),
        ({"date": "garbage", "start": "10:00", "end": "11:00"}, "date", "Enter a valid date"),
        ({"date": DAY.isoformat(), "end": "11:00"}, "start", "Give the start time."),
        ({"date": DAY.isoformat(), "start": "25:00", "end": "11:00"}, "start", "for example 14:00"),
        ({"date": DAY.isoformat(), "start": "11:00", "end": "10:00"}, "end", "The end must be after the start."),
        ({"date": DAY.isoformat(), "start": "11:00", "end": "11:00"}, "end", "The end must be after the start."),
        ({**WHEN, "attendees": "0"}, "attendees", "Give a number of people from 1 to 500."),
        ({**WHEN, "attendees": "many"}, "attendees", "as a number"),
        ({"date": "2020-01-07", "start": "10:00", "end": "11:00"}, "date", "This time has passed"),
        ({"date": "2027-03-28", "start": "02:30", "end": "04:00"}, "start", "does not exist on that day"),
        ({**WHEN, "equipment": "unicorn"}, "equipment", None),
    ],
)  # fmt: skip
def test_bad_searches_give_the_form_with_a_message_next_to_the_field(
    english, camera, args, field, message
):
    status, html = search(english, **args)
    assert status == 400
    assert "results-heading" not in html
    assert 'role="alert"' in html
    if message is None:
        assert '<p class="error">' in html
    else:
        assert message in (error_of(html, field) or "")
        assert f'aria-describedby="{field}-error"' in html


SESSIONS = {day: [(time(18), time(21))] for day in range(7)}  # one session a day, 18:00–21:00


def test_open_lab_results_give_the_seats_left(english, make_site, make_resource, make_booking):
    lab = make_resource(
        make_site(hours=SESSIONS),
        kind="open_lab",
        capacity=12,
        name="Atelier du jeudi",
        horizon_days=FAR,
    )
    make_booking(lab, at(DAY, 18), at(DAY, 21))
    _, html = search(english, date=DAY.isoformat(), start="18:00", end="21:00", kind="makerspace")
    assert found_names(html) == ["Atelier du jeudi"]
    assert "11 seats left" in html


# Every result is bookable as shown: the search asks the form's slot rules ------------------


def test_the_search_leaves_out_rooms_the_form_would_refuse_at_that_time(english, scene, db):
    scene["first"].min_notice_minutes = 10 * 365 * 24 * 60  # ten years' notice
    scene["second"].horizon_days = 30  # DAY is years ahead
    scene["far"].min_duration_minutes = 180  # 16:00–18:00 is too short
    db.session.commit()
    status, html = search(english, **WHEN, attendees=1)
    assert status == 200
    assert found_names(html) == []
    scene["far"].min_duration_minutes = 60
    scene["far"].max_duration_minutes = 90  # 16:00–18:00 is too long
    db.session.commit()
    assert found_names(search(english, **WHEN, attendees=1)[1]) == []
    scene["far"].max_duration_minutes = 240
    scene["far"].slot_step_minutes = 90  # from 08:00: 15:30, 17:00... not 16:00
    db.session.commit()
    assert found_names(search(english, **WHEN, attendees=1)[1]) == []
    scene["far"].slot_step_minutes = 60
    db.session.commit()
    assert found_names(search(english, **WHEN, attendees=1)[1]) == ["Salle Crête"]


def test_an_open_lab_is_found_only_for_a_whole_session(english, make_site, make_resource):
    make_resource(
        make_site(hours=SESSIONS), kind="open_lab", capacity=12, name="Atelier", horizon_days=FAR
    )
    when = {"date": DAY.isoformat(), "kind": "makerspace"}
    assert found_names(search(english, **when, start="18:00", end="20:00")[1]) == []
    assert found_names(search(english, **when, start="18:00", end="21:00")[1]) == ["Atelier"]


@pytest.fixture
def laser(db, make_site, make_resource):
    training = Training(name="Sécurité laser")
    db.session.add(training)
    db.session.flush()
    machine = make_resource(
        make_site(),
        kind="machine",
        name="Découpe laser",
        horizon_days=FAR,
        required_training_id=training.id,
    )
    db.session.commit()
    return machine


def test_a_machine_needing_a_training_is_found_for_who_holds_it_only(
    english, laser, login, member, db
):
    when = {"date": DAY.isoformat(), "start": "10:00", "end": "11:00", "kind": "makerspace"}
    _, html = search(english, **when)
    assert found_names(html) == ["Découpe laser"]  # anyone: told what it takes
    assert "Requires the training “Sécurité laser”" in html
    login(member)
    assert found_names(search(english, **when)[1]) == []
    db.session.add(
        UserTraining(
            user_id=member.id, training_id=laser.required_training_id, obtained_on=date(2026, 1, 1)
        )
    )
    db.session.commit()
    _, html = search(english, **when)
    assert found_names(html) == ["Découpe laser"]
    assert "Requires the training" not in html

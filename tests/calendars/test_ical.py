"""The pure iCalendar layer: serialization, time zone, detail levels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from booking.calendars.ical import (
    Detail,
    People,
    Place,
    bookings_calendar,
    serialize,
    timezone_component,
)
from tests.calendars.conftest import parse_icaljs_calendar

PARIS = ZoneInfo("Europe/Paris")
PLACE = Place("Salle Iroise", "https://s.test/resources/i", "MQ", "1 rue Sisley, Brest", 48.4, -4.5)
PEOPLE = People({1: "Les Amis du Vélo"}, {7: "Camille Martin"})


def fake_booking(n: int, **fields) -> SimpleNamespace:
    start = datetime(2026, 10, 20, 16, tzinfo=UTC) + timedelta(days=n)
    values = {
        "id": n,
        "uid": f"uid-{n}",
        "resource_id": 1,
        "association_id": 1,
        "requester_id": 7,
        "title": "Réunion, assemblée; générale " + "très longue " * 8,
        "purpose": "Ligne 1\nLigne 2 🎉 " + "é" * 80,
        "attendees": 5,
        "is_public": False,
        "state": "approved",
        "start_at": start,
        "end_at": start + timedelta(hours=2),
        "sequence": 0,
        "created_at": datetime(2026, 9, 1, tzinfo=UTC),
        "updated_at": datetime(2026, 9, 2, tzinfo=UTC),
    }
    values.update(fields)
    return SimpleNamespace(**values)


def calendar(bookings, detail=Detail.FULL):
    return bookings_calendar(
        bookings,
        {1: PLACE},
        name="Test",
        detail=detail,
        base_url="https://s.test",
        window=(date(2026, 7, 1), date(2027, 10, 1)),
        people=PEOPLE,
    )


def test_fast_serialization_is_byte_for_byte_the_librarys(app):
    with app.test_request_context():
        cal = calendar([fake_booking(n, is_public=n % 2 == 0) for n in range(40)])
        assert serialize(cal) == cal.to_ical()


@pytest.mark.parametrize(
    ("state", "detail", "status"),
    [
        ("approved", Detail.FULL, "CONFIRMED"),
        ("pending", Detail.FULL, "TENTATIVE"),
        ("waitlisted", Detail.FULL, "TENTATIVE"),
        ("refused", Detail.FULL, "CANCELLED"),
        ("cancelled", Detail.BUSY, "CANCELLED"),
        ("approved", Detail.BUSY, "CONFIRMED"),
    ],
)
def test_state_maps_to_status(app, state, detail, status):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        (event,) = calendar([fake_booking(1, state=state)], detail).walk("VEVENT")
    assert event["STATUS"] == status


def test_busy_detail_hides_everything_of_a_private_booking(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = serialize(calendar([fake_booking(1)], Detail.BUSY)).decode()
    assert "SUMMARY:Booked" in text
    for secret in ("Réunion", "Ligne", "Camille", "Amis", "DESCRIPTION", "/reservations/"):
        assert secret not in text


def test_full_detail_names_requester_association_state_and_booking_page(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        (event,) = calendar([fake_booking(3, state="pending")]).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "Requested by Camille Martin" in description
    assert "Organised by Les Amis du Vélo" in description
    assert "State: Awaiting approval" in description
    assert str(event["URL"]) == "https://s.test/reservations/3"


def test_vtimezone_agrees_with_tzdata_every_hour_around_the_clock_changes(app):
    """Read back by vobject (which uses the VTIMEZONE, not tzdata)."""
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
    text += timezone_component(date(2026, 7, 1), date(2027, 10, 1)).to_ical().decode()
    text += "END:VCALENDAR\r\n"
    cal = vobject.readOne(text)
    zone = cal.vtimezone.gettzinfo()
    for change in (datetime(2026, 10, 25, tzinfo=UTC), datetime(2027, 3, 28, tzinfo=UTC)):
        for hour in range(-6, 7):
            local = (change + timedelta(hours=hour)).astimezone(PARIS).replace(tzinfo=None)
            if local.hour in (2,):  # skipped or repeated wall-clock hour
                continue
            assert (
                local.replace(tzinfo=zone).utcoffset() == local.replace(tzinfo=PARIS).utcoffset()
            ), local


def test_calendar_name_and_description_are_escaped_text(app):
    """RFC 5545 3.3.11: `,` `;` `\\` and newlines of every TEXT property are escaped."""
    name = "Tyfab, lieu; de \\ fabrication\nnumérique"
    with app.test_request_context():
        cal = bookings_calendar(
            [fake_booking(1)],
            {1: PLACE},
            name=name,
            description=name,
            detail=Detail.FULL,
            base_url="https://s.test",
            window=(date(2026, 7, 1), date(2027, 10, 1)),
            people=PEOPLE,
        )
        data = serialize(cal)
    escaped = "Tyfab\\, lieu\\; de \\\\ fabrication\\nnumérique"
    lines = data.decode().replace("\r\n ", "").split("\r\n")
    for prop in ("NAME", "X-WR-CALNAME", "DESCRIPTION", "X-WR-CALDESC"):
        assert f"{prop}:{escaped}" in lines, prop
    # icalendar reads NAME as an unknown property (raw text): it checks DESCRIPTION.
    assert str(Calendar.from_ical(data)["DESCRIPTION"]) == name
    assert vobject.readOne(data.decode()).contents["x-wr-calname"][0].value == name
    parsed = parse_icaljs_calendar(data)
    if parsed is not None:  # ical.js keeps the text of a property it has no type for
        assert parsed["name"] == escaped

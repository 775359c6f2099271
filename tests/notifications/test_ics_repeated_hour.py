"""Invitations for the hour the autumn clock change repeats are read alike by every parser."""

from __future__ import annotations

from datetime import UTC, datetime

from booking.notifications.ical import booking_calendar
from tests import factories
from tests.calendars.conftest import parse_everywhere


def test_an_invitation_in_the_repeated_hour_names_the_right_instants(db):
    room = factories.make_resource(name="Salle Nuit")
    first = factories.make_booking(
        room, datetime(2026, 10, 25, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)
    )  # 02:00-03:00 CEST
    second = factories.make_booking(
        room, datetime(2026, 10, 25, 1, tzinfo=UTC), datetime(2026, 10, 25, 2, tzinfo=UTC)
    )  # 02:00-03:00 CET: the same wall-clock hour, again
    data = booking_calendar(
        [first, second],
        "REQUEST",
        organizer="Salles <no-reply@salles.test>",
        attendee="membre@example.org",
        base_url="http://salles.test",
    )
    events = {e["uid"]: e for e in parse_everywhere(data)}
    for booking in (first, second):
        event = events[f"{booking.uid}@salles.test"]
        assert (event["start"], event["end"]) == (booking.start_at, booking.end_at)
    assert b"DTSTART:20261025T010000Z" in data

"""No booking lasts longer than MAX_BOOKING_SPAN, so window queries may bound their scan."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking.bookings.availability import find_free, free_busy
from booking.bookings.errors import BookingRefused
from booking.bookings.models import MAX_BOOKING_SPAN
from booking.bookings.rules import approved_overlapping, check_duration
from booking.timeutil import to_utc

WINDOW_START = to_utc(datetime(2026, 9, 29, 0, 0))
WINDOW_END = to_utc(datetime(2026, 9, 30, 0, 0))


def test_a_booking_longer_than_the_span_is_never_stored(make_resource, make_booking) -> None:
    room = make_resource()
    start = to_utc(datetime(2026, 9, 1, 9, 0))
    with pytest.raises(ValueError, match="at most 31 days"):
        make_booking(room, start, start + MAX_BOOKING_SPAN + timedelta(minutes=1))


def test_a_booking_of_exactly_the_span_is_stored(make_resource, make_booking) -> None:
    room = make_resource()
    start = to_utc(datetime(2026, 9, 1, 9, 0))
    booking = make_booking(room, start, start + MAX_BOOKING_SPAN)
    assert booking.id is not None


def test_the_engine_refuses_longer_than_the_span_even_when_the_resource_allows_more(
    make_resource,
) -> None:
    room = make_resource(max_duration_minutes=60 * 24 * 60)  # the resource says 60 days
    start = to_utc(datetime(2026, 9, 1, 9, 0))
    check_duration(room, start, start + timedelta(days=20))
    with pytest.raises(BookingRefused) as refused:
        check_duration(room, start, start + timedelta(days=40))
    assert refused.value.rule == "duration"
    assert refused.value.field == "end_at"


def test_window_queries_still_see_a_booking_that_began_a_span_before(
    make_resource, make_booking
) -> None:
    room = make_resource(capacity=12)
    # Began (almost) a whole span before the window; ends at 12:00 on the window's day.
    start = WINDOW_START - MAX_BOOKING_SPAN + timedelta(hours=12)
    long = make_booking(room, start, start + MAX_BOOKING_SPAN)

    intervals = free_busy([room.id], WINDOW_START, WINDOW_END)[room.id]
    busy = [i for i in intervals if i.kind == "approved"]
    assert [(i.start_at, i.end_at, i.booking_id) for i in busy] == [
        (to_utc(datetime(2026, 9, 29, 8, 0)), long.end_at, long.id)
    ]
    morning = (to_utc(datetime(2026, 9, 29, 9, 0)), to_utc(datetime(2026, 9, 29, 10, 0)))
    assert approved_overlapping(room, *morning) == [long]
    assert find_free(*morning, attendees=1) == []
    afternoon = (to_utc(datetime(2026, 9, 29, 14, 0)), to_utc(datetime(2026, 9, 29, 15, 0)))
    assert [f.resource.id for f in find_free(*afternoon, attendees=1)] == [room.id]

"""The slot rules: `slots.broken_rule` (asked by the search and the calendars) agrees with the
request rules' `check_slot` (the form), and `first_booking` proposes what the form accepts."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from booking.bookings.errors import BookingRefused
from booking.bookings.rules import check_slot, opening_ranges
from booking.bookings.slots import broken_rule, first_booking
from booking.timeutil import to_local
from tests import factories
from tests.bookings.conftest import NOW, TUESDAY, at

SPRING_FORWARD = date(2026, 3, 29)  # 02:00 -> 03:00 in Brest
WEDNESDAY = TUESDAY + timedelta(days=1)


def form_rule(resource, start_at, end_at) -> str | None:
    try:
        check_slot(resource, start_at, end_at, NOW)
    except BookingRefused as refused:
        return refused.rule
    return None


def periods(days):
    """Every period between 00:00 and 24:00 starting and ending on quarter hours, up to 5 h."""
    for day in days:
        for start in range(0, 24 * 60, 15):
            for length in range(0, 5 * 60 + 1, 15):
                s = at(day, 0) + timedelta(minutes=start)
                yield s, s + timedelta(minutes=length)


@pytest.fixture
def resources(db):
    hours = {d: [(time(8), time(12)), (time(14), time(22))] for d in range(7)}
    site = factories.make_site(hours=hours)
    room = factories.make_resource(
        site,
        slot_step_minutes=60,
        min_duration_minutes=60,
        max_duration_minutes=180,
        min_notice_minutes=48 * 60,
        horizon_days=4,
    )
    machine = factories.make_resource(
        site, kind="machine", slot_step_minutes=90, fixed_slots=True, min_notice_minutes=30
    )
    lab = factories.make_resource(site, kind="open_lab", capacity=12, horizon_days=3)
    return [room, machine, lab]


def test_broken_rule_names_the_rule_the_form_refuses_with_for_every_period(resources):
    days = [NOW.date(), TUESDAY, TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=2)]
    checked = 0
    for resource in resources:
        ranges = {day: opening_ranges(resource, day) for day in days}
        for start_at, end_at in periods(days):
            day = to_local(start_at).date()
            expected = form_rule(resource, start_at, end_at)
            assert broken_rule(resource, start_at, end_at, NOW, ranges[day]) == expected, (
                resource.kind,
                to_local(start_at),
                to_local(end_at),
            )
            checked += 1
    assert checked > 10_000


def test_broken_rule_refuses_what_the_form_refuses_on_the_spring_clock_change(db):
    room = factories.make_resource(horizon_days=60, min_notice_minutes=0)
    ranges = opening_ranges(room, SPRING_FORWARD)
    for start_at, end_at in periods([SPRING_FORWARD]):
        assert broken_rule(room, start_at, end_at, NOW, ranges) == form_rule(room, start_at, end_at)


def test_first_booking_is_the_shortest_period_on_the_step_grid_that_the_form_accepts(resources):
    room, machine, lab = resources
    ranges = opening_ranges(room, WEDNESDAY)
    # 14:30 lies in the 14:00 step of a room booked by the hour: 14:00–15:00.
    assert first_booking(room, at(WEDNESDAY, 14, 30), ranges) == (
        at(WEDNESDAY, 14),
        at(WEDNESDAY, 15),
    )
    # Machines: fixed 90-minute slots from the opening; 10:00 is in 09:30–11:00.
    assert first_booking(machine, at(WEDNESDAY, 10), ranges) == (
        at(WEDNESDAY, 9, 30),
        at(WEDNESDAY, 11),
    )
    # An open-lab seat is the whole session.
    assert first_booking(lab, at(WEDNESDAY, 16), ranges) == (at(WEDNESDAY, 14), at(WEDNESDAY, 22))
    # Outside the opening hours, nothing.
    assert first_booking(room, at(WEDNESDAY, 12, 30), ranges) is None
    for resource in resources:
        for start in (at(WEDNESDAY, 9, 30), at(WEDNESDAY, 14), at(WEDNESDAY, 20, 30)):
            period = first_booking(resource, start, ranges)
            assert period is not None
            assert form_rule(resource, *period) is None, resource.kind

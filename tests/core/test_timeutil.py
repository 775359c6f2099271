"""Local time in Europe/Paris around the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from booking.timeutil import is_real_local_time, local_datetime, local_day_bounds, to_local, to_utc


def test_local_evening_maps_to_different_utc_hours_across_october_change() -> None:
    before = to_utc(datetime(2026, 10, 20, 18, 0))
    after = to_utc(datetime(2026, 10, 27, 18, 0))
    assert before.hour == 16  # CEST, UTC+2
    assert after.hour == 17  # CET, UTC+1


def test_day_lengths_on_the_last_sundays_of_march_and_october() -> None:
    start, end = local_day_bounds(date(2027, 3, 28))
    assert (end - start).total_seconds() == 23 * 3600
    start, end = local_day_bounds(date(2026, 10, 25))
    assert (end - start).total_seconds() == 25 * 3600


def test_spring_gap_is_not_a_real_local_time() -> None:
    assert not is_real_local_time(datetime(2027, 3, 28, 2, 30))
    assert is_real_local_time(datetime(2027, 3, 28, 3, 30))


def test_round_trip_keeps_wall_clock() -> None:
    instant = local_datetime(date(2027, 3, 30), time(18))
    assert to_local(instant.astimezone(UTC)).time() == time(18)

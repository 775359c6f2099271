"""Opening hours grouped for display and checks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from booking.resources.models import OpeningHours


def weekly_hours(ranges: Iterable[OpeningHours]) -> list[list[tuple[time, time]]]:
    """Seven lists (Monday first) of (opens, closes) local times, sorted."""
    week: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    for item in ranges:
        week[item.weekday].append((item.opens_at, item.closes_at))
    for day in week:
        day.sort()
    return week

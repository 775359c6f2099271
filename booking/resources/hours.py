"""Opening hours grouped for display and checks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from sqlalchemy import ColumnElement, exists, or_

from booking.resources.models import OpeningHours, Resource


def weekly_hours(ranges: Iterable[OpeningHours]) -> list[list[tuple[time, time]]]:
    """Seven lists (Monday first) of (opens, closes) local times, sorted."""
    week: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    for item in ranges:
        week[item.weekday].append((item.opens_at, item.closes_at))
    for day in week:
        day.sort()
    return week


def has_opening_hours() -> ColumnElement[bool]:
    """SQL: the resource has opening hours, its own or its site's.

    A resource without any is closed at every hour: it is not offered anywhere
    (grids, search, booking form, API) until an administrator gives it hours."""
    return or_(
        exists().where(OpeningHours.resource_id == Resource.id),
        exists().where(OpeningHours.site_id == Resource.site_id),
    )

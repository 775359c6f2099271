"""Built grids, kept between requests while nothing they show has changed.

A grid is a pure function of: its resources' calendars, the window, the language,
the application's root URL and the current instant as `grid_clock` reduces it
(nothing for a past window, today's date for one beyond the minimum notice, else
the minute). The calendars are named by each resource's `calendar_version` and
`updated_at`, which the database raises with every change a calendar shows
(`booking/resources/versions.py`) and which the page reads anyway with the
resources. The cache key holds all of these, so an entry is never stale: a change
makes a new key, and the old entry ages out of the LRU. One cache per process
(each gunicorn worker has its own); nothing is shared, nothing to invalidate.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from flask import Flask, current_app, request
from flask_babel import get_locale

from booking.lru import LRUCache
from booking.paging import page_size
from booking.resources.models import Resource
from booking.schedule.grid import Grid, week_days, week_grid, week_row_header
from booking.schedule.queries import DayStamp
from booking.timeutil import local_day_bounds, to_local

T = TypeVar("T")


def init_grid_cache(app: Flask) -> None:
    # config.GRID_CACHE_ENTRIES: a day grid takes ~32 kB, a month ~60 kB.
    app.extensions["grid_cache"] = LRUCache(app.config["GRID_CACHE_ENTRIES"])


_LAST_INSTANT = timedelta(minutes=1, microseconds=-1)


def grid_clock(
    now: datetime, start: datetime, end: datetime, notice: timedelta = timedelta(0)
) -> tuple[Hashable, datetime]:
    """How the current instant enters a grid of the window [start, end).

    A free cell is offered only if it is not past, not inside the resource's
    minimum notice and not beyond its horizon (`bookings/slots.py`). So a window
    wholly past does not depend on the instant; a window that starts at or after
    now + `notice` (the longest minimum notice of its resources) depends only on
    today's date, through the horizon; any other depends on the minute, so the
    grid is keyed by the minute and built for the minute's last instant: what
    is bookable then is bookable during the whole minute (a start only becomes
    past or too close as time goes on).
    Returns (the key's part, the instant to build for).
    """
    if now >= end:
        return "past", now
    if now + notice <= start:
        return ("ahead", to_local(now).date()), now
    minute = now.replace(second=0, microsecond=0)
    return minute, minute + _LAST_INSTANT


def grid_key(kind: str, key: tuple) -> tuple:
    """The full key of a grid: its kind, the language, the root URL and `key`."""
    return (kind, str(get_locale()), request.script_root, *key)


def cached_grid(kind: str, key: tuple, build: Callable[[], T]) -> T:
    """The grid `build()` makes, from the cache when this exact grid was built before."""
    cache: LRUCache = current_app.extensions["grid_cache"]
    full_key = grid_key(kind, key)
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.put(full_key, value)
    return value  # type: ignore[return-value]


class Calendar(Protocol):
    """What the keys read of a resource: a loaded `Resource`, or its `CalendarStamp`."""

    @property
    def id(self) -> int: ...
    @property
    def calendar_version(self) -> int: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def min_notice_minutes(self) -> int: ...


def calendar_key(resource: Calendar) -> tuple:
    """What names a resource's calendar: any change it shows changes one of these."""
    return (resource.id, resource.calendar_version, resource.updated_at)


def week_grid_key(resource: Calendar, day: date, now: datetime) -> tuple[tuple, datetime]:
    """The key of the week of `day` for one resource, and the instant to build it for."""
    days = week_days(day)
    start, end = local_day_bounds(days[0])[0], local_day_bounds(days[-1])[1]
    notice = timedelta(minutes=resource.min_notice_minutes)
    clock_key, at = grid_clock(now, start, end, notice)
    return (*calendar_key(resource), days[0], clock_key), at


def month_grid_key(resource: Calendar, first: date, now: datetime) -> tuple[tuple, datetime]:
    """The key of the month starting on `first` for one resource, and the instant to build
    it for."""
    following = (first + timedelta(days=32)).replace(day=1)
    start, end = local_day_bounds(first)[0], local_day_bounds(following - timedelta(days=1))[1]
    notice = timedelta(minutes=resource.min_notice_minutes)
    clock_key, at = grid_clock(now, start, end, notice)
    return (*calendar_key(resource), first, clock_key), at


def day_page_key(stamp: DayStamp, day: date, now: datetime) -> tuple:
    """The full key of the day grid page of `day`, with its address (`pages.cached_answer`):
    everything the page reads named by `stamp`, the size of its pages of rooms, the clock
    of `grid_clock` with the longest notice of any resource (keyed at least as finely as
    the grid of the rooms shown)."""
    start, end = local_day_bounds(day)
    notice = timedelta(minutes=stamp.max_notice_minutes)
    clock_key, _at = grid_clock(now, start, end, notice)
    return grid_key("day-page", (*stamp.parts, page_size(), day, clock_key))


def cached_week_grid(resource: Resource, day: date, now: datetime) -> Grid:
    """The week of `day` for one resource (week page, resource page), from the cache."""
    key, at = week_grid_key(resource, day, now)
    return cached_grid(
        "week", key, lambda: week_grid(resource, day, now=at, day_header=week_row_header)
    )

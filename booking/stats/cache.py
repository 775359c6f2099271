"""Statistics kept between requests while nothing they count has changed.

A year of figures aggregates every booking of the year: seconds of SQL on SQLite at the
benchmark's scale. The figures are a pure function of the period, the filters and the
calendars of the resources counted; each calendar is named by the resource's
`calendar_version` and `updated_at`, which the database raises with every change of its
bookings, closures, opening hours, site or of the name of an association that booked it
(`booking/resources/versions.py`). The key holds them all, so an entry is never stale: a
change makes a new key and the old entry ages out of the LRU. One cache per process;
only plain numbers and tuples are kept, never ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from flask import Flask, current_app, has_app_context

from booking.lru import LRUCache
from booking.resources.models import Resource

T = TypeVar("T")
EXTENSION = "stats_cache"


def init_stats_cache(app: Flask) -> None:
    app.extensions.setdefault(EXTENSION, LRUCache(app.config.get("STATS_CACHE_ENTRIES", 64)))


def calendar_keys(resources: Iterable[Resource]) -> tuple:
    """What names the calendars of these resources: any change they show changes it."""
    return tuple((r.id, r.calendar_version, r.updated_at) for r in resources)


def cached(kind: str, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """`build()`, from the cache when the same figures were built before."""
    cache: LRUCache | None = current_app.extensions.get(EXTENSION) if has_app_context() else None
    if cache is None:
        return build()
    full_key = (kind, *key)
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.put(full_key, value)
    return value  # type: ignore[return-value]

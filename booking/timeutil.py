"""Conversions between Europe/Paris wall-clock time and stored UTC instants.

Every instant is stored in UTC. People think in local time, so forms,
opening hours and recurrence are expressed in local time and converted here,
at the edges. Recurrence is expanded in local time so that a weekly 18:00
meeting stays at 18:00 across the daylight-saving changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Europe/Paris"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The service's time zone (TIMEZONE setting, Europe/Paris by default)."""
    if has_app_context():
        return _zone(current_app.config.get("TIMEZONE", DEFAULT_TIMEZONE))
    return _zone(DEFAULT_TIMEZONE)


def to_local(instant: datetime) -> datetime:
    """A UTC (or any aware) instant as local wall-clock time."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(local_zone())


def to_utc(local: datetime) -> datetime:
    """A local wall-clock time (naive or local-aware) as a UTC instant.

    Naive values are read in the service's zone. For the hour that does not
    exist in spring and the one that happens twice in autumn, zoneinfo's
    `fold=0` rule applies (the earlier reading).
    """
    if local.tzinfo is None:
        local = local.replace(tzinfo=local_zone())
    return local.astimezone(UTC)


def local_datetime(day: date, at: time) -> datetime:
    """The aware local datetime for a calendar day and a wall-clock time."""
    return datetime.combine(day, at, tzinfo=local_zone())


def is_real_local_time(local: datetime) -> bool:
    """False for wall-clock times skipped by the spring clock change."""
    aware = local if local.tzinfo else local.replace(tzinfo=local_zone())
    round_trip = aware.astimezone(UTC).astimezone(aware.tzinfo)
    return round_trip.replace(tzinfo=None) == aware.replace(tzinfo=None)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which a local calendar day starts and ends (23, 24 or 25 hours)."""
    start = local_datetime(day, time.min).astimezone(UTC)
    end = local_datetime(day + timedelta(days=1), time.min).astimezone(UTC)
    return start, end


def local_today() -> date:
    return datetime.now(UTC).astimezone(local_zone()).date()

"""The statistics rollup: each resource's bookings summed per local month, kept in the database.

A year of figures otherwise aggregates every booking of the year (1.8 million at the
benchmark's largest scale). The rollup holds, per resource and local calendar year,
what the statistics read of its bookings, summed by the local month (and day, and
weekday x hour) in which each booking starts:

- `stats_rollup`, one row per (resource, year): the resource's calendar version and
  `updated_at` the sums were made from (any change to its bookings raises the version,
  `booking/resources/versions.py`, so a row that names an older one is stale), the
  associations served (approved) with a bit per month, and the few bookings that run
  across a month's bound (kept whole, to clip them to any period made of months);
- `stats_month`, per (resource, month): counts by state, seconds, attendees, check-in
  figures, and the approved seconds of each day of the month;
- `stats_heat`, per (resource, month, weekday): requests by the local hour they start.

No foreign key: the rollup is a cache of the bookings, written outside the booking lock
order (`../shared/DESIGN.md`), and a row of a deleted resource is never read again.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, Float, Integer, SmallInteger, Table

from booking.bookings.models import BookingState
from booking.db import UTCDateTime
from booking.extensions import db

STATES = tuple(state.value for state in BookingState)
DAYS = tuple(f"d{n:02d}" for n in range(1, 32))
HOURS = tuple(f"h{n:02d}" for n in range(24))
# Summed per month besides a count per state (bookings starting in the month):
SUMS = (
    "approved_seconds",  # approved, whole length of each booking
    "seat_seconds",  # approved, length x attendees (open-lab seats)
    "attendees",  # approved
    "checked_in",  # any state
    "released_seconds",  # released: from the release to the booking's end
    "decided",  # approved or refused with a decision time (the median's count)
)


def _counts(names: tuple[str, ...]) -> list[Column]:
    return [Column(name, Integer, nullable=False, default=0) for name in names]


def _seconds(names: tuple[str, ...]) -> list[Column]:
    return [Column(name, Float, nullable=False, default=0.0) for name in names]


# What one resource's rollup of one year was made from, with the figures that do not add up
# month by month.
stats_rollup = Table(
    "stats_rollup",
    db.metadata,
    Column("resource_id", Integer, primary_key=True, autoincrement=False),
    Column("year", SmallInteger, primary_key=True, autoincrement=False),
    Column("calendar_version", Integer, nullable=False),
    Column("resource_updated_at", UTCDateTime(), nullable=False),
    # {association id: bit n set when served (an approved booking starts) in month n + 1}
    Column("served", JSON, nullable=False),
    # Bookings overlapping the year that run across the start of a local month or the end of
    # the year: [state, association id, start ISO, end ISO, attendees, checked in (0/1),
    # decided (0/1), released seconds]
    Column("crossing", JSON, nullable=False),
)

stats_month = Table(
    "stats_month",
    db.metadata,
    Column("resource_id", Integer, primary_key=True, autoincrement=False),
    Column("month", Date, primary_key=True),
    *_counts((*STATES, "attendees", "checked_in", "decided")),
    *_seconds(("approved_seconds", "seat_seconds", "released_seconds", *DAYS)),
)

stats_heat = Table(
    "stats_heat",
    db.metadata,
    Column("resource_id", Integer, primary_key=True, autoincrement=False),
    Column("month", Date, primary_key=True),
    Column("weekday", SmallInteger, primary_key=True, autoincrement=False),
    *_counts(HOURS),
)

"""CSV exports: UTF-8, comma separator, point as decimal separator, one header row.

The columns are documented on the open-data page and in the README; their names are
stable identifiers, not interface text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from booking.resources.models import ResourceKind
from booking.stats.figures import HOUR, Report

RESOURCE_COLUMNS = (
    "resource",
    "site",
    "kind",
    "open_hours",
    "booked_hours",
    "occupancy",
    "approved",
    "pending",
    "refused",
    "cancelled",
    "expired",
    "waitlisted",
    "attendees",
    "associations",
    "seat_fill_rate",
    "no_shows",
    "released_hours",
)
SERIES_COLUMNS = ("period_start", "booked_hours")
HEAT_COLUMNS = ("weekday", "hour", "requests")


def number(value: float | None, digits: int = 2) -> str:
    """A decimal with a point, or empty when there is no value."""
    return "" if value is None else f"{value:.{digits}f}"


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def resources_table(report: Report) -> str:
    rows = []
    for row in report.rows:
        is_lab = row.resource.kind is ResourceKind.OPEN_LAB
        rows.append(
            (
                row.resource.name,
                row.resource.site.name,
                row.resource.kind.value,
                number(row.open_seconds / HOUR),
                number(row.approved_seconds / HOUR),
                number(row.occupancy, 4),
                row.approved,
                row.pending,
                row.refused,
                row.cancelled,
                row.expired,
                row.waitlisted,
                row.attendees,
                row.associations,
                number(row.occupancy, 4) if is_lab else "",
                row.no_shows,
                number(row.released_seconds / HOUR),
            )
        )
    return to_csv(RESOURCE_COLUMNS, rows)


def series_table(report: Report) -> str:
    return to_csv(
        SERIES_COLUMNS, [(day.isoformat(), number(hours)) for day, hours in report.series]
    )


def heat_table(report: Report) -> str:
    return to_csv(
        HEAT_COLUMNS,
        [
            (weekday + 1, hour, report.heat[weekday][hour])
            for weekday in range(7)
            for hour in range(24)
        ],
    )

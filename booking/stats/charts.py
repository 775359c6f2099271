"""Geometry of the server-rendered SVG charts (the templates in templates/stats/ draw them).

Plain numbers only: the templates place rectangles, a polyline and cells, and print the
same figures in a data table beside each chart for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from booking.stats.figures import Report
from booking.stats.queries import ResourceFigures

BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, BAR_WIDTH = 22, 6, 220, 360


@dataclass
class Bar:
    label: str
    value: float  # 0..1 (may exceed 1 only on inconsistent data)
    y: int
    width: float


def occupancy_bars(rows: list[ResourceFigures]) -> tuple[list[Bar], int]:
    bars = []
    for index, row in enumerate(rows):
        value = row.occupancy or 0.0
        bars.append(
            Bar(
                label=row.resource.name,
                value=value,
                y=index * (BAR_HEIGHT + BAR_GAP),
                width=round(min(value, 1.0) * BAR_WIDTH, 1),
            )
        )
    return bars, max(len(bars) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT)


@dataclass
class Line:
    points: str  # "x,y x,y ..." for <polyline>
    dots: list[tuple[float, float, str, float]]  # x, y, label, hours
    max_hours: float
    width: int
    height: int


def hours_line(report: Report, width: int = 640, height: int = 220) -> Line:
    values = [hours for _day, hours in report.series]
    top = max(values, default=0.0) or 1.0
    step = width / max(len(values) - 1, 1)
    dots = []
    for index, (day, hours) in enumerate(report.series):
        x = round(index * step, 1)
        y = round(height - hours / top * height, 1)
        dots.append((x, y, day.isoformat(), hours))
    return Line(" ".join(f"{x},{y}" for x, y, *_ in dots), dots, top, width, height)


def heat_level(count: int, top: int) -> int:
    """0..4: how dark a heat-map cell is."""
    if count <= 0 or top <= 0:
        return 0
    return min(4, 1 + (count * 4 - 1) // top)

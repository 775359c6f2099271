"""Calendar grids built in one pass from free/busy intervals.

Each view asks `free_busy` once for its whole window, then cuts each row into
30-minute cells in Python. Cells of one booking, one closure or one closed
stretch are merged (colspan); free cells stay one link each, to the booking
form pre-filled. Templates receive plain lists and only loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from urllib.parse import quote

from babel.dates import format_date, format_time
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from booking.bookings.availability import APPROVED, CLOSED, FREE, PENDING, Interval, free_busy
from booking.i18n import with_ordinal
from booking.resources.models import Resource
from booking.schedule.queries import GridResource
from booking.timeutil import local_datetime, local_day_bounds, local_zone

# A full `Resource` (week, month, search) or the light row the day grid loads.
AnyResource = Resource | GridResource

STEP = timedelta(minutes=30)
DEFAULT_HOURS = (time(8), time(20))
_ROW_DATE = {"fr": "EEEE d MMMM", "en": "EEEE, MMMM d"}  # a week row: the day without the year
_PRIORITY = {CLOSED: 0, APPROVED: 1, PENDING: 2, FREE: 3}


@dataclass(slots=True)
class Cell:
    """One <td>; `text`, `href` and `aria` are already HTML-escaped."""

    css: str
    text: str
    span: int = 1
    href: str | None = None
    aria: str | None = None

    def html(self) -> str:
        span = f' colspan="{self.span}"' if self.span > 1 else ""
        if self.href:
            return (
                f'<td class="{self.css}"{span}><a href="{self.href}" aria-label="{self.aria}">'
                f"{self.text}</a></td>"
            )
        return f'<td class="{self.css}"{span}>{self.text}</td>'


@dataclass(slots=True)
class Row:
    header: str
    cells: list[Cell]
    href: str | None = None

    @property
    def html(self) -> Markup:
        """The row's cells as HTML, built in Python: Jinja loops only over rows."""
        return Markup("".join([cell.html() for cell in self.cells]))  # noqa: S704 - escaped


@dataclass(slots=True)
class Group:
    """Rows under a heading (a site in the all-sites day grid)."""

    title: str | None
    rows: list[Row] = field(default_factory=list)
    href: str | None = None


@dataclass(slots=True)
class Grid:
    columns: list[str]
    groups: list[Group]

    @property
    def width(self) -> int:
        return len(self.columns) + 1


def _e(text: str) -> str:
    return str(escape(text))


class Labels:
    """The words of the grids, translated and HTML-escaped once per language."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.booked = _e(_("Booked"))
        self.full = _e(_("Full"))
        self.pending = _e(_("Request pending"))
        self.closed = _e(_("Closed"))
        self.free = _e(_("Free"))
        self.past = _e(_("Past"))
        self.all_day = _e(_("All day"))
        self.no_such_time = _e(_("No such time (clock change)"))
        self.book_free = _e(_("Free: book %(name)s, %(day)s at %(time)s"))
        self.book_pending = _e(
            _("Request pending: you can still ask for %(name)s, %(day)s at %(time)s")
        )


_LABELS: dict[str, Labels] = {}


def labels_for_locale() -> Labels:
    """The current language's `Labels`, built on first use (catalogs do not change)."""
    locale = str(get_locale())
    labels = _LABELS.get(locale)
    if labels is None:
        labels = _LABELS[locale] = Labels(locale)
    return labels


@lru_cache(maxsize=512)
def _clock(locale: str, hour: int, minute: int) -> str:
    return _e(format_time(time(hour, minute), "short", locale=locale))


def clock(value: datetime | time, locale: str | None = None, zone: tzinfo | None = None) -> str:
    """A local time in the locale's short format (24 h in French), cached, HTML-safe."""
    if isinstance(value, datetime):
        value = value.astimezone(zone or local_zone())
    return _clock(locale or str(get_locale()), value.hour, value.minute)


def reservation_base() -> str:
    """The booking form's URL (owned by the reservations area), built once per page."""
    if "reservations.new" in current_app.view_functions:
        return url_for("reservations.new")
    return "/reservations/new"


def booking_link(
    base: str,
    resource: AnyResource,
    start_at: datetime,
    end_at: datetime,
    zone: tzinfo | None = None,
) -> str:
    """The booking form pre-filled with a resource, a local date and local times."""
    zone = zone or local_zone()
    start, end = start_at.astimezone(zone), end_at.astimezone(zone)
    return (
        f"{base}?resource={quote(resource.slug)}&date={start.date().isoformat()}"
        f"&start={start.hour:02d}:{start.minute:02d}&end={end.hour:02d}:{end.minute:02d}"
    )


def _href(
    base: str, resource: AnyResource, start_at: datetime, end_at: datetime, zone: tzinfo
) -> str:
    """`booking_link`, escaped for an HTML attribute."""
    return booking_link(base, resource, start_at, end_at, zone).replace("&", "&amp;")


def _day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """`local_day_bounds` with the zone looked up once by the caller (it runs per day)."""
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def _floor(instant: datetime) -> datetime:
    return instant.replace(minute=instant.minute // 30 * 30, second=0, microsecond=0)


def _ceil(instant: datetime) -> datetime:
    floored = _floor(instant)
    return floored if floored == instant else floored + STEP


def _open_span(rows: Sequence[list[Interval]]) -> tuple[datetime, datetime] | None:
    """First and last instant that is not outside opening hours, across rows."""
    inside = [i for row in rows for i in row if i.kind != CLOSED or i.closure_id is not None]
    if not inside:
        return None
    return min(i.start_at for i in inside), max(i.end_at for i in inside)


class _RowBuilder:
    """Turns one resource's intervals into cells for given cell bounds."""

    def __init__(self, labels: Labels, base: str, now: datetime) -> None:
        self.labels = labels
        self.base = base
        self.now = now
        self.zone = local_zone()

    def cells(
        self,
        resource: AnyResource,
        intervals: list[Interval],
        bounds: Sequence[tuple[datetime, datetime] | None],
        day_text: str,
    ) -> list[Cell]:
        labels = self.labels
        locale = labels.locale
        zone = self.zone
        name = _e(resource.name)
        bookable = resource.is_bookable
        min_length = timedelta(minutes=max(resource.min_duration_minutes, 30))
        cells: list[Cell] = []
        last_key = None
        pending_start = None
        i = 0
        n = len(intervals)
        for bound in bounds:
            if bound is None:
                cells.append(Cell("slot-closed", labels.no_such_time))
                last_key = None
                continue
            c0, c1 = bound
            while i < n and intervals[i].end_at <= c0:
                i += 1
            winner = None
            j = i
            while j < n and intervals[j].start_at < c1:
                candidate = intervals[j]
                if winner is None or _PRIORITY[candidate.kind] < _PRIORITY[winner.kind]:
                    winner = candidate
                j += 1
            if winner is None:  # outside the window asked for
                winner = Interval(c0, c1, CLOSED)
            kind = winner.kind
            if kind == FREE:
                if not bookable or c1 <= self.now:
                    cells.append(Cell("slot-free slot-past", labels.past if bookable else "–"))
                    last_key = None
                    continue
                href = _href(self.base, resource, c0, max(c1, c0 + min_length), zone)
                aria = labels.book_free % {
                    "name": name,
                    "day": day_text,
                    "time": clock(c0, locale, zone),
                }
                cells.append(Cell("slot-free", labels.free, href=href, aria=aria))
                last_key = None
                continue
            key = (kind, winner.booking_id, winner.closure_id, winner.label)
            if key == last_key:
                last = cells[-1]
                last.span += 1
                if last.href is not None:  # a pending stretch: the link covers it all
                    last.href = _href(self.base, resource, pending_start, c1, zone)
                continue
            last_key = key
            if kind == CLOSED:
                text = _e(winner.label) if winner.label else labels.closed
                cells.append(Cell("slot-closed", text))
            elif kind == APPROVED:
                if winner.taken:
                    text = labels.full
                else:
                    text = _e(winner.label) if winner.label else labels.booked
                cells.append(Cell("slot-busy", text))
            else:
                cell = Cell("slot-pending", labels.pending)
                if bookable and c0 >= self.now:
                    pending_start = c0
                    cell.href = _href(self.base, resource, c0, c1, zone)
                    cell.aria = labels.book_pending % {
                        "name": name,
                        "day": day_text,
                        "time": clock(c0, locale, zone),
                    }
                cells.append(cell)
        return cells


def _day_text(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}"


def day_grid(
    groups: Sequence[tuple[str | None, str | None, Sequence[AnyResource]]],
    day: date,
    *,
    now: datetime,
    row_href,
) -> Grid:
    """Rooms as rows, 30-minute columns across the hours any of them is open.

    `groups` are (title, link, resources). Columns step in UTC from the first
    opening, so a 25-hour day shows 02:00 twice and a 23-hour day skips it.
    """
    resources = [r for _title, _href, members in groups for r in members]
    start, end = local_day_bounds(day)
    busy = free_busy(resources, start, end) if resources else {}
    span = _open_span(list(busy.values()))
    if span is None:
        lo = local_datetime(day, DEFAULT_HOURS[0]).astimezone(UTC)
        hi = local_datetime(day, DEFAULT_HOURS[1]).astimezone(UTC)
    else:
        lo, hi = _floor(span[0]), _ceil(span[1])
    bounds = []
    t = lo
    while t < hi:
        bounds.append((t, t + STEP))
        t += STEP
    labels = labels_for_locale()
    builder = _RowBuilder(labels, reservation_base(), now)
    day_text = _day_text(day)
    zone = builder.zone
    grid = Grid(columns=[Markup(clock(a, labels.locale, zone)) for a, _b in bounds], groups=[])  # noqa: S704
    for title, href, members in groups:
        group = Group(title, href=href)
        for resource in members:
            group.rows.append(
                Row(
                    resource.name,
                    builder.cells(resource, busy.get(resource.id, []), bounds, day_text),
                    href=row_href(resource),
                )
            )
        grid.groups.append(group)
    return grid


def week_row_header(day: date) -> str:
    """A week row's header: the weekday and date, in the current locale."""
    locale = str(get_locale())
    text = with_ordinal(format_date(day, _ROW_DATE.get(locale, "full"), locale=locale), day, locale)
    return text[:1].upper() + text[1:]


@dataclass(slots=True)
class WeekView:
    grid: Grid
    days: list[date]


def week_days(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def week_grid(resource: Resource, day: date, *, now: datetime, day_header) -> Grid:
    """One resource, the days of the week as rows, local 30-minute columns across.

    Columns are wall-clock times, the same for every day; on the spring clock
    change the skipped half-hours are shown as such.
    """
    days = week_days(day)
    start, end = local_day_bounds(days[0])[0], local_day_bounds(days[-1])[1]
    intervals = free_busy([resource], start, end).get(resource.id, [])
    zone = local_zone()
    # The wall-clock span open on any day of the week.
    first, last = None, None
    for interval in intervals:
        if interval.is_outside_hours:
            continue
        a, b = interval.start_at.astimezone(zone), interval.end_at.astimezone(zone)
        a_min = a.hour * 60 + a.minute
        b_min = 24 * 60 if b.date() > a.date() else b.hour * 60 + b.minute
        first = a_min if first is None else min(first, a_min)
        last = b_min if last is None else max(last, b_min)
    if first is None:
        first, last = DEFAULT_HOURS[0].hour * 60, DEFAULT_HOURS[1].hour * 60
    first = first // 30 * 30
    last = -(-last // 30) * 30
    minutes = list(range(first, last, 30))
    labels = labels_for_locale()
    builder = _RowBuilder(labels, reservation_base(), now)
    rows = []
    for current in days:
        bounds: list[tuple[datetime, datetime] | None] = []
        midnight = datetime.combine(current, time.min)
        d0, d1 = _day_bounds(current, zone)
        clock_change = d1 - d0 != timedelta(days=1)
        for minute in minutes:
            local = (midnight + timedelta(minutes=minute)).replace(tzinfo=zone)
            a = local.astimezone(UTC)
            if clock_change and a.astimezone(zone).replace(tzinfo=None) != local.replace(
                tzinfo=None
            ):
                bounds.append(None)  # skipped by the spring change
                continue
            bounds.append((a, a + STEP))
        rows.append(
            Row(day_header(current), builder.cells(resource, intervals, bounds, _day_text(current)))
        )
    columns = [Markup(clock(time(m // 60, m % 60), labels.locale, zone)) for m in minutes]  # noqa: S704
    return Grid(columns=columns, groups=[Group(None, rows)])


@dataclass(slots=True)
class MonthItem:
    """One line of a month day; `text`, `times` and `href` are already HTML-escaped."""

    css: str
    text: str
    times: str
    href: str | None = None

    def html(self) -> str:
        if self.href:
            return f'<li class="{self.css}"><a href="{self.href}">{self.times} {self.text}</a></li>'
        return f'<li class="{self.css}">{self.times} {self.text}</li>'


@dataclass(slots=True)
class MonthDay:
    day: date
    items: list[MonthItem]
    closed: str = ""

    @property
    def html(self) -> Markup:
        if not self.items:
            return Markup(f'<p class="slot-closed">{self.closed}</p>')  # noqa: S704 - escaped
        return Markup("<ul>" + "".join([i.html() for i in self.items]) + "</ul>")  # noqa: S704


def month_weeks(resource: Resource, first: date, *, now: datetime) -> list[list[MonthDay | None]]:
    """The month as weeks of seven days (None outside the month), each day with its
    closures, bookings, requests and free stretches (links to the booking form)."""
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    days = [first + timedelta(days=n) for n in range((next_month - first).days)]
    start, end = local_day_bounds(days[0])[0], local_day_bounds(days[-1])[1]
    intervals = free_busy([resource], start, end).get(resource.id, [])
    labels = labels_for_locale()
    locale = labels.locale
    zone = local_zone()
    base = reservation_base()
    max_length = timedelta(minutes=resource.max_duration_minutes)
    result: list[MonthDay] = []
    i = 0
    for current in days:
        d0, d1 = _day_bounds(current, zone)
        items: list[MonthItem] = []
        while i < len(intervals) and intervals[i].end_at <= d0:
            i += 1
        j = i
        while j < len(intervals) and intervals[j].start_at < d1:
            interval = intervals[j]
            j += 1
            if interval.is_outside_hours:
                continue
            a, b = max(interval.start_at, d0), min(interval.end_at, d1)
            if a == d0 and b == d1:
                times = labels.all_day
            else:
                times = f"{clock(a, locale, zone)}–{clock(b, locale, zone)}"
            if interval.kind == FREE:
                if not resource.is_bookable or b <= now:
                    continue
                a = max(a, _ceil(now)) if a < now else a
                if a >= b:
                    continue
                href = _href(base, resource, a, min(b, a + max_length), zone)
                times = f"{clock(a, locale, zone)}–{clock(b, locale, zone)}"
                items.append(MonthItem("slot-free", labels.free, times, href))
            elif interval.kind == CLOSED:
                text = _e(interval.label) if interval.label else labels.closed
                items.append(MonthItem("slot-closed", text, times))
            elif interval.kind == APPROVED:
                if interval.taken:
                    text = labels.full
                else:
                    text = _e(interval.label) if interval.label else labels.booked
                items.append(MonthItem("slot-busy", text, times))
            else:
                href = None
                if resource.is_bookable and a >= now:
                    href = _href(base, resource, a, b, zone)
                items.append(MonthItem("slot-pending", labels.pending, times, href))
        result.append(MonthDay(current, items, labels.closed))
    weeks: list[list[MonthDay | None]] = []
    week: list[MonthDay | None] = [None] * first.weekday()
    for entry in result:
        week.append(entry)
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks

"""Calendar grids built in one pass from free/busy intervals.

Each view asks `free_busy` once for its whole window, then cuts each row into
30-minute cells in Python. Cells of one booking, one closure or one closed
stretch are merged (colspan); free cells stay one link each, to the booking
form pre-filled. Templates receive plain lists and only loop.
"""

from __future__ import annotations

from bisect import bisect_right
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

from booking.bookings.availability import (
    APPROVED,
    CLOSED,
    FREE,
    PENDING,
    Interval,
    Weekly,
    free_busy_and_hours,
)
from booking.bookings.slots import broken_rule, first_booking
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
SHORT_SPAN = 2  # a cell narrower than this many columns shows its pattern, not its words


@dataclass(slots=True)
class Cell:
    """One <td>; `text`, `href` and `aria` are already HTML-escaped."""

    css: str
    text: str
    span: int = 1
    href: str | None = None
    aria: str | None = None

    def html(self) -> str:
        """Dense cells: the state is read from the cell's pattern (see the legend); a link's
        words are for screen readers (`aria`), and a cell too narrow for its words keeps
        them for screen readers and as a tooltip."""
        span = f' colspan="{self.span}"' if self.span > 1 else ""
        if self.href:
            return (
                f'<td class="{self.css}"{span}><a href="{self.href}" aria-label="{self.aria}">'
                f'<span class="visually-hidden">{self.text}</span></a></td>'
            )
        if self.span < SHORT_SPAN:
            return (
                f'<td class="{self.css}"{span} title="{self.text}">'
                f'<span class="visually-hidden">{self.text}</span></td>'
            )
        return f'<td class="{self.css}"{span}>{self.text}</td>'


@dataclass(slots=True)
class Row:
    header: str
    cells: list[Cell]
    href: str | None = None
    single: bool = False  # one slot per booking (fixed slots, open-lab session): no range

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
    half_hours: list[bool] = field(default_factory=list)  # columns whose label is only read out

    @property
    def width(self) -> int:
        return len(self.columns) + 1


def esc(text: str) -> str:
    return str(escape(text))


class Labels:
    """The words of the grids, translated and HTML-escaped once per language."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.booked = esc(_("Booked"))
        self.full = esc(_("Full"))
        self.pending = esc(_("Request pending"))
        self.closed = esc(_("Closed"))
        self.free = esc(_("Free"))
        self.past = esc(_("Past"))
        self.too_late = esc(_("Too late to book"))
        self.not_yet = esc(_("Not bookable yet"))
        self.not_bookable = esc(_("Not bookable"))
        self.all_day = esc(_("All day"))
        self.no_such_time = esc(_("No such time (clock change)"))
        # The second 02:00-03:00 of the autumn clock change ("02:00 (bis)" in French).
        self.repeated = esc(_("%(time)s (repeated)"))
        self.book_free = esc(_("Free: book %(name)s, %(day)s at %(time)s"))
        self.book_pending = esc(
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
    return esc(format_time(time(hour, minute), "short", locale=locale))


def clock(value: datetime | time, locale: str | None = None, zone: tzinfo | None = None) -> str:
    """A local time in the locale's short format (24 h in French), cached, HTML-safe."""
    if isinstance(value, datetime):
        value = value.astimezone(zone or local_zone())
    return _clock(locale or str(get_locale()), value.hour, value.minute)


def column_label(instant: datetime, labels: Labels, zone: tzinfo) -> str:
    """A column's local time; the repeated hour of the autumn change is marked as such."""
    text = clock(instant, labels.locale, zone)
    return labels.repeated % {"time": text} if instant.astimezone(zone).fold else text


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
    extra: str = "",
) -> str:
    """The booking form pre-filled with a resource, a local date and local times.

    `extra`: more of the query, already encoded (`&attendees=3&equipment=camera`)."""
    zone = zone or local_zone()
    start, end = start_at.astimezone(zone), end_at.astimezone(zone)
    return (
        f"{base}?resource={quote(resource.slug)}&date={start.date().isoformat()}"
        f"&start={start.hour:02d}:{start.minute:02d}&end={end.hour:02d}:{end.minute:02d}{extra}"
    )


def form_href(
    base: str, resource: AnyResource, start_at: datetime, end_at: datetime, zone: tzinfo
) -> str:
    """`booking_link`, escaped for an HTML attribute."""
    return booking_link(base, resource, start_at, end_at, zone).replace("&", "&amp;")


def zone_day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """`local_day_bounds` with the zone looked up once by the caller (it runs per day)."""
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def floor_half_hour(instant: datetime) -> datetime:
    return instant.replace(minute=instant.minute // 30 * 30, second=0, microsecond=0)


def ceil_half_hour(instant: datetime) -> datetime:
    floored = floor_half_hour(instant)
    return floored if floored == instant else floored + STEP


def _open_span(hours: dict[int, Weekly], day: date) -> tuple[datetime, datetime] | None:
    """From the earliest opening to the latest closing of any resource on the day, in UTC.

    From the opening hours alone: a closure (an imported holiday is 00:00–24:00)
    hides the hours under it but must not widen the grid."""
    ranges = [r for weekly in hours.values() for r in weekly[day.weekday()]]
    if not ranges:
        return None
    opens = min(a for a, _b in ranges)
    closes = max(b for _a, b in ranges)
    return local_datetime(day, opens).astimezone(UTC), local_datetime(day, closes).astimezone(UTC)


def _span_takes_requests(
    intervals: list[Interval], starts: list[datetime], start_at: datetime, end_at: datetime
) -> bool:
    """Whether every interval over [start_at, end_at) is free or only has requests pending."""
    k = max(bisect_right(starts, start_at) - 1, 0)
    while k < len(intervals) and intervals[k].start_at < end_at:
        if intervals[k].end_at > start_at and intervals[k].kind not in (FREE, PENDING):
            return False
        k += 1
    return True


class RowBuilder:
    """Turns one resource's intervals into cells for given cell bounds.

    A free or pending cell links to the shortest booking the rules allow from it
    (`slots.first_booking`: on the step grid, a whole open-lab session), and only
    when `slots.broken_rule`, the form's own rules, accepts that booking now and
    the booking's time takes requests; otherwise it says why not ("Past", "Too
    late to book", "Not bookable yet", "Not bookable") without a link.
    """

    def __init__(self, labels: Labels, base: str, now: datetime) -> None:
        self.labels = labels
        self.base = base
        self.now = now
        self.zone = local_zone()

    def refusal(self, rule: str) -> str:
        labels = self.labels
        if rule == "past":
            return labels.past
        if rule == "notice":
            return labels.too_late
        if rule == "horizon":
            return labels.not_yet
        return labels.not_bookable

    def proposal(
        self,
        resource: AnyResource,
        weekly: Weekly,
        intervals: list[Interval],
        starts: list[datetime],
        at: datetime,
    ) -> tuple[datetime, datetime] | str:
        """The booking a cell starting at `at` offers, or the text saying why there is none."""
        if not resource.is_bookable:
            return "–"
        if at < self.now:  # started: nothing to compute
            return self.labels.past
        ranges = weekly[at.astimezone(self.zone).weekday()]
        period = first_booking(resource, at, ranges)
        if period is None:
            return self.labels.not_bookable
        rule = broken_rule(resource, period[0], period[1], self.now, ranges)
        if rule is not None:
            return self.refusal(rule)
        if not _span_takes_requests(intervals, starts, *period):
            return self.labels.not_bookable
        return period

    def cells(
        self,
        resource: AnyResource,
        intervals: list[Interval],
        bounds: Sequence[tuple[datetime, datetime] | None],
        day_text: str,
        weekly: Weekly,
    ) -> list[Cell]:
        labels = self.labels
        locale = labels.locale
        zone = self.zone
        name = esc(resource.name)
        starts = [interval.start_at for interval in intervals]
        cells: list[Cell] = []
        last_key = None
        pending_period: tuple[datetime, datetime] | None = None
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
                offer = self.proposal(resource, weekly, intervals, starts, c0)
                if isinstance(offer, str):
                    key = ("off", offer)
                    if key == last_key:
                        cells[-1].span += 1
                    else:
                        css = "slot-free slot-past" if offer == labels.past else "slot-off"
                        cells.append(Cell(css, offer))
                        last_key = key
                    continue
                href = form_href(self.base, resource, *offer, zone)
                aria = labels.book_free % {
                    "name": name,
                    "day": day_text,
                    "time": clock(offer[0], locale, zone),
                }
                cells.append(Cell("slot-free", labels.free, href=href, aria=aria))
                last_key = None
                continue
            key = (kind, winner.booking_id, winner.closure_id, winner.label)
            if key == last_key:
                last = cells[-1]
                last.span += 1
                if pending_period is not None:  # a pending stretch: the link covers it all
                    longer = (pending_period[0], c1)
                    if self._allowed(resource, weekly, longer):
                        pending_period = longer
                        last.href = form_href(self.base, resource, *longer, zone)
                continue
            last_key = key
            pending_period = None
            if kind == CLOSED:
                text = esc(winner.label) if winner.label else labels.closed
                cells.append(Cell("slot-closed", text))
            elif kind == APPROVED:
                if winner.taken:
                    text = labels.full
                else:
                    text = esc(winner.label) if winner.label else labels.booked
                cells.append(Cell("slot-busy", text))
            else:
                cell = Cell("slot-pending", labels.pending)
                offer = self.proposal(resource, weekly, intervals, starts, c0)
                if not isinstance(offer, str):
                    pending_period = offer
                    cell.href = form_href(self.base, resource, *offer, zone)
                    cell.aria = labels.book_pending % {
                        "name": name,
                        "day": day_text,
                        "time": clock(offer[0], locale, zone),
                    }
                cells.append(cell)
        return cells

    def _allowed(
        self, resource: AnyResource, weekly: Weekly, period: tuple[datetime, datetime]
    ) -> bool:
        ranges = weekly[period[0].astimezone(self.zone).weekday()]
        return broken_rule(resource, period[0], period[1], self.now, ranges) is None


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
    resources = [r for _title, form_href, members in groups for r in members]
    start, end = local_day_bounds(day)
    busy, hours = free_busy_and_hours(resources, start, end) if resources else ({}, {})
    span = _open_span(hours, day)
    if span is None:
        lo = local_datetime(day, DEFAULT_HOURS[0]).astimezone(UTC)
        hi = local_datetime(day, DEFAULT_HOURS[1]).astimezone(UTC)
    else:
        lo, hi = floor_half_hour(span[0]), ceil_half_hour(span[1])
    bounds = []
    t = lo
    while t < hi:
        bounds.append((t, t + STEP))
        t += STEP
    labels = labels_for_locale()
    builder = RowBuilder(labels, reservation_base(), now)
    day_text = _day_text(day)
    zone = builder.zone
    grid = Grid(
        columns=[Markup(column_label(a, labels, zone)) for a, _b in bounds],  # noqa: S704
        groups=[],
        half_hours=[a.astimezone(zone).minute != 0 for a, _b in bounds],
    )
    for title, href, members in groups:
        group = Group(title, href=href)
        for resource in members:
            group.rows.append(
                Row(
                    resource.name,
                    builder.cells(
                        resource, busy.get(resource.id, []), bounds, day_text, hours[resource.id]
                    ),
                    href=row_href(resource),
                    single=resource.fixed_slots or not resource.kind.is_exclusive,
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
    change the skipped half-hours are shown as such, and when the autumn change
    repeats an hour within the columns, its second occurrence gets columns of its
    own (after the first), marked "repeated"; other days have no such time there.
    """
    days = week_days(day)
    start, end = local_day_bounds(days[0])[0], local_day_bounds(days[-1])[1]
    busy, hours = free_busy_and_hours([resource], start, end)
    intervals = busy.get(resource.id, [])
    zone = local_zone()
    # The wall-clock span open on any day of the week, from the hours alone (not closures).
    ranges = [r for weekly in hours.values() for day_ranges in weekly for r in day_ranges]
    first, last = None, None
    if ranges:
        first = min(a.hour * 60 + a.minute for a, _b in ranges)
        last = max(b.hour * 60 + b.minute for _a, b in ranges)
    else:
        first, last = DEFAULT_HOURS[0].hour * 60, DEFAULT_HOURS[1].hour * 60
    first = first // 30 * 30
    last = -(-last // 30) * 30
    columns = _week_columns(days, list(range(first, last, 30)), zone)
    labels = labels_for_locale()
    builder = RowBuilder(labels, reservation_base(), now)
    rows = []
    for current in days:
        bounds: list[tuple[datetime, datetime] | None] = []
        midnight = datetime.combine(current, time.min)
        d0, d1 = zone_day_bounds(current, zone)
        clock_change = d1 - d0 != timedelta(days=1)
        for minute, fold in columns:
            local = (midnight + timedelta(minutes=minute)).replace(tzinfo=zone, fold=fold)
            a = local.astimezone(UTC)
            back = a.astimezone(zone)
            if clock_change and back.replace(tzinfo=None) != local.replace(tzinfo=None):
                bounds.append(None)  # skipped by the spring change
            elif back.fold != fold:
                bounds.append(None)  # a repeated time, on a day that does not repeat it
            else:
                bounds.append((a, a + STEP))
        rows.append(
            Row(
                day_header(current),
                builder.cells(resource, intervals, bounds, _day_text(current), hours[resource.id]),
                single=resource.fixed_slots or not resource.kind.is_exclusive,
            )
        )
    headers = []
    for minute, fold in columns:
        text = clock(time(minute // 60, minute % 60), labels.locale, zone)
        headers.append(Markup(labels.repeated % {"time": text} if fold else text))  # noqa: S704
    half_hours = [minute % 60 != 0 for minute, _fold in columns]
    return Grid(columns=headers, groups=[Group(None, rows)], half_hours=half_hours)


def _week_columns(days: Sequence[date], minutes: list[int], zone: tzinfo) -> list[tuple[int, int]]:
    """(minute of the day, fold) of each column: the wall-clock times, then, right after
    the last of them, the times an autumn clock change of the week repeats (fold 1)."""
    repeated: list[int] = []
    for current in days:
        d0, d1 = zone_day_bounds(current, zone)
        if d1 - d0 <= timedelta(days=1):
            continue
        midnight = datetime.combine(current, time.min)
        for minute in minutes:
            local = (midnight + timedelta(minutes=minute)).replace(tzinfo=zone, fold=1)
            if local.astimezone(UTC).astimezone(zone).fold and minute not in repeated:
                repeated.append(minute)
    columns = []
    for minute in minutes:
        columns.append((minute, 0))
        if repeated and minute == repeated[-1]:
            columns.extend((m, 1) for m in repeated)
    return columns

"""The month view of one resource: each day's closures, bookings, requests and free stretches.

Built from one `free_busy` call for the month, like the grids (`grid.py`), and
with the same rules: a free stretch links to the booking form only from its
first start the form accepts (`RowBuilder.proposal`), for as long as the rules
allow; a stretch with no such start says why ("Too late to book", "Not bookable
yet"...), and a past day without anything reads "Past".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from markupsafe import Markup

from booking.bookings.availability import APPROVED, CLOSED, FREE, Interval, free_busy_and_hours
from booking.bookings.slots import broken_rule
from booking.resources.models import Resource
from booking.schedule.grid import (
    STEP,
    RowBuilder,
    Weekly,
    clock,
    esc,
    floor_half_hour,
    form_href,
    labels_for_locale,
    reservation_base,
    zone_day_bounds,
)
from booking.timeutil import local_day_bounds, local_zone, to_local


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
    closed: str = ""  # what a day without items reads: "Closed", or "Past"
    css: str = "slot-closed"

    @property
    def html(self) -> Markup:
        if not self.items:
            return Markup(f'<p class="{self.css}">{self.closed}</p>')  # noqa: S704 - escaped
        return Markup("<ul>" + "".join([i.html() for i in self.items]) + "</ul>")  # noqa: S704


def _offer(
    builder: RowBuilder,
    resource: Resource,
    weekly: Weekly,
    intervals: list[Interval],
    starts: list[datetime],
    a: datetime,
    b: datetime,
) -> tuple[datetime, datetime] | str | None:
    """The longest booking the rules allow from the first start in [a, b) they accept;
    else why not (a text), or None when every start is past."""
    reason = None
    t = a
    while t < b:
        offer = builder.proposal(resource, weekly, intervals, starts, t)
        if isinstance(offer, str):
            if offer != builder.labels.past:
                reason = reason or offer
            t = floor_half_hour(t) + STEP
            continue
        begin, shortest = offer
        if shortest > b:
            reason = reason or builder.labels.not_bookable
            t = floor_half_hour(t) + STEP
            continue
        if not resource.is_exclusive:
            return offer
        ranges = weekly[to_local(begin).weekday()]
        step = timedelta(minutes=resource.slot_step_minutes)
        end = (
            begin
            + (min(b, begin + timedelta(minutes=resource.max_duration_minutes)) - begin)
            // step
            * step
        )
        while end > shortest and broken_rule(resource, begin, end, builder.now, ranges):
            end -= step
        return begin, end
    return reason


def month_weeks(resource: Resource, first: date, *, now: datetime) -> list[list[MonthDay | None]]:
    """The month as weeks of seven days (None outside the month), each day with its
    closures, bookings, requests and free stretches (links to the booking form)."""
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    days = [first + timedelta(days=n) for n in range((next_month - first).days)]
    start, end = local_day_bounds(days[0])[0], local_day_bounds(days[-1])[1]
    busy, hours = free_busy_and_hours([resource], start, end)
    intervals = busy.get(resource.id, [])
    weekly = hours.get(resource.id) or [[] for _ in range(7)]
    starts = [interval.start_at for interval in intervals]
    labels = labels_for_locale()
    locale = labels.locale
    zone = local_zone()
    builder = RowBuilder(labels, reservation_base(), now)
    base = builder.base
    today = to_local(now).date()
    result: list[MonthDay] = []
    i = 0
    for current in days:
        d0, d1 = zone_day_bounds(current, zone)
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
                offer = _offer(builder, resource, weekly, intervals, starts, a, b)
                if offer is None:
                    continue
                if isinstance(offer, str):
                    items.append(MonthItem("slot-off", offer, times))
                    continue
                href = form_href(base, resource, *offer, zone)
                times = f"{clock(offer[0], locale, zone)}–{clock(b, locale, zone)}"
                items.append(MonthItem("slot-free", labels.free, times, href))
            elif interval.kind == CLOSED:
                text = esc(interval.label) if interval.label else labels.closed
                items.append(MonthItem("slot-closed", text, times))
            elif interval.kind == APPROVED:
                if interval.taken:
                    text = labels.full
                else:
                    text = esc(interval.label) if interval.label else labels.booked
                items.append(MonthItem("slot-busy", text, times))
            else:
                href = None
                offer = _offer(builder, resource, weekly, intervals, starts, a, b)
                if offer is not None and not isinstance(offer, str):
                    href = form_href(base, resource, *offer, zone)
                items.append(MonthItem("slot-pending", labels.pending, times, href))
        if current < today:
            result.append(MonthDay(current, items, labels.past, "slot-past"))
        else:
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

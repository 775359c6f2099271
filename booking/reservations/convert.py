"""From what a person types (a local date, wall-clock times, a repeat choice) to the
booking services' values (`BookingRequest` with UTC instants, `Recurrence`).

Also reads the calendar pages' pre-filled query arguments, ignoring anything
that is not a valid date or time, and lists the slots of machines with fixed
slots and of open-lab sessions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from booking.auth.models import Association
from booking.bookings.seats import Session
from booking.bookings.series import Recurrence
from booking.bookings.services import BookingRequest
from booking.reservations.forms import ReservationForm, parse_slot
from booking.resources.hours import weekly_hours
from booking.resources.models import Resource
from booking.templating import local_time, weekday_name
from booking.timeutil import to_local, to_utc

_EQUIPMENT_KEY = re.compile(r"equipment_(\d{1,9})")


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def parse_time(value: str | None) -> time | None:
    try:
        return datetime.strptime((value or "").strip()[:5], "%H:%M").time()
    except ValueError:
        return None


def slot_value(start: time, end: time) -> str:
    return f"{start:%H:%M}-{end:%H:%M}"


def _slots_of_range(resource: Resource, opens: time, closes: time) -> list[tuple[time, time]]:
    if not resource.is_exclusive:  # an open-lab session is booked whole
        return [(opens, closes)]
    step = timedelta(minutes=resource.slot_step_minutes)
    day = date(2000, 1, 3)
    cursor, stop = datetime.combine(day, opens), datetime.combine(day, closes)
    slots = []
    while cursor + step <= stop:
        slots.append((cursor.time(), (cursor + step).time()))
        cursor += step
    return slots


def slot_choices(resource: Resource, day: date | None) -> list[SelectChoice]:
    """The slots to choose from: those of the day's weekday, or of every open weekday.

    Each label names the weekdays the slot exists on when `day` is not known, so
    the choice stays meaningful without JavaScript when the date is changed.
    """
    week = weekly_hours(resource.effective_opening_hours())
    weekdays = [day.weekday()] if day is not None and week[day.weekday()] else range(7)
    found: dict[tuple[time, time], list[int]] = {}
    for weekday in weekdays:
        for opens, closes in week[weekday]:
            for slot in _slots_of_range(resource, opens, closes):
                found.setdefault(slot, []).append(weekday)
    choices = []
    for (start, end), days in sorted(found.items()):
        label = f"{local_time(start)}–{local_time(end)}"
        if len(weekdays) > 1 and len(days) < 7:
            label += " (" + ", ".join(weekday_name(d) for d in days) + ")"
        choices.append(SelectChoice(slot_value(start, end), label))
    return choices


MAX_ATTENDEES = 500  # the search's own limit (schedule/forms.py): larger is not prefilled


def prefill(args: Mapping[str, str]) -> dict[str, object]:
    """Form defaults from `?date=&start=&end=&attendees=`; invalid values are left out,
    never an error."""
    data: dict[str, object] = {}
    day = parse_date(args.get("date"))
    if day is not None:
        data["date"] = day
    start, end = parse_time(args.get("start")), parse_time(args.get("end"))
    if start is not None:
        data["start"] = start
    if end is not None and (start is None or end > start):
        data["end"] = end
    if start is not None and end is not None and end > start:
        data["slot"] = slot_value(start, end)
    attendees = args.get("attendees", "")
    if attendees.isdigit() and 1 <= int(attendees) <= MAX_ATTENDEES:
        data["attendees"] = int(attendees)
    return data


def prefill_equipment(args: MultiDict, resource: Resource) -> dict[str, bool]:
    """The resource's equipment boxes to tick, from `?equipment=<slug>` (repeated), as the
    "find a free room" search passes them on; unknown slugs are left out."""
    wanted = set(args.getlist("equipment"))
    return {
        f"equipment_{item.equipment_id}": True
        for item in resource.equipment
        if item.equipment.slug in wanted
    }


def time_step_seconds(resource: Resource) -> int | None:
    """The `step` of the form's time inputs: the resource's slot step, when every opening time
    falls on it counted from midnight (a browser counts steps from 00:00, the rules from the
    opening); else None, and the rules alone say which times fit."""
    step = resource.slot_step_minutes
    hours = resource.effective_opening_hours()
    if step <= 1 or any((h.opens_at.hour * 60 + h.opens_at.minute) % step for h in hours):
        return None
    return step * 60


def equipment_not_offered(formdata: Mapping[str, str], resource: Resource) -> dict[int, int]:
    """Equipment ticked in a form the resource no longer offers (it changed meanwhile).

    Passed on to the booking rules, which refuse it in words, rather than dropped silently.
    """
    offered = {item.equipment_id for item in resource.equipment}
    asked: dict[int, int] = {}
    for key, value in formdata.items():
        match = _EQUIPMENT_KEY.fullmatch(key)
        if match and value and int(match.group(1)) not in offered:
            asked[int(match.group(1))] = 1
    return asked


def chosen_times(form: ReservationForm) -> tuple[time, time]:
    """The local start and end wall-clock times of a validated form."""
    if form.uses_slots:
        slot = parse_slot(form.slot.data)
        if slot is None:  # validation has already refused this
            raise ValueError("no slot chosen")
        return slot
    return form.start.data, form.end.data


def booking_request(
    form: ReservationForm,
    resource: Resource,
    association: Association,
    extra_equipment: dict[int, int] | None = None,
) -> BookingRequest:
    """The request for the first (or only) date, in UTC."""
    start, end = chosen_times(form)
    day = form.date.data
    return BookingRequest(
        resource=resource,
        association=association,
        start_at=to_utc(datetime.combine(day, start)),
        end_at=to_utc(datetime.combine(day, end)),
        title=form.title.data.strip(),
        purpose=(form.purpose.data or "").strip(),
        attendees=form.attendees_count(),
        is_public=form.visibility.data == "public",
        equipment={**(extra_equipment or {}), **form.equipment_requested()},
    )


def recurrence(form: ReservationForm) -> Recurrence | None:
    """The repeat rule chosen, or None for a single date."""
    if not form.can_repeat or form.repeat.data not in ("weekly", "monthly"):
        return None
    first_weekday = form.date.data.weekday()
    until = form.until.data if form.ends.data == "until" else None
    count = form.count.data if form.ends.data == "count" else None
    if form.repeat.data == "weekly":
        weekdays = sorted({int(d) for d in form.weekdays.data or []}) or [first_weekday]
        return Recurrence(
            freq="weekly",
            interval=form.interval.data or 1,
            weekdays=weekdays,
            nth=None,
            until=until,
            count=count,
        )
    return Recurrence(
        freq="monthly",
        interval=1,
        weekdays=[first_weekday],
        nth=int(form.nth.data),
        until=until,
        count=count,
    )


def session_choices(sessions: list[Session]) -> list[SelectChoice]:
    """One choice per session of the day, saying its seats: "18:00–21:00 (3 seats left)"."""
    choices = []
    for session in sessions:
        start, end = to_local(session.start_at).time(), to_local(session.end_at).time()
        times = f"{local_time(start)}–{local_time(end)}"
        if session.closed:
            label = _("%(times)s (closed)", times=times)
        elif session.is_full:
            label = _("%(times)s (full: waiting list)", times=times)
        else:
            label = ngettext(
                "%(times)s (%(num)d seat left)",
                "%(times)s (%(num)d seats left)",
                session.seats_left,
                times=times,
            )
        choices.append(SelectChoice(slot_value(start, end), label))
    return choices


def chosen_session(sessions: list[Session], slot: str | None) -> Session | None:
    """The session a slot value names, among the day's (the only one, when none is named)."""
    times = parse_slot(slot)
    if times is None and len(sessions) == 1:
        return sessions[0]
    for session in sessions:
        if times == (to_local(session.start_at).time(), to_local(session.end_at).time()):
            return session
    return None

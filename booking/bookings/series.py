"""Recurring series: an RRULE expanded in Europe/Paris wall-clock time.

A series is stored once (`BookingSeries.rule`, an RFC 5545 RRULE without
DTSTART, and `first_start_local`, the naive local start it is expanded from);
each occurrence is a `Booking` row, so conflicts, approval and cancellation
work per occurrence. Expansion happens on naive local datetimes and each
occurrence is converted to UTC on its own: a Tuesday 18:00–20:00 series stays
18:00–20:00 in Brest across the clock changes.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Literal

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from booking.auth.models import User
from booking.bookings import events
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.locking import fresh, lock_booking, lock_resource
from booking.bookings.models import Booking, BookingSeries, BookingState
from booking.bookings.rules import (
    BookingRequest,
    check_association,
    check_bookable,
    check_request,
)
from booking.bookings.seats import promote_waiting
from booking.bookings.services import (
    approve_one,
    arrival_state,
    cancel_one,
    clean_title,
    insert_booking,
    refuse_overlapping_pending,
    require_reason,
)
from booking.bookings.transitions import change_state
from booking.db import utcnow
from booking.extensions import db
from booking.i18n import format_day
from booking.timeutil import to_local, to_utc

MAX_OCCURRENCES = 60
MAX_SPAN = relativedelta(years=1)
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
NTH_VALUES = (1, 2, 3, 4, -1)


@dataclass
class Recurrence:
    """How a request repeats. `weekdays`: 0 = Monday (default: the first date's weekday);
    monthly needs `nth` (1..4, or -1 for the last); exactly one of `until` or `count`."""

    freq: Literal["weekly", "monthly"]
    interval: int = 1
    weekdays: list[int] = field(default_factory=list)
    nth: int | None = None
    until: date | None = None
    count: int | None = None


@dataclass
class Occurrence:
    start_at: datetime
    end_at: datetime
    problem: BookingRefused | None = None


def _invalid(message: str) -> BookingRefused:
    return BookingRefused(message, rule="recurrence", field="recurrence")


def to_rrule(recurrence: Recurrence, first_start_local: datetime) -> str:
    """The RRULE text of a recurrence (no DTSTART), refusing what is out of bounds."""
    if recurrence.freq not in ("weekly", "monthly"):
        raise _invalid(_("Choose a weekly or a monthly repetition."))
    if not 1 <= recurrence.interval <= 52:
        raise _invalid(_("The repetition interval must be between 1 and 52."))
    weekdays = sorted(set(recurrence.weekdays)) or [first_start_local.weekday()]
    if any(not 0 <= day <= 6 for day in weekdays):
        raise _invalid(_("Unknown weekday."))
    if (recurrence.until is None) == (recurrence.count is None):
        raise _invalid(_("Give either an end date or a number of occurrences."))
    first_day = first_start_local.date()
    if recurrence.count is not None and not 1 <= recurrence.count <= MAX_OCCURRENCES:
        raise _invalid(_("A series has at most %(max)s occurrences.", max=MAX_OCCURRENCES))
    if recurrence.until is not None:
        if recurrence.until < first_day:
            raise _invalid(_("The end date is before the first date."))
        if recurrence.until > first_day + MAX_SPAN:
            raise _invalid(
                _(
                    "A series lasts at most one year: it must end by %(date)s.",
                    date=format_day(first_day + MAX_SPAN, "long"),
                )
            )
    parts = [f"FREQ={recurrence.freq.upper()}", f"INTERVAL={recurrence.interval}"]
    if recurrence.freq == "weekly":
        parts.append("BYDAY=" + ",".join(BYDAY[day] for day in weekdays))
    else:
        if recurrence.nth not in NTH_VALUES:
            raise _invalid(_("Choose which weekday of the month: first to fourth, or last."))
        parts.append("BYDAY=" + ",".join(f"{recurrence.nth}{BYDAY[day]}" for day in weekdays))
    if recurrence.count is not None:
        parts.append(f"COUNT={recurrence.count}")
    else:
        parts.append(f"UNTIL={recurrence.until:%Y%m%d}T235959")
    return ";".join(parts)


def expand(rule: str, first_start_local: datetime) -> list[datetime]:
    """The naive local start of every occurrence, within the caps."""
    first_start_local = first_start_local.replace(tzinfo=None)
    rrule = rrulestr(rule, dtstart=first_start_local)
    starts = list(islice(rrule, MAX_OCCURRENCES + 1))
    if len(starts) > MAX_OCCURRENCES:
        raise _invalid(_("A series has at most %(max)s occurrences.", max=MAX_OCCURRENCES))
    last_allowed = first_start_local + MAX_SPAN
    if starts and starts[-1].date() > last_allowed.date():
        raise _invalid(
            _(
                "A series lasts at most one year: it must end by %(date)s.",
                date=format_day(last_allowed.date(), "long"),
            )
        )
    if not starts:
        raise _invalid(_("This repetition gives no date."))
    return starts


def occurrence_periods(
    rule: str, first_start_local: datetime, duration_minutes: int
) -> list[tuple[datetime, datetime]]:
    """UTC periods of a series: start and end computed in local wall-clock time."""
    length = timedelta(minutes=duration_minutes)
    return [(to_utc(start), to_utc(start + length)) for start in expand(rule, first_start_local)]


def _wall_clock_minutes(req: BookingRequest) -> int:
    start, end = to_local(req.start_at), to_local(req.end_at)
    return int((end.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds() // 60)


def _check_occurrences(
    actor: User, req: BookingRequest, periods: Sequence[tuple[datetime, datetime]], now: datetime
) -> list[Occurrence]:
    check_bookable(req.resource)
    check_association(actor, req.resource, req.association)
    occurrences: list[Occurrence] = []
    accepted: list[tuple[datetime, datetime]] = []
    for start_at, end_at in periods:
        problem = None
        try:
            check_request(
                actor, replace(req, start_at=start_at, end_at=end_at), now, siblings=accepted
            )
        except BookingRefused as refusal:
            problem = refusal
        else:
            accepted.append((start_at, end_at))
        occurrences.append(Occurrence(start_at, end_at, problem))
    return occurrences


def preview_series(
    actor: User, req: BookingRequest, recurrence: Recurrence, *, now: datetime | None = None
) -> list[Occurrence]:
    """Every date of the series with what would refuse it (a conflict, a closure...),
    before anything is saved. `req` gives the first date and the times."""
    now = now or utcnow()
    clean_title(req.title)
    first_local = to_local(req.start_at).replace(tzinfo=None)
    periods = occurrence_periods(
        to_rrule(recurrence, first_local), first_local, _wall_clock_minutes(req)
    )
    return _check_occurrences(actor, req, periods, now)


def problem_dates_refusal(occurrences: Sequence[Occurrence]) -> BookingRefused:
    problems = [o for o in occurrences if o.problem is not None]
    dates = ", ".join(format_day(to_local(o.start_at).date(), "full") for o in problems)
    message = ngettext(
        "One date cannot be booked: %(dates)s.",
        "%(num)d dates cannot be booked: %(dates)s.",
        len(problems),
        dates=dates,
    )
    conflicts = [c for o in problems for c in o.problem.conflicts]
    return BookingRefused(message, rule="series", field="recurrence", conflicts=conflicts)


def request_series(
    actor: User,
    req: BookingRequest,
    recurrence: Recurrence,
    *,
    skip_conflicts: bool = False,
    now: datetime | None = None,
) -> BookingSeries:
    """Store a series and one booking per date. When some dates cannot be booked,
    refuse (naming them) unless `skip_conflicts`: then only the free dates are booked."""
    now = now or utcnow()
    title = clean_title(req.title)
    first_local = to_local(req.start_at).replace(tzinfo=None)
    duration = _wall_clock_minutes(req)
    rule = to_rrule(recurrence, first_local)
    # The lock first (locking.py): the quota and the conflicts are checked after it.
    lock_resource(req.resource)
    occurrences = _check_occurrences(
        actor, req, occurrence_periods(rule, first_local, duration), now
    )
    if any(o.problem for o in occurrences) and not skip_conflicts:
        raise problem_dates_refusal(occurrences)
    free = [o for o in occurrences if o.problem is None]
    if not free:
        raise BookingRefused(
            _("No date of this series can be booked."), rule="series", field="recurrence"
        )
    series = BookingSeries(
        resource=req.resource,
        association=req.association,
        requester_id=actor.id,
        rule=rule,
        first_start_local=first_local,
        duration_minutes=duration,
        title=title,
    )
    db.session.add(series)
    db.session.flush()
    bookings: list[Booking] = []
    for occurrence in free:
        occurrence_req = replace(req, start_at=occurrence.start_at, end_at=occurrence.end_at)
        try:
            state = arrival_state(actor, occurrence_req)
        except BookingRefused:
            if not skip_conflicts:
                raise
            continue
        bookings.append(insert_booking(actor, occurrence_req, state, now=now, series_id=series.id))
    if not bookings:
        raise BookingRefused(
            _("No date of this series can be booked."), rule="series", field="recurrence"
        )
    events.request_created.send(None, bookings=bookings, actor=actor)
    for booking in bookings:
        if booking.state is BookingState.APPROVED:
            refuse_overlapping_pending(actor, booking, now=now)
    return series


# --- Acting on a series -----------------------------------------------------------------


def series_bookings(series: BookingSeries, states: Sequence[BookingState]) -> list[Booking]:
    stmt = (
        select(Booking)
        .where(Booking.series_id == series.id, Booking.state.in_(states))
        .order_by(Booking.start_at, Booking.id)
    )
    return list(db.session.scalars(fresh(stmt)))


ACTIVE = (BookingState.PENDING, BookingState.APPROVED, BookingState.WAITLISTED)


def cancel_occurrences(
    actor: User,
    booking: Booking,
    scope: Literal["one", "following", "all"],
    reason: str | None = None,
    *,
    now: datetime | None = None,
) -> list[Booking]:
    """Cancel one occurrence, this one and the following ones, or all those still to come."""
    now = now or utcnow()
    if scope not in ("one", "following", "all"):
        raise ValueError(f"unknown scope {scope!r}")
    lock_booking(booking)  # the series' occurrences share its resource
    if scope == "one" or booking.series is None:
        targets = [booking]
    else:
        targets = [
            b
            for b in series_bookings(booking.series, ACTIVE)
            if b.end_at > now and (scope == "all" or b.start_at >= booking.start_at)
        ]
        if not targets:
            targets = [booking]
    was_approved = {}
    for target in targets:
        was_approved[target.id] = cancel_one(actor, target, reason, now=now)
    events.booking_cancelled.send(
        None,
        bookings=targets,
        actor=actor,
        reason=targets[0].cancel_reason,
        was_approved=any(was_approved.values()),
    )
    for target in targets:
        if was_approved[target.id] and not target.exclusive:
            promote_waiting(target.resource, target.start_at, target.end_at, now=now)
    return targets


def _require_series_decider(actor: User, series: BookingSeries) -> None:
    if not series.resource.can_approve(actor):
        raise NotAllowed(
            _(
                "Only the managers of %(resource)s can decide on its requests.",
                resource=series.resource.name,
            )
        )


def approve_series(
    actor: User,
    series: BookingSeries,
    *,
    now: datetime | None = None,
    booking_ids: Collection[int] | None = None,
) -> list[Booking]:
    """Approve every pending occurrence still to come (or those of `booking_ids`); returns
    those approved.

    An occurrence that now overlaps an approved booking stays pending (the manager
    sees it in the queue); overlapping requests of others are refused automatically.
    """
    now = now or utcnow()
    _require_series_decider(actor, series)
    lock_resource(series.resource)
    approved: list[Booking] = []
    for booking in series_bookings(series, (BookingState.PENDING,)):
        if booking.start_at <= now or (booking_ids is not None and booking.id not in booking_ids):
            continue
        try:
            approve_one(actor, booking, now=now)
        except BookingRefused:
            continue
        approved.append(booking)
    if approved:
        events.booking_approved.send(None, bookings=approved, actor=actor)
    return approved


def refuse_series(
    actor: User,
    series: BookingSeries,
    reason: str,
    *,
    now: datetime | None = None,
    booking_ids: Collection[int] | None = None,
) -> list[Booking]:
    """Refuse every pending or waiting occurrence still to come (or those of
    `booking_ids`), with one reason."""
    now = now or utcnow()
    _require_series_decider(actor, series)
    reason = require_reason(reason, _("Say why the request is refused."))
    lock_resource(series.resource)
    refused = [
        b
        for b in series_bookings(series, (BookingState.PENDING, BookingState.WAITLISTED))
        if b.start_at > now and (booking_ids is None or b.id in booking_ids)
    ]
    for booking in refused:
        change_state(
            booking, BookingState.REFUSED, actor=actor, action="refused", now=now, reason=reason
        )
    db.session.flush()
    if refused:
        events.booking_refused.send(
            None, bookings=refused, actor=actor, reason=reason, automatic=False
        )
    return refused

"""Plan B when a request collides (issue 13, item 5): the same room at the nearest free
times, and the other rooms that fit free at the same time, each a pre-filled booking
form. For a series, the same for each date that cannot be booked, fewer per date.
The choices come from `bookings.alternatives`, which asks the same rules as the form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from flask import url_for

from booking.auth.models import User
from booking.bookings.alternatives import nearby_times, other_resources
from booking.bookings.availability import FreeResource
from booking.bookings.rules import BookingRequest, describe_period
from booking.bookings.series import Occurrence
from booking.db import utcnow
from booking.schedule.grid import booking_link

# A series date gets fewer choices than a single request: the table stays readable.
SERIES_SAME_DAY = 2
SERIES_LATER = 1
SERIES_OTHERS = 2
SERIES_DATES = 12  # dates of a series given a plan B (the first ones that collide)
# What a plan B can help with: the time is taken or the room closed. Other refusals
# (a quota, a training) would follow the request to any other time or room.
HELPED_RULES = ("overlap", "closure", "equipment")


@dataclass
class PlanB:
    """What to offer when a request collides; each choice is a pre-filled form's URL."""

    times: list[tuple[str, str]]  # (the period in words, URL)
    others: list[tuple[FreeResource, str]]


def plan_b(
    req: BookingRequest,
    person: User,
    *,
    same_day: int | None = None,
    later: int | None = None,
    others: int | None = None,
) -> PlanB | None:
    """The same room at the nearest free times, and the other rooms free at the same time."""
    now = utcnow()
    resource = req.resource
    slugs = [i.equipment.slug for i in resource.equipment if i.equipment_id in req.equipment]
    extra = "&" + urlencode(
        [("attendees", req.attendees)] + [("equipment", slug) for slug in slugs]
    )
    base = url_for("reservations.new")
    limits = {k: v for k, v in (("same_day", same_day), ("later", later)) if v is not None}
    times = [
        (describe_period(a, b), booking_link(base, resource, a, b, extra=extra))
        for a, b in nearby_times(resource, req.start_at, req.end_at, now, **limits)
    ]
    found = other_resources(
        resource, req.start_at, req.end_at, req.attendees, req.equipment, now, person
    )
    if others is not None:
        found = found[:others]
    rooms = [
        (f, booking_link(base, f.resource, req.start_at, req.end_at, extra=extra)) for f in found
    ]
    if not times and not rooms:
        return None
    return PlanB(times, rooms)


def series_plan_b(
    req: BookingRequest, occurrences: Sequence[Occurrence], person: User
) -> dict[int, PlanB]:
    """A plan B for each date of a series preview that a plan B can help, by position."""
    found: dict[int, PlanB] = {}
    for index, occurrence in enumerate(occurrences):
        problem = occurrence.problem
        if problem is None or problem.rule not in HELPED_RULES:
            continue
        if len(found) >= SERIES_DATES:
            break
        date_req = replace(req, start_at=occurrence.start_at, end_at=occurrence.end_at)
        choice = plan_b(
            date_req,
            person,
            same_day=SERIES_SAME_DAY,
            later=SERIES_LATER,
            others=SERIES_OTHERS,
        )
        if choice is not None:
            found[index] = choice
    return found

"""Objects of the domain as the API's JSON (plain dicts, in the shape of `schemas.py`).

Built by hand rather than dumped by marshmallow: the availability answers are
on the hot path, and the contract tests check these dicts against the schemas.
"""

from __future__ import annotations

from datetime import UTC, datetime

from booking.api.http import public_url
from booking.auth.models import Association
from booking.bookings.availability import APPROVED, CLOSED, FREE, PENDING, Interval
from booking.bookings.models import Booking
from booking.resources.models import Closure, OpeningHours, Resource, Site
from booking.schedule.grid import booking_link
from booking.timeutil import local_zone

INTERVAL_STATES = {FREE: "free", PENDING: "pending", APPROVED: "busy", CLOSED: "closed"}


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def local(value: datetime) -> str:
    return value.astimezone(local_zone()).isoformat()


def opening_ranges(ranges: list[OpeningHours]) -> list[dict]:
    return [
        {
            "weekday": h.weekday,
            "opens": h.opens_at.strftime("%H:%M"),
            "closes": h.closes_at.strftime("%H:%M"),
        }
        for h in sorted(ranges, key=lambda h: (h.weekday, h.opens_at))
    ]


def site(value: Site) -> dict:
    return {
        "slug": value.slug,
        "name": value.name,
        "address": value.address,
        "neighbourhood": value.neighbourhood,
        "latitude": value.latitude,
        "longitude": value.longitude,
        "transport": value.transport,
        "wheelchair_accessible": value.is_wheelchair_accessible,
        "accessibility_notes": value.accessibility_notes,
        "resources": [r.slug for r in value.resources],
        "url": public_url("resources.site", slug=value.slug),
    }


def resource(value: Resource, closures: list[Closure]) -> dict:
    return {
        "slug": value.slug,
        "name": value.name,
        "kind": value.kind.value,
        "site": value.site.slug,
        "description": value.description,
        "capacity": value.capacity,
        "wheelchair_accessible": value.wheelchair_accessible,
        "requires_approval": value.requires_approval,
        "min_duration_minutes": value.min_duration_minutes,
        "max_duration_minutes": value.max_duration_minutes,
        "slot_step_minutes": value.slot_step_minutes,
        "equipment": [
            {"id": item.equipment_id, "name": item.equipment.name, "quantity": item.quantity}
            for item in value.equipment
        ],
        "opening_hours": opening_ranges(value.effective_opening_hours()),
        "closures": [
            {"label": c.label, "start": instant(c.start_at), "end": instant(c.end_at)}
            for c in closures
        ],
        "url": public_url("resources.resource", slug=value.slug),
    }


def intervals(slug: str, found: list[Interval], base: str, bookable: bool) -> list[dict]:
    """Free/busy intervals; each free one links to the request form, pre-filled."""
    zone = local_zone()
    out = []
    for item in found:
        state = INTERVAL_STATES[item.kind]
        link = None
        if bookable and state in ("free", "pending"):
            link = booking_link(base, _Slug(slug), item.start_at, item.end_at, zone)
        out.append(
            {
                "start": item.start_at.astimezone(UTC).isoformat(),
                "end": item.end_at.astimezone(UTC).isoformat(),
                "start_local": item.start_at.astimezone(zone).isoformat(),
                "end_local": item.end_at.astimezone(zone).isoformat(),
                "state": state,
                "label": item.label,
                "book_url": link,
            }
        )
    return out


class _Slug:
    """What `booking_link` reads of a resource."""

    __slots__ = ("slug",)

    def __init__(self, slug: str) -> None:
        self.slug = slug


def public_booking(row, neutral_title: str) -> dict:
    """A feed's view of a booking (`queries.public_bookings` row): details only if public."""
    public = bool(row.is_public)
    return {
        "resource": row.slug,
        "start": instant(row.start_at),
        "end": instant(row.end_at),
        "start_local": local(row.start_at),
        "end_local": local(row.end_at),
        "is_public": public,
        "title": row.title if public else neutral_title,
        "purpose": (row.purpose or None) if public else None,
        "association": row.association if public else None,
    }


def association(value: Association, role: str | None = None) -> dict:
    return {"id": value.id, "name": value.name, "role": role}


def booking(value: Booking) -> dict:
    return {
        "id": value.id,
        "resource": value.resource.slug,
        "association": association(value.association),
        "title": value.title,
        "purpose": value.purpose,
        "attendees": value.attendees,
        "is_public": value.is_public,
        "state": value.state.value,
        "start": instant(value.start_at),
        "end": instant(value.end_at),
        "start_local": local(value.start_at),
        "end_local": local(value.end_at),
        "series_id": value.series_id,
        "decision_reason": value.decision_reason,
        "cancel_reason": value.cancel_reason,
        "checked_in_at": instant(value.checked_in_at) if value.checked_in_at else None,
        "url": public_url("reservations.detail", booking_id=value.id),
    }

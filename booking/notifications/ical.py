"""A small `.ics` builder for the invitations attached to notification emails.

METHOD:REQUEST puts the event in the recipient's calendar, METHOD:CANCEL (same
UID, higher SEQUENCE) takes it out again (RFC 5546). One calendar may carry
several events: all the dates of a series travel in one email. UIDs, local
times (UTC in the hour the autumn change repeats) and the VTIMEZONE are the
feeds' own (`booking.calendars.ical`), so an invitation and a subscribed feed
show one event, at the same time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from email.utils import parseaddr

from icalendar import Calendar, Event, vCalAddress, vText

from booking.bookings.models import Booking
from booking.calendars.ical import event_times, event_uid, timezone_component
from booking.db import utcnow
from booking.timeutil import local_zone, to_local

PRODID = "-//Salles Ouvertes Brest//Notifications//FR"


def event_sequence(booking: Booking) -> int:
    """The booking's SEQUENCE: the engine bumps it on every change, so a cancellation
    always outranks the invitation sent before it."""
    return booking.sequence or 0


def booking_calendar(
    bookings: Sequence[Booking],
    method: str,
    *,
    organizer: str,
    attendee: str | None = None,
    base_url: str = "",
    now: datetime | None = None,
    times: Sequence[tuple[datetime, datetime]] | None = None,
) -> bytes:
    """An iCalendar object with one VEVENT per booking, for METHOD REQUEST or CANCEL.

    `times`, one (start, end) per booking, replaces the bookings' own: a CANCEL
    of the time a calendar still shows after the booking moved.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    stamp = now or utcnow()
    _, organizer_address = parseaddr(organizer)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    zone = local_zone()
    periods = list(times) if times is not None else [(b.start_at, b.end_at) for b in bookings]
    if len(periods) != len(bookings):
        raise ValueError("one (start, end) per booking")
    if bookings:
        cal.add_component(
            timezone_component(
                min(to_local(start).date() for start, _end in periods),
                max(to_local(end).date() for _start, end in periods),
            )
        )
    for booking, (start_at, end_at) in zip(bookings, periods, strict=True):
        event = Event()
        event.add("uid", event_uid(booking.uid, base_url))
        event.add("dtstamp", stamp)
        event["DTSTART"], event["DTEND"] = event_times(start_at, end_at, zone)
        event.add("sequence", event_sequence(booking))
        event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
        event.add("summary", f"{booking.title} — {booking.resource.name}")
        site = booking.resource.site
        event.add("location", ", ".join(p for p in (booking.resource.name, site.address) if p))
        if base_url:
            link = f"{base_url.rstrip('/')}/reservations/{booking.id}"
            event.add("url", link)
            event.add("description", link)
        if organizer_address:
            org = vCalAddress(f"mailto:{organizer_address}")
            org.params["cn"] = vText("Salles Ouvertes")
            event.add("organizer", org)
        if attendee:
            att = vCalAddress(f"mailto:{attendee}")
            att.params["role"] = vText("REQ-PARTICIPANT")
            att.params["partstat"] = vText("ACCEPTED")
            event.add("attendee", att)
        cal.add_component(event)
    return cal.to_ical()

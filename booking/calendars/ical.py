"""Bookings as iCalendar (RFC 5545, RFC 7986): pure functions, no database, no request.

Every DTSTART/DTEND is written in local time with TZID=Europe/Paris and the
calendar carries the matching VTIMEZONE, so clients place events at the right
wall-clock time across the clock changes; DTSTAMP, LAST-MODIFIED and CREATED
are in UTC, as the RFC requires. One exception: an event that starts or ends in
the hour the autumn change repeats (02:00-03:00 happens twice) has both times
written in UTC, since a local time there means its first occurrence (RFC 5545
3.3.5) and no TZID text can name the second; icalendar, vobject and ical.js
then all read the same instants. Always-UTC would do too, but would show
subscribers' clients a UTC event instead of the room's local time, and change
every existing event's text for one hour a year. Escaping, folding and CRLF line ends
are left to the `icalendar` library.

A series is written as one event per occurrence: each occurrence is its own
booking (own UID, own state), so every client shows exactly the booked dates.

Three levels of detail:
- BUSY (room and site feeds): a public booking shows its title and description,
  any other one is a neutral "Booked"; never a person's name or email.
- PUBLIC (the public feed): public bookings only, with title, description, place.
- FULL (private feeds, one booking's download): everything the reader may see;
  pending requests are TENTATIVE.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import (
    Calendar,
    Component,
    Event,
    Timezone,
    vDDDTypes,
    vDuration,
    vGeo,
    vInt,
    vText,
    vUri,
)
from icalendar.parser import Contentline

from booking.timeutil import local_zone

PRODID = "-//Salles Ouvertes Brest//Calendar feeds 1.0//FR"
REFRESH = timedelta(hours=1)
FOLD_AT = 75  # octets: a content line this long or longer is folded


class Detail(enum.StrEnum):
    BUSY = "busy"
    PUBLIC = "public"
    FULL = "full"


class BookingLike(Protocol):
    """What an event is made of: a `Booking` row, or anything with the same attributes."""

    id: int
    uid: str
    resource_id: int
    association_id: int
    requester_id: int | None
    title: str
    purpose: str | None
    attendees: int
    is_public: bool
    state: str
    start_at: datetime
    end_at: datetime
    sequence: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Place:
    """Where a resource is, loaded once per feed rather than once per booking."""

    resource_name: str
    resource_url: str
    site_name: str
    address: str
    latitude: float | None = None
    longitude: float | None = None

    @property
    def location(self) -> str:
        return ", ".join(
            part for part in (self.resource_name, self.site_name, self.address) if part
        )


@dataclass(frozen=True, slots=True)
class People:
    """Names a FULL feed may show: association names and requesters' display names by id."""

    associations: Mapping[int, str]
    requesters: Mapping[int, str]


NO_PEOPLE = People({}, {})


def host_of(base_url: str) -> str:
    """The host part of the service's address: the right-hand side of every UID."""
    return urlsplit(base_url).hostname or "localhost"


def event_uid(booking_uid: str, base_url: str) -> str:
    """The booking's iCalendar UID, the same in every feed and every emailed invitation."""
    return f"{booking_uid}@{host_of(base_url)}"


def booking_page_url(base_url: str, booking_id: int) -> str:
    """The booking's page (a public contract, like the feed URLs)."""
    return f"{base_url.rstrip('/')}/reservations/{booking_id}"


_STATUS = {
    # state: (status in FULL feeds, status elsewhere)
    "approved": ("CONFIRMED", "CONFIRMED"),
    "pending": ("TENTATIVE", "CANCELLED"),
    "waitlisted": ("TENTATIVE", "CANCELLED"),
}


def _status(state: str, detail: Detail) -> str:
    full, other = _STATUS.get(str(state), ("CANCELLED", "CANCELLED"))
    return full if detail is Detail.FULL else other


@dataclass(frozen=True, slots=True)
class Labels:
    """The translated words of a feed, looked up once per calendar, not once per event."""

    busy: str
    organised_by: str
    requested_by: str
    attendees: str
    state: str
    states: Mapping[str, str]


def labels() -> Labels:
    """The feed's words in the current locale."""
    return Labels(
        busy=_("Booked"),
        # Placeholders are filled per event with str.format after translation.
        organised_by=_("Organised by %(name)s", name="{}"),
        requested_by=_("Requested by %(name)s", name="{}"),
        attendees=_("Attendees: %(num)s", num="{}"),
        state=_("State: %(state)s", state="{}"),
        states={
            "pending": _("Awaiting approval"),
            "approved": _("Approved"),
            "refused": _("Refused"),
            "cancelled": _("Cancelled"),
            "expired": _("Expired without a decision"),
            "waitlisted": _("On the waiting list"),
            "released": _("Released: nobody checked in"),
        },
    )


def _summary_and_description(
    booking: BookingLike, detail: Detail, people: People, words: Labels
) -> tuple[str, str | None]:
    if detail is Detail.BUSY and not booking.is_public:
        return words.busy, None
    lines: list[str] = []
    if booking.purpose:
        lines.append(booking.purpose)
    association = people.associations.get(booking.association_id)
    if association and (detail is Detail.FULL or booking.is_public):
        lines.append(words.organised_by.format(association))
    if detail is Detail.FULL:
        requester = people.requesters.get(booking.requester_id or 0)
        if requester:
            lines.append(words.requested_by.format(requester))
        lines.append(words.attendees.format(booking.attendees))
        state = str(booking.state)
        lines.append(words.state.format(words.states.get(state, state)))
    return booking.title, "\n".join(lines) or None


def local_time_value(instant: datetime, zone: ZoneInfo) -> vDDDTypes:
    """A local DATE-TIME with TZID: the wall-clock time given with its zone's name.

    Same text as `vDDDTypes(aware_datetime)`, without the library's costly
    search for equivalent zone names on every value.
    """
    value = vDDDTypes(instant.astimezone(zone).replace(tzinfo=None))
    value.params["TZID"] = zone.key
    return value


def is_repeated_local_time(instant: datetime, zone: ZoneInfo) -> bool:
    """The instant's wall-clock time happens twice that day (the autumn change)."""
    local = instant.astimezone(zone)
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def event_times(start_at: datetime, end_at: datetime, zone: ZoneInfo) -> tuple[vDDDTypes, ...]:
    """DTSTART and DTEND: local times with TZID, or UTC if either falls in a repeated hour."""
    if is_repeated_local_time(start_at, zone) or is_repeated_local_time(end_at, zone):
        return _utc_time(start_at), _utc_time(end_at)
    return local_time_value(start_at, zone), local_time_value(end_at, zone)


def _utc_time(instant: datetime) -> vDDDTypes:
    """A UTC DATE-TIME ("...Z"), made the same cheap way as `_local_time`."""
    value = vDDDTypes(instant.astimezone(UTC).replace(tzinfo=None))
    value.params["TZID"] = "UTC"  # written as the "Z" suffix, not as a parameter
    return value


def _shared(shared: dict | None, kind: type, value: object) -> object:
    """One property value object per distinct value within a build (`shared`), if given."""
    if shared is None:
        return kind(value)
    key = (kind, value)
    found = shared.get(key)
    if found is None:
        found = shared[key] = kind(value)
    return found


def booking_event(
    booking: BookingLike,
    place: Place,
    *,
    detail: Detail,
    base_url: str,
    people: People = NO_PEOPLE,
    words: Labels | None = None,
    shared: dict | None = None,
) -> Event:
    """One booking as a VEVENT.

    Properties are set with their iCalendar value types directly (what
    `Event.add` would infer), which keeps a 1,000-event feed fast to build.
    """
    zone = local_zone()
    summary, description = _summary_and_description(booking, detail, people, words or labels())
    updated = _utc_time(booking.updated_at)
    event = Event()
    event["UID"] = vText(event_uid(booking.uid, base_url))
    # Without METHOD, DTSTAMP is the last revision of the event (RFC 5545 3.8.7.2):
    # the same bytes for the same data, so feeds are reproducible and cacheable.
    event["DTSTAMP"] = updated
    event["LAST-MODIFIED"] = updated
    event["SEQUENCE"] = vInt(booking.sequence)
    event["DTSTART"], event["DTEND"] = event_times(booking.start_at, booking.end_at, zone)
    event["SUMMARY"] = _shared(shared, vText, summary) if description is None else vText(summary)
    if description:
        event["DESCRIPTION"] = vText(description)
    event["LOCATION"] = _shared(shared, vText, place.location)
    if place.latitude is not None and place.longitude is not None:
        event["GEO"] = _shared(shared, vGeo, (place.latitude, place.longitude))
    status = _status(booking.state, detail)
    event["STATUS"] = _shared(shared, vText, status)
    if detail is Detail.FULL:
        event["URL"] = vUri(booking_page_url(base_url, booking.id))
    else:
        # The booking page is only for its association and the managers: a public
        # feed links to the room's page instead.
        event["URL"] = _shared(shared, vUri, place.resource_url)
    return event


def timezone_component(first: date, last: date) -> Timezone:
    """The VTIMEZONE of the service's zone from tzdata, covering the years `first` to `last`.

    The library groups same-offset transitions as one observance with RDATEs;
    ical.js (Thunderbird) then ignores the observance's own DTSTART and places a
    whole season at the wrong offset. Each transition is therefore written as an
    observance of its own, which every client reads alike.
    """
    template = _timezone_of_years(local_zone().key, first.year, last.year)
    # A copy of the component and of its list of observances (shared, never changed here):
    # building one from tzdata costs about a millisecond, each invitation email needs one.
    tz = Timezone()
    tz.update(template)
    tz.subcomponents = list(template.subcomponents)
    return tz


@lru_cache(maxsize=32)
def _timezone_of_years(key: str, first_year: int, last_year: int) -> Timezone:
    """`timezone_component` for whole years, built once per process (tzdata does not
    change under a running process)."""
    zone = ZoneInfo(key)
    tz = Timezone.from_tzinfo(
        zone, tzid=zone.key, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    observances = []
    for observance in tz.subcomponents:
        rdates = observance.pop("RDATE", None)
        observances.append(observance)
        if rdates is None:
            continue
        for rdate_list in rdates if isinstance(rdates, list) else [rdates]:
            for rdate in rdate_list.dts:
                copy = type(observance)()
                for name, value in observance.property_items(recursive=False)[1:-1]:
                    copy[name] = value
                copy["DTSTART"] = vDDDTypes(rdate.dt)
                observances.append(copy)
    for observance in observances:
        onset = _onset(observance, zone)
        if onset is not None:
            observance["DTSTART"] = vDDDTypes(onset)
    observances.sort(key=lambda o: o.decoded("DTSTART"))
    tz.subcomponents = observances
    return tz


def _onset(observance: Component, zone: tzinfo) -> datetime | None:
    """The observance's onset as RFC 5545 wants it: wall-clock time in the offset before it.

    The library writes 03:00 for both changes; in spring the clocks go from 02:00
    to 03:00 CET, so the onset is 02:00 (01:00 UTC). Found from tzdata itself.
    """
    local = observance.decoded("DTSTART")
    before = observance.decoded("TZOFFSETFROM")
    after = observance.decoded("TZOFFSETTO")
    if before == after:
        return None
    guess = (local - before).replace(tzinfo=UTC)
    for hours in range(-3, 4):
        instant = guess + timedelta(hours=hours)
        just_before = instant - timedelta(seconds=1)
        if instant.astimezone(zone).utcoffset() == after and (
            just_before.astimezone(zone).utcoffset() == before
        ):
            return (instant + before).replace(tzinfo=None)
    return None


def new_calendar(
    name: str,
    *,
    window: tuple[date, date],
    source_url: str | None = None,
    description: str | None = None,
) -> Calendar:
    """An empty calendar with the headers subscribed clients read."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # The library types NAME and the X-WR-* extensions as unknown values and writes them
    # unescaped: every TEXT property is given as vText, so `,` `;` `\` and newlines are
    # escaped (RFC 5545 3.3.11).
    cal["NAME"] = vText(name)
    cal["X-WR-CALNAME"] = vText(name)
    if description:
        cal["DESCRIPTION"] = vText(description)
        cal["X-WR-CALDESC"] = vText(description)
    cal["X-WR-TIMEZONE"] = vText(local_zone().key)
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    if source_url:
        cal.add("source", source_url, parameters={"VALUE": "URI"})
    cal.add_component(timezone_component(*window))
    return cal


def bookings_calendar(
    bookings: Iterable[BookingLike],
    places: Mapping[int, Place],
    *,
    name: str,
    detail: Detail,
    base_url: str,
    window: tuple[date, date],
    people: People = NO_PEOPLE,
    source_url: str | None = None,
    description: str | None = None,
) -> Calendar:
    """A calendar of bookings; `places` maps each booking's resource_id to its place."""
    cal = new_calendar(name, window=window, source_url=source_url, description=description)
    words = labels()
    shared: dict = {}
    for booking in bookings:
        cal.add_component(
            booking_event(
                booking,
                places[booking.resource_id],
                detail=detail,
                base_url=base_url,
                people=people,
                words=words,
                shared=shared,
            )
        )
    return cal


def _line_key(name: str, value: object) -> tuple | None:
    """What makes two properties print the same line, for the types feeds use."""
    params = tuple(getattr(value, "params", {}).items())
    if isinstance(value, vDDDTypes):
        dt = value.dt
        return (name, vDDDTypes, dt, str(getattr(dt, "tzinfo", None)), params)
    if isinstance(value, vGeo):
        return (name, vGeo, value.latitude, value.longitude, params)
    if isinstance(value, str | bytes | int):
        return (name, type(value), value, params)
    return None


def serialize(cal: Component, made: dict[tuple, bytes] | None = None) -> bytes:
    """UTF-8 bytes with CRLF line ends, folded at 75 octets: `cal.to_ical()`, faster.

    Each line is still made (escaped, folded) by the library; identical lines
    (the room's LOCATION, GEO, URL, "Booked"...) are made once per feed, and
    lines shorter than the folding limit skip the library's character-by-character
    folding loop, which leaves them unchanged anyway. The result is byte for
    byte what `to_ical()` gives (a test holds it to that). Pass the same `made`
    dict to serialize several components (events of one feed) with one memory.
    """
    if made is None:
        made = {}
    out = []
    for name, value in cal.property_items():
        key = _line_key(name, value)
        line = made.get(key) if key is not None else None
        if line is None:
            params = getattr(value, "params", None)
            content_line = (
                Contentline.from_parts(name, params, value)
                if params is not None
                else cal.content_line(name, value)
            )
            raw = content_line.encode()
            line = raw if len(raw) < FOLD_AT else content_line.to_ical()
            if key is not None:
                made[key] = line
        out.append(line)
    out.append(b"")
    return b"\r\n".join(out)


CALENDAR_END = b"END:VCALENDAR\r\n"


def splice(cal: Calendar, events: Iterable[bytes]) -> bytes:
    """A calendar's text with already serialized VEVENTs put in before its end.

    Byte for byte `serialize()` of the calendar holding those events, for feeds
    that keep each event's text between builds.
    """
    head = serialize(cal)
    if not head.endswith(CALENDAR_END):
        raise ValueError("not a serialized VCALENDAR")
    return b"".join([head[: -len(CALENDAR_END)], *events, CALENDAR_END])


__all__ = [
    "PRODID",
    "BookingLike",
    "Detail",
    "Labels",
    "People",
    "Place",
    "booking_event",
    "booking_page_url",
    "bookings_calendar",
    "event_times",
    "host_of",
    "labels",
    "new_calendar",
    "serialize",
    "splice",
    "timezone_component",
]

"""Closures imported from an .ics file (public holidays, school holidays, a site's closures).

Every VEVENT becomes a `Closure` of the chosen site or resource. The whole file
is read and checked before anything is written: a bad file raises
`ImportRefusedError` naming the problem (and the event) and nothing is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from icalendar import Calendar
from sqlalchemy import select

from booking.audit import record
from booking.auth.models import User
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Closure, Resource, Site
from booking.timeutil import local_datetime, to_utc

MAX_EVENTS = 1000
LABEL_LENGTH = 200


class ImportRefusedError(Exception):
    """The file cannot be imported; `message` says why, for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ClosureSpan:
    start_at: datetime
    end_at: datetime
    label: str


def _instant(value: date | datetime) -> datetime:
    """A DTSTART/DTEND value as a UTC instant (dates: local midnight)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating time: read as local time
            return to_utc(value)
        return value.astimezone(UTC)
    return local_datetime(value, time.min).astimezone(UTC)


def _describe(summary: str, number: int) -> str:
    return (
        _("event %(num)d (“%(name)s”)", num=number, name=summary)
        if summary
        else _("event %(num)d", num=number)
    )


def parse_closures(data: bytes) -> list[ClosureSpan]:
    """Read every VEVENT of an iCalendar file as a closed period, or refuse the file."""
    if not data.strip():
        raise ImportRefusedError(_("The file is empty."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefusedError(
            _(
                "The file is not UTF-8 text (byte %(pos)d): is it really an .ics file?",
                pos=exc.start,
            )
        ) from exc
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise ImportRefusedError(
            _("The file is not an iCalendar file: it does not start with BEGIN:VCALENDAR.")
        )
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ImportRefusedError(
            _("The iCalendar file could not be read: %(problem)s", problem=str(exc)[:200])
        ) from exc
    events = [event for cal in calendars for event in cal.walk("VEVENT")]
    if not events:
        raise ImportRefusedError(_("The file contains no event (VEVENT) to import."))
    if len(events) > MAX_EVENTS:
        raise ImportRefusedError(
            _(
                "The file contains %(num)d events; at most %(max)d can be imported at once.",
                num=len(events),
                max=MAX_EVENTS,
            )
        )
    spans = []
    for number, event in enumerate(events, start=1):
        spans.append(_span(event, number))
    return spans


def _span(event, number: int) -> ClosureSpan:
    summary = str(event.get("SUMMARY", "")).strip()

    def where() -> str:
        # Translated only when a file is refused: the happy path needs no locale.
        return _describe(summary, number)

    if "RRULE" in event or "RDATE" in event:
        raise ImportRefusedError(
            _(
                "The %(event)s repeats (RRULE): export each date as its own event and try again.",
                event=where(),
            )
        )
    try:
        dtstart = event.decoded("DTSTART")
    except KeyError:
        raise ImportRefusedError(
            _("The %(event)s has no start (DTSTART).", event=where())
        ) from None
    except (ValueError, TypeError) as exc:
        raise ImportRefusedError(
            _("The %(event)s has an unreadable start (DTSTART).", event=where())
        ) from exc
    if not isinstance(dtstart, date):  # a PERIOD, a TIME...
        raise ImportRefusedError(
            _("The %(event)s has an unreadable start (DTSTART).", event=where())
        )
    try:
        if "DTEND" in event:
            dtend = event.decoded("DTEND")
        elif "DURATION" in event:
            dtend = dtstart + event.decoded("DURATION")
        elif isinstance(dtstart, datetime):
            raise ImportRefusedError(
                _("The %(event)s has no end (DTEND or DURATION).", event=where())
            )
        else:
            dtend = dtstart + timedelta(days=1)  # an all-day event lasts one day
    except (ValueError, TypeError) as exc:
        raise ImportRefusedError(
            _("The %(event)s has an unreadable end (DTEND).", event=where())
        ) from exc
    if not isinstance(dtend, date):
        raise ImportRefusedError(_("The %(event)s has an unreadable end (DTEND).", event=where()))
    if isinstance(dtstart, datetime) != isinstance(dtend, datetime):
        raise ImportRefusedError(
            _("The %(event)s mixes a date and a date-time for its start and end.", event=where())
        )
    start_at = _instant(dtstart)
    end_at = _instant(dtend)
    if end_at <= start_at:
        raise ImportRefusedError(_("The %(event)s ends before it starts.", event=where()))
    label = (summary or _("Closed"))[:LABEL_LENGTH]
    return ClosureSpan(start_at, end_at, label)


def import_closures(
    actor: User,
    data: bytes,
    *,
    site: Site | None = None,
    resource: Resource | None = None,
    now: datetime | None = None,
) -> list[Closure]:
    """Add a closure of `site` or `resource` for every event of the file; flushes, never commits.

    Events already imported with the same times and label are skipped, so a file
    can be imported again after it was updated.
    """
    if (site is None) == (resource is None):
        raise ValueError("give exactly one of site or resource")
    allowed = site.is_managed_by(actor) if site is not None else resource.can_manage(actor)
    if not allowed:
        raise ImportRefusedError(_("You do not manage this place."))
    spans = parse_closures(data)
    owner = Closure.site_id == site.id if site is not None else Closure.resource_id == resource.id
    existing = {
        (c.start_at, c.end_at, c.label) for c in db.session.scalars(select(Closure).where(owner))
    }
    created = []
    stamp = now or utcnow()
    for span in spans:
        key = (span.start_at, span.end_at, span.label)
        if key in existing:
            continue
        existing.add(key)
        closure = Closure(
            site_id=site.id if site is not None else None,
            resource_id=resource.id if resource is not None else None,
            start_at=span.start_at,
            end_at=span.end_at,
            label=span.label,
            source="import",
            created_by_id=actor.id,
            created_at=stamp,
        )
        db.session.add(closure)
        created.append(closure)
    db.session.flush()
    for closure in created:
        record("closure", closure.id, "import", actor_id=actor.id, reason=closure.label)
    return created

"""A door display's state in words: read from three metres, never colour alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_time, pgettext
from flask_babel import gettext as _

from booking.door.display import BUSY, CLOSED_STATE, FREE_STATE, FULL, RoomDoor
from booking.i18n import format_day
from booking.timeutil import to_local

ICONS = {FREE_STATE: "free", BUSY: "busy", FULL: "busy", CLOSED_STATE: "closed"}


@dataclass(frozen=True)
class Words:
    headline: str  # "Free until 16:00", "In use until 15:30", "Closed"
    detail: str | None  # the booking's title, the closure's label, the reopening time
    icon: str  # the pictogram and pattern: free, busy, closed


def when(instant: datetime, now: datetime) -> str:
    """A local time, with its day when it is not today."""
    local, today = to_local(instant), to_local(now).date()
    clock = format_time(instant, "short")
    if local.date() == today:
        return clock
    return _("%(day)s at %(time)s", day=format_day(local.date(), "EEEE d MMMM"), time=clock)


def title_of(title: str | None) -> str:
    """A booking's public title, or the neutral words the grids use for a private one."""
    return title or _("Private booking")


def words(door: RoomDoor) -> Words:
    icon = ICONS[door.state]
    if door.state == FREE_STATE:
        if door.until is None:
            return Words(pgettext("door", "Free"), _no_show(door), icon)
        if door.is_evening:
            closes = _("Closes at %(time)s", time=format_time(door.until, "short"))
            return Words(_("Free all evening"), _no_show(door) or closes, icon)
        headline = _("Free until %(time)s", time=when(door.until, door.now))
        detail = _("Then closed") if door.until_closing else None
        return Words(headline, _no_show(door) or detail, icon)
    if door.state in (BUSY, FULL):
        until = when(door.until, door.now) if door.until else None
        if door.state == FULL:
            headline = _("Full until %(time)s", time=until) if until else pgettext("door", "Full")
            return Words(headline, None, icon)
        headline = _("In use until %(time)s", time=until) if until else _("In use")
        return Words(headline, title_of(door.title), icon)
    reopening = (
        _("Reopens %(when)s", when=_reopening(door.reopens_at, door.now))
        if door.reopens_at
        else None
    )
    detail = " — ".join(part for part in (door.title, reopening) if part) or None
    return Words(pgettext("door", "Closed"), detail, icon)


def _reopening(instant: datetime, now: datetime) -> str:
    if to_local(instant).date() == to_local(now).date():
        return _("at %(time)s", time=format_time(instant, "short"))
    return when(instant, now)


def _no_show(door: RoomDoor) -> str | None:
    """Why a room booked now shows free: nobody checked in, its booking is being released."""
    if not door.no_show:
        return None
    return _("Booking not honoured: nobody checked in, the room is free")

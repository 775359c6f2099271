"""The widget: the week of one room, or of a place's rooms, for an `<iframe>`.

No cookie is read or set (no session, no form), the language comes from `lang`
(or the browser's), and it is the only page any site may frame
(`frame-ancestors`). Free and busy times come from `free_busy`, as on the
calendar pages; each free time links to the request form, pre-filled, on this site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Blueprint, abort, current_app, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from booking.api.http import public_url
from booking.api.queries import version_rows
from booking.bookings.availability import CLOSED, FREE, PENDING, Interval, free_busy
from booking.core.headers import embeddable
from booking.extensions import db
from booking.i18n import available_languages
from booking.resources.models import Site
from booking.schedule.grid import booking_link, week_days
from booking.timeutil import local_day_bounds, local_today

bp = Blueprint("widget", __name__, url_prefix="/widget")


@bp.app_context_processor
def _embed_helpers() -> dict:
    """`public_url` for the pages' "share / embed" box (templates/widget/_share.html)."""
    return {"public_url": public_url}


STATE_OF = {FREE: "free", PENDING: "free", CLOSED: "closed"}  # anything else: busy


@dataclass(frozen=True)
class Slot:
    start_at: datetime
    end_at: datetime
    state: str  # free, busy, closed
    label: str | None
    book_url: str | None


@dataclass(frozen=True)
class DayColumn:
    day: date
    slots: list[Slot]


@dataclass(frozen=True)
class RoomWeek:
    slug: str
    name: str
    days: list[DayColumn]


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else local_today()
    except ValueError:
        return local_today()


def _slots(slug: str, intervals: list[Interval], day: date, base: str) -> list[Slot]:
    """The day's part of the week's intervals, without the hours it is closed."""
    start, end = local_day_bounds(day)
    slots = []
    for item in intervals:
        if item.end_at <= start or item.start_at >= end or item.is_outside_hours:
            continue
        a, b = max(item.start_at, start), min(item.end_at, end)
        state = STATE_OF.get(item.kind, "busy")
        link = booking_link(base, _Named(slug), a, b) if state == "free" else None
        slots.append(Slot(a, b, state, item.label, link))
    return slots


class _Named:
    __slots__ = ("slug",)

    def __init__(self, slug: str) -> None:
        self.slug = slug


def _page(title: str, rows: list, first: date, endpoint: str, slug: str) -> Response:
    days = week_days(first)
    start_at, end_at = local_day_bounds(days[0])[0], local_day_bounds(days[-1])[1]
    found = free_busy([r.id for r in rows], start_at, end_at)
    base = public_url("reservations.new")
    weeks = [
        RoomWeek(r.slug, r.name, [DayColumn(d, _slots(r.slug, found[r.id], d, base)) for d in days])
        for r in rows
    ]
    lang = request.args.get("lang")
    lang = lang if lang in available_languages() else None

    def week_url(day: date) -> str:
        return url_for(endpoint, slug=slug, date=day.isoformat(), lang=lang)

    html = render_template(
        "widget/week.html",
        title=title,
        weeks=weeks,
        days=days,
        previous_url=week_url(days[0] - timedelta(days=7)),
        next_url=week_url(days[0] + timedelta(days=7)),
        site_url=public_url("core.home"),
    )
    response = current_app.make_response(html)
    return embeddable(response)


@bp.get("/resources/<slug>")
def resource(slug: str) -> Response:
    rows = version_rows(slug=slug)
    if not rows:
        abort(404)
    return _page(rows[0].name, rows, _day(request.args.get("date")), "widget.resource", slug)


@bp.get("/sites/<slug>")
def site(slug: str) -> Response:
    name = db.session.scalar(select(Site.name).where(Site.slug == slug))
    if name is None:
        abort(404)
    rows = version_rows(site_slug=slug)
    return _page(name, rows, _day(request.args.get("date")), "widget.site", slug)

"""Door displays: `/rooms/<slug>/door` for one room, `/sites/<slug>/door` for a site's kiosk.

Public, no account, and polled all day by screens: the views are `sessionless`
(no session or user read, no cookie written, the language from `lang` or the
browser) and validate on the calendar versions (one primary-key-sized read,
`stamp_of_resource` / `stamp_of_site`, as the feeds do) plus the current minute,
since the page shows the time and "free until", and the next free slot moves
with the clock. A 304 costs that one read.

The kiosk is always on, like the site's page, feed and widget that show the same
public facts: a per-site switch would only add a step before a screen works.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from booking.api.http import public_url
from booking.calendars.feeds import Stamp, stamp_of_resource, stamp_of_site
from booking.core.sessions import sessionless
from booking.db import utcnow
from booking.door.display import RoomDoor, offer_url, room_doors
from booking.door.qr import qr_svg
from booking.door.words import when, words
from booking.i18n import available_languages, select_locale
from booking.resources.queries import resource_by_slug, site_by_slug

bp = Blueprint("door", __name__)

FORMAT_VERSION = "1"  # change when the page changes for the same data
REFRESH_SECONDS = 60  # without JavaScript: <meta http-equiv="refresh">
POLL_SECONDS = 30  # with JavaScript: a conditional fetch


def door_etag(stamp: Stamp, now: datetime, *extra: object) -> str:
    """The page's validator: its data's versions, the minute it shows, its language."""
    minute = now.replace(second=0, microsecond=0)
    parts = (
        FORMAT_VERSION,
        stamp.key,
        *stamp.parts,
        minute.isoformat(),
        select_locale(),  # str(get_locale()), without building Babel's Locale on a 304
        current_app.config["BASE_URL"],
        *extra,
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def _options() -> tuple[str | None, bool]:
    lang = request.args.get("lang")
    return (lang if lang in available_languages() else None), request.args.get("pause") == "1"


def _not_modified(etag: str) -> Response | None:
    if request.if_none_match and request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
        return _cache_headers(response, etag)
    return None


def _cache_headers(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"  # keep it, but ask each time
    response.vary.add("Accept-Language")
    return response


def _panel(door: RoomDoor, *, with_qr: bool = True) -> dict:
    """What the template shows of a room: its state in words, the booking link and its QR."""
    url = offer_url(public_url("reservations.new"), door)
    label = _("QR code of the booking form of %(name)s", name=door.resource.name)
    panel = {
        "door": door,
        "words": words(door),
        "book_url": url,
        "book_qr": qr_svg(url, label) if with_qr else None,
        "checkin": None,
    }
    if door.checkin is not None:
        checkin_url = public_url("reservations.check_in", booking_id=door.checkin.booking_id)
        panel["checkin"] = {
            "words": _("Check in before %(time)s", time=when(door.checkin.closes_at, door.now)),
            "url": checkin_url,
            "qr": qr_svg(
                checkin_url, _("QR code to check in for %(name)s", name=door.resource.name)
            )
            if with_qr
            else None,
        }
    return panel


def _page(template: str, etag: str, **context: object) -> Response:
    lang, paused = _options()
    html = render_template(
        template,
        etag=etag,
        lang=lang,
        paused=paused,
        refresh_seconds=REFRESH_SECONDS,
        poll_seconds=POLL_SECONDS,
        **context,
    )
    return _cache_headers(current_app.make_response(html), etag)


def _validate(stamp) -> tuple[datetime, str, Response | None]:
    """The instant, the ETag of the display for it, and the 304 when the client's copy is
    current; 404 for an unknown room or place (`stamp` None)."""
    if stamp is None:
        abort(404)
    now = utcnow()
    etag = door_etag(stamp, now, *_options())
    return now, etag, _not_modified(etag)


@bp.get("/rooms/<slug>/door")
@sessionless
def room(slug: str) -> Response:
    now, etag, cached = _validate(stamp_of_resource(slug))
    if cached is not None:
        return cached
    resource = resource_by_slug(slug)
    if resource is None:
        abort(404)
    (door,) = room_doors([resource], now)
    return _page("door/room.html", etag, room=_panel(door), now=now, resource=resource)


@bp.get("/sites/<slug>/door")
@sessionless
def site(slug: str) -> Response:
    now, etag, cached = _validate(stamp_of_site(slug))
    if cached is not None:
        return cached
    found = site_by_slug(slug)
    if found is None:
        abort(404)
    doors = room_doors(list(found.resources), now, with_offers=False)
    return _page(
        "door/site.html",
        etag,
        kiosk=True,
        site=found,
        rooms=[_panel(d, with_qr=False) for d in doors],
        now=now,
    )

"""Anonymous read endpoints: places, resources, availability, public bookings, "find a free room".

Availability answers come from `free_busy`, the function the calendar pages
use, so every free interval is one the booking form accepts (the request rules
still apply: notice, duration, horizon). Their ETag is made of the resources'
calendar versions (raised by the database with every change a calendar shows)
and the window: a conditional request is answered with one small query.
These endpoints allow any origin (CORS); the token endpoints do not.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_smorest import Blueprint
from werkzeug.wrappers import Response

from booking.api import serialize
from booking.api.http import (
    SchemaReusingParser,
    add_cors,
    etag_of,
    json_response,
    not_modified,
    page_links,
    public_url,
)
from booking.api.problems import ApiProblem
from booking.api.queries import (
    closures_ahead,
    count_of,
    public_bookings,
    resources,
    site_exists,
    version_rows,
)
from booking.api.schemas import (
    AvailabilityListSchema,
    AvailabilityQuery,
    AvailabilitySchema,
    DayQuery,
    FindQuery,
    FoundSchema,
    PublicBookingPageSchema,
    PublicBookingQuery,
    ResourceListQuery,
    ResourceSchema,
    SiteSchema,
)
from booking.bookings.availability import find_free, free_busy
from booking.calendars.ical import labels
from booking.db import utcnow
from booking.extensions import db
from booking.lru import LRUCache
from booking.resources.queries import sites_with_resources
from booking.schedule.grid import booking_link
from booking.timeutil import local_day_bounds, local_today

bp = Blueprint(
    "api_public",
    __name__,
    url_prefix="/api/v1",
    description="Read without an account: places, resources, availability.",
)
bp.ARGUMENTS_PARSER = SchemaReusingParser()  # before the routes: their decorators take it
NOT_MODIFIED = {"description": "Not modified: the copy named by If-None-Match is current"}


@bp.after_request
def _cors(response: Response) -> Response:
    return add_cors(response)


def init_answer_cache(app: Flask) -> None:
    """Built availability answers, keyed by their ETag (per process, like the grids)."""
    app.extensions["api_answers"] = LRUCache(app.config.get("GRID_CACHE_ENTRIES", 256))


def answer_cache() -> LRUCache:
    return current_app.extensions["api_answers"]


def _cached_json(etag: str, build) -> Response:
    hit = not_modified(etag)
    if hit is not None:
        return hit
    cache = answer_cache()
    data = cache.get(etag)
    if data is None:
        data = build()
        cache.put(etag, data)
    return json_response(data, etag=etag)


@bp.route("/sites")
@bp.response(200, SiteSchema(many=True))
def list_sites() -> Response:
    """The places and the slugs of their resources."""
    return json_response([serialize.site(s) for s in sites_with_resources()])


@bp.route("/resources")
@bp.arguments(ResourceListQuery, location="query", as_kwargs=True)
@bp.response(200, ResourceSchema(many=True))
def list_resources(site: str | None = None, kind: str | None = None) -> Response:
    """Bookable resources: kind, capacity, accessibility, equipment, hours, closures ahead."""
    found = resources(site_slug=site, kind=kind)
    closures = closures_ahead(found, utcnow())
    return json_response([serialize.resource(r, closures.get(r.id, [])) for r in found])


@bp.route("/resources/<slug>")
@bp.response(200, ResourceSchema)
def get_resource(slug: str) -> Response:
    """One bookable resource."""
    found = resources(slug=slug)
    if not found:
        raise ApiProblem(404, _("There is no bookable resource with this name."))
    closures = closures_ahead(found, utcnow())
    return json_response(serialize.resource(found[0], closures.get(found[0].id, [])))


@bp.route("/resources/<slug>/availability")
@bp.arguments(AvailabilityQuery, location="query", as_kwargs=True)
@bp.response(200, AvailabilitySchema)
@bp.alt_response(304, description=NOT_MODIFIED["description"])
def resource_availability(slug: str, days: int, date=None) -> Response:
    """Free and busy intervals of one resource over `days` local days (a week by default)."""
    rows = version_rows(slug=slug)
    if not rows:
        raise ApiProblem(404, _("There is no bookable resource with this name."))
    row = rows[0]
    first = date or local_today()
    start_at = local_day_bounds(first)[0]
    end_at = local_day_bounds(first + timedelta(days=days - 1))[1]
    etag = etag_of("resource", row.id, row.calendar_version, row.slug, row.name, start_at, end_at)

    def build() -> dict:
        found = free_busy([row.id], start_at, end_at)[row.id]
        return {
            "resource": row.slug,
            "name": row.name,
            "start": serialize.instant(start_at),
            "end": serialize.instant(end_at),
            "intervals": serialize.intervals(row.slug, found, _form_url(), True),
        }

    return _cached_json(etag, build)


@bp.route("/availability")
@bp.arguments(DayQuery, location="query", as_kwargs=True)
@bp.response(200, AvailabilityListSchema)
@bp.alt_response(304, description=NOT_MODIFIED["description"])
def day_availability(page: int, per_page: int, date=None, site: str | None = None) -> Response:
    """Free and busy intervals of the bookable resources (or a place's) for one local day,
    `per_page` resources a page (with `Link` headers): a region's hundreds of rooms are
    never built into one answer."""
    if site is not None and not site_exists(site):
        raise ApiProblem(404, _("There is no place with this name."), field="site")
    rows = version_rows(site_slug=site)
    total = len(rows)
    shown = rows[(page - 1) * per_page : page * per_page]
    day = date or local_today()
    start_at, end_at = local_day_bounds(day)
    etag = etag_of(
        "day",
        site,
        start_at,
        page,
        per_page,
        total,
        [(r.id, r.calendar_version, r.slug, r.name) for r in shown],
    )

    def build() -> dict:
        found = free_busy([r.id for r in shown], start_at, end_at)
        base = _form_url()
        return {
            "date": day.isoformat(),
            "resources": [
                {
                    "resource": r.slug,
                    "name": r.name,
                    "start": serialize.instant(start_at),
                    "end": serialize.instant(end_at),
                    "intervals": serialize.intervals(r.slug, found[r.id], base, True),
                }
                for r in shown
            ],
            "page": page,
            "per_page": per_page,
            "total": total,
        }

    response = _cached_json(etag, build)
    if response.status_code == 200:
        response.headers["Link"] = page_links(page, per_page, total)
    return response


@bp.route("/resources/<slug>/bookings")
@bp.arguments(PublicBookingQuery, location="query", as_kwargs=True)
@bp.response(200, PublicBookingPageSchema)
@bp.alt_response(304, description=NOT_MODIFIED["description"])
def resource_bookings(slug: str, days: int, page: int, per_page: int, date=None) -> Response:
    """Approved bookings of one resource over `days` local days, as its calendar feed shows
    them: a public booking with its title, any other with a neutral title. Paginated."""
    rows = version_rows(slug=slug)
    if not rows:
        raise ApiProblem(404, _("There is no bookable resource with this name."))
    return _public_bookings(("resource", slug), rows, date, days, page, per_page)


@bp.route("/sites/<slug>/bookings")
@bp.arguments(PublicBookingQuery, location="query", as_kwargs=True)
@bp.response(200, PublicBookingPageSchema)
@bp.alt_response(304, description=NOT_MODIFIED["description"])
def site_bookings(slug: str, days: int, page: int, per_page: int, date=None) -> Response:
    """Approved bookings of a place's resources over `days` local days, as the place's
    calendar feed shows them. Paginated."""
    if not site_exists(slug):
        raise ApiProblem(404, _("There is no place with this name."))
    return _public_bookings(
        ("site", slug), version_rows(site_slug=slug), date, days, page, per_page
    )


def _public_bookings(
    scope: tuple, rows: list, first, days: int, page: int, per_page: int
) -> Response:
    """The list's ETag is the resources' calendar versions (raised with any change of
    their bookings), the window, the page and the language of the neutral title."""
    first = first or local_today()
    start_at = local_day_bounds(first)[0]
    end_at = local_day_bounds(first + timedelta(days=days - 1))[1]
    locale = str(get_locale())
    etag = etag_of(
        "public-bookings",
        scope,
        [(r.id, r.calendar_version) for r in rows],
        start_at,
        end_at,
        page,
        per_page,
        locale,
    )

    def build() -> dict:
        stmt = public_bookings([r.id for r in rows], start_at, end_at)
        found = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
        neutral = labels().busy
        return {
            "items": [serialize.public_booking(row, neutral) for row in found],
            "start": serialize.instant(start_at),
            "end": serialize.instant(end_at),
            "page": page,
            "per_page": per_page,
            "total": count_of(stmt),
        }

    response = not_modified(etag)
    if response is None:
        cache = answer_cache()
        data = cache.get(etag)
        if data is None:
            data = build()
            cache.put(etag, data)
        response = json_response(data, etag=etag)
        response.headers["Link"] = page_links(page, per_page, data["total"])
    response.vary.add("Accept-Language")  # the neutral title is translated
    return response


@bp.route("/free")
@bp.arguments(FindQuery, location="query", as_kwargs=True)
@bp.response(200, FoundSchema(many=True))
def find_free_resources(
    start,
    end,
    attendees: int,
    kind: str | None = None,
    neighbourhood: str | None = None,
    equipment: list[int] | None = None,
) -> Response:
    """ "Find a free room": the resources free, open and fitting for the whole interval."""
    if start < utcnow():
        raise ApiProblem(
            422, _("This time has passed: choose a later date or time."), rule="past", field="start"
        )
    if end - start > timedelta(days=31):
        raise ApiProblem(422, _("Search at most 31 days at once."), rule="span", field="end")
    found = find_free(
        start, end, attendees, equipment or (), neighbourhood=neighbourhood or None, kind=kind
    )
    # The same resources with their hours loaded, in one statement (not one each).
    loaded = {r.id: r for r in resources(ids=[f.resource.id for f in found])}
    closures = closures_ahead(list(loaded.values()), utcnow())
    base = _form_url()
    return json_response(
        [
            {
                "resource": serialize.resource(
                    loaded[f.resource.id], closures.get(f.resource.id, [])
                ),
                "pending": f.pending,
                "seats_left": f.seats_left,
                "book_url": booking_link(base, f.resource, start, end),
            }
            for f in found
        ]
    )


def _form_url() -> str:
    """The request form's absolute address (on BASE_URL, like every link we give out)."""
    return public_url("reservations.new")

"""Calendar feeds, "add to my calendar", the private-feed token and the closure import.

The feed URLs are a public contract: once subscribed, a URL must keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Response

from booking.bookings.models import Booking
from booking.calendars.feeds import (
    PUBLIC_FILENAME,
    EventCache,
    Feed,
    FeedCache,
    Stamp,
    Validator,
    booking_feed,
    build_feed,
    feed_day,
    managed_resource_ids,
    public_feed,
    resource_feed,
    site_feed,
    stamp_of_public,
    stamp_of_resource,
    stamp_of_site,
    user_by_feed_token,
    validator,
)
from booking.calendars.feeds import private_feed as private_feed_of
from booking.calendars.forms import MAX_ICS_BYTES, ClosureImportForm, FeedTokenForm
from booking.calendars.importer import ImportRefusedError, import_closures
from booking.calendars.logfilter import install_token_filter
from booking.core.views import safe_next
from booking.db import utcnow
from booking.extensions import db
from booking.i18n import select_locale
from booking.resources.models import Resource, Site

bp = Blueprint("feeds", __name__)

ICS_MIMETYPE = "text/calendar"
NEW_TOKEN_KEY = "new_feed_token"  # noqa: S105 - a session key, not a secret


@bp.record_once
def _setup(state) -> None:
    app: Flask = state.app
    app.config.setdefault("FEED_CACHE_ENTRIES", 256)
    app.config.setdefault("FEED_CACHE_BYTES", 64 * 1024 * 1024)
    app.config.setdefault("FEED_MAX_AGE", 300)
    app.config.setdefault("FEED_EVENT_CACHE_ENTRIES", 20_000)
    app.extensions["feed_cache"] = FeedCache(
        app.config["FEED_CACHE_ENTRIES"], app.config["FEED_CACHE_BYTES"]
    )
    app.extensions["feed_event_cache"] = EventCache(app.config["FEED_EVENT_CACHE_ENTRIES"])
    install_token_filter()


def feed_cache() -> FeedCache:
    return current_app.extensions["feed_cache"]


def base_url() -> str:
    """The service's public address (BASE_URL), not whatever Host the request named."""
    return current_app.config["BASE_URL"].rstrip("/")


@bp.app_template_global()
def feed_links(endpoint: str, **values: object) -> dict[str, str]:
    """The https and webcal:// addresses of a feed, built on BASE_URL.

    `url_for(..., _external=True)` would take the host from the request (an
    internal name behind a proxy, or a forged Host header); a subscribed URL
    must name the public address, so the path is joined to BASE_URL instead.
    """
    path = url_for(endpoint, **values)
    root = request.script_root if request else ""
    if root and path.startswith(root):
        path = path[len(root) :]
    https = base_url() + path
    webcal = "webcal://" + https.split("://", 1)[1]
    return {"https": https, "webcal": webcal}


@bp.app_template_global()
def private_feed_state() -> dict[str, object]:
    """For the profile's partial: whether the user has a token, and a new one to show once."""
    token = session.pop(NEW_TOKEN_KEY, None)
    links = feed_links("feeds.private_feed", token=token) if token else None
    has_token = bool(current_user.is_authenticated and current_user.feed_token_hash)
    return {"has_token": has_token, "links": links}


def _not_found() -> Response:
    return Response(_("No such calendar feed.") + "\n", 404, mimetype="text/plain")


def _head(check: Validator, *, public: bool) -> Response:
    """A response carrying the validator and the caching headers, no body yet."""
    response = Response(mimetype=ICS_MIMETYPE)
    response.set_etag(check.etag)
    if check.last_modified is not None:
        response.last_modified = check.last_modified
    max_age = current_app.config["FEED_MAX_AGE"]
    response.headers["Cache-Control"] = (
        f"public, max-age={max_age}" if public else f"private, max-age={max_age}"
    )
    response.vary.add("Accept-Language")
    return response


def _not_modified(response: Response, check: Validator) -> bool:
    return not is_resource_modified(
        request.environ, etag=check.etag, last_modified=check.last_modified
    )


def _body(response: Response, body: bytes, filename: str) -> Response:
    response.set_data(body)
    response.content_type = f"{ICS_MIMETYPE}; charset=utf-8"
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


def _built(feed: Feed, key: tuple[str, str], now: datetime) -> bytes:
    """Build the feed and keep it under `key` (feed key and locale, ETag)."""
    body = build_feed(
        feed, now=now, base_url=base_url(), events=current_app.extensions["feed_event_cache"]
    )
    feed_cache().put(key, body)
    return body


def _serve(feed: Feed, *, public: bool) -> Response:
    """Answer 304 from the aggregate validator alone, else the (cached or built) feed."""
    now = utcnow()
    locale = str(get_locale())
    check = validator(feed, now=now, locale=locale, base_url=base_url())
    response = _head(check, public=public)
    if _not_modified(response, check):
        response.status_code = 304
        return response
    key = (f"{feed.key}|{locale}", check.etag)
    body = feed_cache().get(key) or _built(feed, key, now)
    return _body(response, body, feed.filename)


def _serve_stamped(
    stamp: Stamp | None, resolve: Callable[[], Feed | None], filename: str
) -> Response:
    """A public feed: 304 or a cached body from its stamp alone (one small query);
    the feed is resolved and built only when the cache has no copy of this version."""
    if stamp is None:
        return _not_found()
    day = feed_day(utcnow())
    # The language the feed would be built in, without Babel's Locale object: the 304
    # path does nothing else, and `get_locale()` would cost it a tenth.
    locale = select_locale()
    check = stamp.validator(day=day, locale=locale, base_url=base_url())
    response = _head(check, public=True)
    if _not_modified(response, check):
        response.status_code = 304
        return response
    key = (f"{stamp.key}|{locale}", check.etag)
    body = feed_cache().get(key)
    if body is None:
        feed = resolve()
        if feed is None:
            return _not_found()
        body = _built(feed, key, day)
    return _body(response, body, filename)


@bp.get("/feeds/resources/<slug>.ics")
def resource_ics(slug: str) -> Response:
    return _serve_stamped(
        stamp_of_resource(slug), lambda: resource_feed(slug, base_url()), f"{slug}.ics"
    )


@bp.get("/feeds/sites/<slug>.ics")
def site_ics(slug: str) -> Response:
    return _serve_stamped(stamp_of_site(slug), lambda: site_feed(slug, base_url()), f"{slug}.ics")


@bp.get("/feeds/public.ics")
def public_ics() -> Response:
    return _serve_stamped(stamp_of_public(), public_feed, PUBLIC_FILENAME)


@bp.get("/feeds/private/<token>.ics")
def private_feed(token: str) -> Response:
    user = user_by_feed_token(token)
    if user is None:
        return _not_found()
    # No session here: the feed speaks its owner's language.
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _serve(private_feed_of(user), public=False)


@bp.get("/bookings/<int:booking_id>.ics")
@login_required
def booking_ics(booking_id: int) -> Response:
    """The booking, with every date of its series."""
    return _booking_ics(booking_id, whole_series=True)


@bp.get("/bookings/<int:booking_id>/date.ics")
@login_required
def booking_date_ics(booking_id: int) -> Response:
    """This date of the booking only."""
    return _booking_ics(booking_id, whole_series=False)


def _booking_ics(booking_id: int, *, whole_series: bool) -> Response:
    booking = db.session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .options(selectinload(Booking.resource).selectinload(Resource.site))
    )
    if booking is None or not booking.can_view(current_user):
        return _not_found()
    return _serve(booking_feed(booking, whole_series=whole_series), public=False)


# --- the private-feed token ------------------------------------------------------


def _back(default_endpoint: str = "feeds.private_page") -> Response:
    form = FeedTokenForm()
    return redirect(safe_next(form.next.data, url_for(default_endpoint)))


@bp.get("/account/calendar-feed")
@login_required
def private_page() -> str:
    return render_template("calendars/private.html", token_form=FeedTokenForm())


@bp.post("/account/calendar-feed/new")
@login_required
def regenerate_token() -> Response:
    form = FeedTokenForm()
    if not form.validate_on_submit():
        abort(400)
    had_token = bool(current_user.feed_token_hash)
    token = current_user.new_feed_token()
    db.session.commit()
    # Shown once on the next page, then forgotten: only its hash is stored.
    session[NEW_TOKEN_KEY] = token
    if had_token:
        flash(
            _("Your private calendar address was changed: the old one no longer works."), "success"
        )
    else:
        flash(_("Your private calendar address is ready."), "success")
    return _back()


@bp.post("/account/calendar-feed/revoke")
@login_required
def revoke_token() -> Response:
    form = FeedTokenForm()
    if not form.validate_on_submit():
        abort(400)
    current_user.revoke_feed_token()
    db.session.commit()
    session.pop(NEW_TOKEN_KEY, None)
    flash(_("Your private calendar address was turned off."), "success")
    return _back()


# --- closure import ------------------------------------------------------------------


def _import_choices(user) -> dict[str, list[tuple[str, str]]]:
    """The sites and resources a manager or administrator may import closures into."""
    if user.is_admin:
        sites = list(db.session.scalars(select(Site).order_by(Site.name)))
        resources = list(db.session.scalars(select(Resource).order_by(Resource.name)))
    else:
        sites = sorted(user.managed_sites, key=lambda s: s.name)
        ids = managed_resource_ids(user) or []
        resources = list(
            db.session.scalars(select(Resource).where(Resource.id.in_(ids)).order_by(Resource.name))
        )
    choices: dict[str, list[tuple[str, str]]] = {}
    if sites:
        choices[_("Sites")] = [(f"site:{s.id}", s.name) for s in sites]
    if resources:
        choices[_("Rooms and machines")] = [
            (f"resource:{r.id}", f"{r.name} ({r.site.name})") for r in resources
        ]
    return choices


def _target(value: str) -> tuple[Site | None, Resource | None]:
    kind, _sep, raw_id = value.partition(":")
    if not raw_id.isdigit():
        return None, None
    if kind == "site":
        return db.session.get(Site, int(raw_id)), None
    if kind == "resource":
        return None, db.session.get(Resource, int(raw_id))
    return None, None


@bp.route("/manage/closures/import", methods=["GET", "POST"])
@login_required
def import_closures_page() -> str | Response:
    if not (current_user.is_admin or current_user.is_manager):
        abort(403)
    form = ClosureImportForm()
    form.target.choices = _import_choices(current_user)
    if request.method == "GET" and request.args.get("target"):
        form.target.data = request.args["target"]
    if form.validate_on_submit():
        site, resource = _target(form.target.data)
        place = site or resource
        if place is None:
            abort(404)
        try:
            created = import_closures(
                current_user, form.file.data.read(MAX_ICS_BYTES + 1), site=site, resource=resource
            )
        except ImportRefusedError as exc:
            db.session.rollback()
            form.file.errors.append(exc.message)
        else:
            db.session.commit()
            if created:
                flash(
                    ngettext(
                        "%(num)d closure imported for %(place)s.",
                        "%(num)d closures imported for %(place)s.",
                        len(created),
                        place=place.name,
                    ),
                    "success",
                )
            else:
                flash(
                    _(
                        "Nothing new to import: every event of the file is already a closure of %(place)s.",
                        place=place.name,
                    ),
                    "info",
                )
            return redirect(url_for("feeds.import_closures_page", target=form.target.data))
    return render_template("calendars/import.html", form=form)

"""What each feed contains, its cheap validator, and the cache of built feeds.

A feed is resolved (slug or token → `Feed`), then a conditional request is
answered from its validator alone. The room, site and public feeds, polled by
every subscribed phone, validate on the resources' calendar versions
(`booking/resources/versions.py`: counters the database raises with every change
a calendar shows) read in one small query (`stamp_of_*`), and their window hangs
on the day (`feed_day`), so that the ETag only changes when the data or the day
does. Private and single-booking feeds, per person, keep an aggregate over their
bookings and the calendar versions of those bookings' resources (`validator`). Only when the client's copy is stale is the calendar built
(`build_feed`), and the bytes are kept in a small in-process LRU cache keyed by
(feed, validator), so that many subscribers polling one feed cost one build per
change.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from booking.auth.models import Association, Membership, User, hash_token
from booking.bookings.models import MAX_BOOKING_SPAN, Booking, BookingState
from booking.calendars.ical import (
    Detail,
    People,
    Place,
    booking_event,
    labels,
    new_calendar,
    serialize,
    splice,
)
from booking.core.pool import read_outside_transaction
from booking.extensions import db
from booking.lru import LRUCache
from booking.resources.models import Resource, Site, resource_managers, site_managers

FORMAT_VERSION = "2"  # 2: UTC times for events in the repeated autumn hour  # change when the generated text changes for the same data
PUBLIC_FILENAME = "salles-ouvertes-public.ics"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

# Columns an event is made of (see ical.BookingLike): rows, not ORM objects, load fast.
EVENT_COLUMNS = (
    Booking.id,
    Booking.uid,
    Booking.resource_id,
    Booking.association_id,
    Booking.requester_id,
    Booking.title,
    Booking.purpose,
    Booking.attendees,
    Booking.is_public,
    Booking.state,
    Booking.start_at,
    Booking.end_at,
    Booking.sequence,
    Booking.created_at,
    Booking.updated_at,
)

ENDED_STATES = (
    BookingState.CANCELLED,
    BookingState.REFUSED,
    BookingState.EXPIRED,
    BookingState.RELEASED,
)


@dataclass(frozen=True)
class Feed:
    """One feed: which bookings, how much detail, how it is named and cached."""

    key: str  # cache key: "resource:12", "site:3", "public", "private:7", "booking:5"
    name: str
    filename: str
    detail: Detail
    scope: ColumnElement[bool]  # which bookings, before the window and the states
    shown_states: tuple[BookingState, ...]
    # A released no-show leaves the public feeds like a cancellation: STATUS:CANCELLED.
    ended_states: tuple[BookingState, ...] = (BookingState.CANCELLED, BookingState.RELEASED)
    is_private: bool = False
    windowed: bool = True  # a booking's own download is not cut by the window
    fingerprint: str = ""  # what else the text depends on (names, places, scope ids)
    places: dict[int, Place] | None = field(default=None, compare=False)
    source_path: str | None = None


@dataclass(frozen=True)
class Validator:
    etag: str
    last_modified: datetime | None


# --- resolution --------------------------------------------------------------


def place_of(resource: Resource, base_url: str) -> Place:
    site = resource.site
    return Place(
        resource_name=resource.name,
        resource_url=f"{base_url.rstrip('/')}/resources/{resource.slug}",
        site_name=site.name,
        address=site.address,
        latitude=site.latitude,
        longitude=site.longitude,
    )


def _places_fingerprint(places: dict[int, Place]) -> str:
    return repr(sorted(places.items()))


def resource_feed(slug: str, base_url: str) -> Feed | None:
    resource = db.session.scalar(
        select(Resource).where(Resource.slug == slug).options(joinedload(Resource.site))
    )
    if resource is None:
        return None
    places = {resource.id: place_of(resource, base_url)}
    return Feed(
        key=f"resource:{resource.id}",
        name=f"{resource.name} · {resource.site.name}",
        filename=f"{resource.slug}.ics",
        detail=Detail.BUSY,
        scope=Booking.resource_id == resource.id,
        shown_states=(BookingState.APPROVED,),
        fingerprint=_places_fingerprint(places),
        places=places,
        source_path=f"/feeds/resources/{resource.slug}.ics",
    )


def site_feed(slug: str, base_url: str) -> Feed | None:
    site = db.session.scalar(
        select(Site).where(Site.slug == slug).options(selectinload(Site.resources))
    )
    if site is None:
        return None
    places = {r.id: place_of(r, base_url) for r in site.resources}
    return Feed(
        key=f"site:{site.id}",
        name=site.name,
        filename=f"{site.slug}.ics",
        detail=Detail.BUSY,
        scope=Booking.resource_id.in_([r.id for r in site.resources] or [-1]),
        shown_states=(BookingState.APPROVED,),
        fingerprint=_places_fingerprint(places),
        places=places,
        source_path=f"/feeds/sites/{site.slug}.ics",
    )


def public_feed() -> Feed:
    return Feed(
        key="public",
        name=_("Public events · Salles Ouvertes Brest"),
        filename=PUBLIC_FILENAME,
        detail=Detail.PUBLIC,
        scope=Booking.is_public.is_(True),
        shown_states=(BookingState.APPROVED,),
        source_path="/feeds/public.ics",
    )


def user_by_feed_token(token: str) -> User | None:
    """The active user whose private-feed token this is (tokens are stored hashed)."""
    if not TOKEN_PATTERN.match(token):
        return None
    user = db.session.scalar(select(User).where(User.feed_token_hash == hash_token(token)))
    return user if user is not None and user.is_active else None


def managed_resource_ids(user: User) -> list[int] | None:
    """Ids of the resources a user manages (directly or through a site); None: all (admin)."""
    if user.is_admin:
        return None
    direct = select(resource_managers.c.resource_id).where(resource_managers.c.user_id == user.id)
    by_site = (
        select(Resource.id)
        .join(site_managers, site_managers.c.site_id == Resource.site_id)
        .where(site_managers.c.user_id == user.id)
    )
    return sorted(set(db.session.scalars(direct.union(by_site))))


def private_feed(user: User) -> Feed:
    """An association member's bookings in full; a manager's pending and approved requests."""
    association_ids = sorted(
        db.session.scalars(select(Membership.association_id).where(Membership.user_id == user.id))
    )
    managed = managed_resource_ids(user)
    member_part = Booking.association_id.in_(association_ids or [-1])
    managed_states = Booking.state.in_([BookingState.PENDING, BookingState.APPROVED, *ENDED_STATES])
    if managed is None:
        manager_part: ColumnElement[bool] = managed_states
    elif managed:
        manager_part = and_(Booking.resource_id.in_(managed), managed_states)
    else:
        manager_part = Booking.id < 0
    return Feed(
        key=f"private:{user.id}",
        name=_("My bookings · Salles Ouvertes Brest"),
        filename="salles-ouvertes-private.ics",
        detail=Detail.FULL,
        scope=or_(member_part, manager_part),
        shown_states=(BookingState.APPROVED, BookingState.PENDING, BookingState.WAITLISTED),
        ended_states=ENDED_STATES,
        is_private=True,
        fingerprint=f"{user.locale}|{association_ids}|{managed}",
    )


def booking_feed(booking: Booking, *, whole_series: bool = True) -> Feed:
    """For "add to my calendar": every occurrence of the booking's series (a cancelled or
    refused date as STATUS:CANCELLED), or with `whole_series=False` this date only."""
    scope = (
        Booking.series_id == booking.series_id
        if booking.series_id is not None and whole_series
        else Booking.id == booking.id
    )
    return Feed(
        key=f"booking:{booking.id}" if whole_series else f"booking:{booking.id}:date",
        name=booking.title,
        filename=f"booking-{booking.id}.ics",
        detail=Detail.FULL,
        scope=or_(scope, Booking.id == booking.id),
        shown_states=(BookingState.APPROVED, BookingState.PENDING, BookingState.WAITLISTED),
        ended_states=ENDED_STATES,
        is_private=True,
        windowed=False,
    )


# --- stamps: validators of the public feeds from the calendar versions ----------------


@dataclass(frozen=True)
class Stamp:
    """What a public feed's text depends on, besides the window, the locale and BASE_URL."""

    key: str  # the feed's cache key, as `Feed.key`
    parts: tuple  # calendar versions and whatever else names the feed
    changed_at: datetime | None  # the latest change of its data

    def validator(self, *, day: datetime, locale: str, base_url: str) -> Validator:
        config = current_app.config
        parts = (
            FORMAT_VERSION,
            self.key,
            *self.parts,
            day.isoformat(),
            config["FEED_PAST_DAYS"],
            config["FEED_FUTURE_DAYS"],
            config["FEED_CANCELLED_DAYS"],
            locale,
            base_url,
        )
        etag = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
        modified = max(self.changed_at or day, day)
        return Validator(etag=etag, last_modified=modified)


def feed_day(now: datetime) -> datetime:
    """The instant a public feed's window hangs on: the start of the UTC day.

    Built for this instant, a feed's text changes only with its data or the day,
    so its validator needs no look at the bookings themselves.
    """
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _latest(*instants: datetime | None) -> datetime | None:
    return max((t for t in instants if t is not None), default=None)


_RESOURCE_STAMP = select(
    Resource.id, Resource.calendar_version, Resource.calendar_changed_at, Resource.updated_at
).where(Resource.slug == bindparam("slug"))


def _read_stamp(stmt: Select, params: dict | None = None) -> Row | None:
    """A validator's one read. On PostgreSQL it runs outside any transaction
    (autocommit), sparing the BEGIN and ROLLBACK round trips of a 304 that reads
    nothing else, straight on the driver (`read_outside_transaction`); SQLite reads on
    the request's own (deferred) transaction."""
    rows = read_outside_transaction(stmt, params)
    return rows[0] if rows else None


def stamp_of_resource(slug: str) -> Stamp | None:
    """One primary-key-sized read: the room feed's validator without its bookings."""
    row = _read_stamp(_RESOURCE_STAMP, {"slug": slug})
    if row is None:
        return None
    resource_id, version, changed_at, updated_at = row
    return Stamp(f"resource:{resource_id}", (version, updated_at), _latest(changed_at, updated_at))


def _resources_summary(*columns):
    return (
        *columns,
        func.count(Resource.id),
        func.coalesce(func.sum(Resource.calendar_version), 0),
        func.coalesce(func.sum(Resource.id), 0),
        func.max(Resource.calendar_changed_at),
        func.max(Resource.updated_at),
    )


_SITE_STAMP = (
    select(*_resources_summary(Site.id, Site.name))
    .outerjoin(Resource, Resource.site_id == Site.id)
    .where(Site.slug == bindparam("slug"))
    .group_by(Site.id, Site.name)
)
_ALL_STAMP = select(*_resources_summary())


def stamp_of_site(slug: str) -> Stamp | None:
    row = _read_stamp(_SITE_STAMP, {"slug": slug})
    if row is None:
        return None
    site_id, name, count, versions, ids, changed_at, updated_at = row
    return Stamp(
        f"site:{site_id}", (name, count, versions, ids, updated_at), _latest(changed_at, updated_at)
    )


def stamp_of_public() -> Stamp:
    """Every resource's version: any change to a public booking raises one of them."""
    count, versions, ids, changed_at, updated_at = _read_stamp(_ALL_STAMP)
    return Stamp("public", (count, versions, ids, updated_at), _latest(changed_at, updated_at))


# --- window, validator, build --------------------------------------------------


def window(now: datetime) -> tuple[datetime, datetime]:
    config = current_app.config
    return (
        now - timedelta(days=config["FEED_PAST_DAYS"]),
        now + timedelta(days=config["FEED_FUTURE_DAYS"]),
    )


def feed_condition(feed: Feed, now: datetime) -> ColumnElement[bool]:
    """The feed's bookings at `now`: scope, window, shown states and recently ended ones."""
    ended_since = now - timedelta(days=current_app.config["FEED_CANCELLED_DAYS"])
    ended_at = func.coalesce(Booking.cancelled_at, Booking.decided_at, Booking.updated_at)
    states = or_(
        Booking.state.in_(feed.shown_states),
        and_(Booking.state.in_(feed.ended_states), ended_at >= ended_since),
    )
    if not feed.windowed:
        return and_(feed.scope, states)
    start, end = window(now)
    return and_(
        feed.scope,
        Booking.start_at < end,
        Booking.end_at > start,
        Booking.start_at > start - MAX_BOOKING_SPAN,
        states,
    )


def validator(feed: Feed, *, now: datetime, locale: str, base_url: str) -> Validator:
    """ETag and Last-Modified from one aggregate query, without building anything.

    Besides the bookings themselves, the text shows their places (the resource's
    own columns: `updated_at`) and their site's details, association names and
    requesters' display names: changes the database counts in the resources'
    calendar versions, which only grow, so their sum over the feed's rows moves
    with any of them.
    """
    count, latest, checksum, places_latest, versions, version_changed = db.session.execute(
        select(
            func.count(Booking.id),
            func.max(Booking.updated_at),
            func.coalesce(func.sum(Booking.id * 31 + Booking.sequence), 0),
            func.max(Resource.updated_at),
            func.coalesce(func.sum(Resource.calendar_version), 0),
            func.max(Resource.calendar_changed_at),
        )
        .join(Resource, Resource.id == Booking.resource_id)
        .where(feed_condition(feed, now))
    ).one()
    first, last = _window_years(feed, now)
    parts = (
        FORMAT_VERSION,
        feed.key,
        count,
        latest.isoformat() if latest else "",
        checksum,
        places_latest.isoformat() if places_latest else "",
        versions,
        locale,
        base_url,
        first,
        last,
        feed.fingerprint,
    )
    etag = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    modified = _latest(latest, places_latest, version_changed)
    return Validator(etag=etag, last_modified=modified)


def _window_years(feed: Feed, now: datetime) -> tuple[int, int]:
    start, end = window(now)
    return start.year, end.year


def load_bookings(feed: Feed, now: datetime) -> list:
    stmt = (
        select(*EVENT_COLUMNS)
        .where(feed_condition(feed, now))
        .order_by(Booking.start_at, Booking.id)
    )
    return list(db.session.execute(stmt))


def _places_for(resource_ids: set[int], base_url: str) -> dict[int, Place]:
    if not resource_ids:
        return {}
    resources = db.session.scalars(
        select(Resource).where(Resource.id.in_(resource_ids)).options(selectinload(Resource.site))
    )
    return {r.id: place_of(r, base_url) for r in resources}


def _people_for(rows: list, detail: Detail) -> People:
    """The names a feed may show: associations of public events, everyone in full feeds."""
    if detail is not Detail.FULL:
        rows = [row for row in rows if row.is_public]
    association_ids = {row.association_id for row in rows}
    requester_ids = (
        {row.requester_id for row in rows if row.requester_id is not None}
        if detail is Detail.FULL
        else set()
    )
    associations = dict(
        db.session.execute(
            select(Association.id, Association.name).where(Association.id.in_(association_ids))
        )
        .tuples()
        .all()
    )
    requesters = (
        dict(
            db.session.execute(select(User.id, User.display_name).where(User.id.in_(requester_ids)))
            .tuples()
            .all()
        )
        if requester_ids
        else {}
    )
    return People(associations, requesters)


def build_feed(
    feed: Feed, *, now: datetime, base_url: str, events: EventCache | None = None
) -> bytes:
    """The feed's text: a few queries (bookings, places, names), then pure iCalendar.

    With an `EventCache`, each event's text is kept between builds, so a feed
    rebuilt after one change, or another feed showing the same bookings the
    same way, only makes the events it has not made before.
    """
    rows = load_bookings(feed, now)
    places = dict(feed.places or {})
    missing = {row.resource_id for row in rows} - places.keys()
    places.update(_places_for(missing, base_url))
    people = _people_for(rows, feed.detail) if rows else People({}, {})
    if feed.windowed:
        start, end = window(now)
        span = (start.date(), end.date())
    else:
        span = _span_of(rows, now)
    cal = new_calendar(
        feed.name,
        window=span,
        source_url=(base_url.rstrip("/") + feed.source_path) if feed.source_path else None,
    )
    words = labels()
    locale = str(get_locale())
    chunks = []
    shared: dict = {}
    made: dict[tuple, bytes] = {}
    for row in rows:
        place = places[row.resource_id]
        key = (
            tuple(row),
            feed.detail,
            place,
            people.associations.get(row.association_id),
            people.requesters.get(row.requester_id or 0),
            locale,
            base_url,
        )
        chunk = events.get(key) if events is not None else None
        if chunk is None:
            event = booking_event(
                row,
                place,
                detail=feed.detail,
                base_url=base_url,
                people=people,
                words=words,
                shared=shared,
            )
            chunk = serialize(event, made)
            if events is not None:
                events.put(key, chunk)
        chunks.append(chunk)
    return splice(cal, chunks)


def _span_of(rows: list, now: datetime) -> tuple[date, date]:
    if not rows:
        return now.date(), now.date()
    return min(r.start_at for r in rows).date(), max(r.end_at for r in rows).date()


# --- cache ---------------------------------------------------------------------


class FeedCache(LRUCache[tuple[str, str], bytes]):
    """Built feeds, keyed by (feed key, ETag).

    A feed whose data changed gets a new ETag, so stale entries are never
    served; storing a new version drops the older ones at once. Bounded by
    entry count and total bytes.
    """

    def __init__(self, max_entries: int = 256, max_bytes: int = 64 * 1024 * 1024) -> None:
        super().__init__(max_entries)
        self.max_bytes = max_bytes
        self._bytes = 0

    def put(self, key: tuple[str, str], body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            # A feed's older versions are of no further use.
            for stale in [k for k in self._entries if k[0] == key[0]]:
                self._bytes -= len(self._entries.pop(stale))
            self._entries[key] = body
            self._bytes += len(body)
            while self._entries and (
                len(self._entries) > self.max_entries or self._bytes > self.max_bytes
            ):
                _key, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


class EventCache(LRUCache[tuple, bytes]):
    """Serialized VEVENTs, keyed by everything they show (see `build_feed`)."""

    def __init__(self, max_entries: int = 20_000) -> None:
        super().__init__(max_entries)

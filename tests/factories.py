"""Test data builders. Each adds to the session and flushes; tests commit when they need to."""

from __future__ import annotations

import itertools
from datetime import datetime, time

from booking.auth.models import Association, Membership, MembershipRole, User
from booking.auth.session import SESSION_ID_KEY, lifetimes
from booking.auth.user_sessions import start_session
from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from booking.resources.models import OpeningHours, Resource, ResourceKind, Site

_seq = itertools.count(1)

PASSWORD = "correct horse battery"


def make_user(
    email: str | None = None, *, name: str = "Camille", is_admin: bool = False, **fields
) -> User:
    n = next(_seq)
    user = User(
        email=email or f"user{n}@example.org",
        display_name=f"{name} {n}",
        is_admin=is_admin,
        **fields,
    )
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def make_association(name: str | None = None, *, is_active: bool = True, **fields) -> Association:
    n = next(_seq)
    assoc = Association(
        name=name or f"Association {n}",
        slug=f"association-{n}",
        contact_email=f"contact{n}@assoc.example.org",
        is_active=is_active,
        **fields,
    )
    db.session.add(assoc)
    db.session.flush()
    return assoc


def add_member(user: User, association: Association, role: str = "member") -> Membership:
    membership = Membership(user=user, association=association, role=MembershipRole(role))
    db.session.add(membership)
    db.session.flush()
    return membership


def make_member(association: Association | None = None, **fields) -> User:
    user = make_user(**fields)
    add_member(user, association or make_association())
    return user


def make_site(name: str | None = None, *, hours: dict | None = None, **fields) -> Site:
    """A site open every day 08:00–22:00, unless `hours` ({weekday: [(open, close)]})."""
    n = next(_seq)
    site = Site(
        name=name or f"Site {n}", slug=f"site-{n}", address=f"{n} rue de Siam, Brest", **fields
    )
    db.session.add(site)
    db.session.flush()
    if hours is None:
        hours = {day: [(time(8), time(22))] for day in range(7)}
    for weekday, ranges in hours.items():
        for opens, closes in ranges:
            db.session.add(
                OpeningHours(site_id=site.id, weekday=weekday, opens_at=opens, closes_at=closes)
            )
    db.session.flush()
    return site


def make_resource(
    site: Site | None = None, *, kind: str = "visio_room", managers: list[User] = (), **fields
) -> Resource:
    n = next(_seq)
    defaults = {
        "name": f"Salle {n}",
        "slug": f"salle-{n}",
        "capacity": 12,
        "requires_approval": True,
        "min_duration_minutes": 30,
        "max_duration_minutes": 240,
        "slot_step_minutes": 30,
        "horizon_days": 365,
        "min_notice_minutes": 60,
    }
    defaults.update(fields)
    resource = Resource(site=site or make_site(), kind=ResourceKind(kind), **defaults)
    resource.managers.extend(managers)
    db.session.add(resource)
    db.session.flush()
    return resource


def make_booking(
    resource: Resource,
    start_at: datetime,
    end_at: datetime,
    *,
    association: Association | None = None,
    state: str = "approved",
    **fields,
) -> Booking:
    """A booking written directly (no rules): for setting the scene, not for testing rules."""
    booking = Booking(
        resource=resource,
        association=association or make_association(),
        title=fields.pop("title", "Réunion"),
        state=BookingState(state),
        exclusive=resource.is_exclusive,
        start_at=start_at,
        end_at=end_at,
        **fields,
    )
    db.session.add(booking)
    db.session.flush()
    return booking


def sign_in(client, user: User, *, remember: bool = False):
    """Sign a user in on a test client without the password round-trip.

    A server-side session (booking/auth/user_sessions.py) and the cookie that names it.
    """
    created = start_session(user, remember=remember, lifetimes=lifetimes(), user_agent="pytest")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session[SESSION_ID_KEY] = created.session_id
    # Committed last (with what the test made so far): a request that fails and rolls
    # back keeps the signed-in session, and no transaction holds SQLite's write lock.
    db.session.commit()
    return client

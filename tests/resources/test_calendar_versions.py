"""The calendar version of a resource moves with every change its calendars show."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select, text, update

from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from booking.resources.models import Closure, OpeningHours, Resource
from booking.resources.versions import TRIGGER_NAMES

START = datetime(2027, 3, 2, 9, tzinfo=UTC)


def version(resource: Resource) -> int:
    return db.session.scalar(select(Resource.calendar_version).where(Resource.id == resource.id))


def changed_at(resource: Resource) -> datetime | None:
    return db.session.scalar(select(Resource.calendar_changed_at).where(Resource.id == resource.id))


@pytest.fixture
def rooms(make_site, make_resource):
    site = make_site()
    return make_resource(site), make_resource(site), make_resource()


def test_the_schema_has_every_calendar_trigger(db) -> None:
    if db.engine.dialect.name == "postgresql":
        names = db.session.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
    else:
        names = db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    assert set(TRIGGER_NAMES) <= set(names)


def test_a_new_booking_raises_its_resource_version_only(rooms, make_booking) -> None:
    room, neighbour, _other = rooms
    before, untouched = version(room), version(neighbour)
    make_booking(room, START, START + timedelta(hours=1))
    assert version(room) == before + 1
    assert version(neighbour) == untouched
    stamp = changed_at(room)
    assert stamp is not None
    assert stamp.tzinfo is not None
    assert abs(stamp - datetime.now(UTC)) < timedelta(minutes=5)


def test_updating_cancelling_and_deleting_a_booking_raise_the_version(rooms, make_booking) -> None:
    room, _neighbour, _other = rooms
    booking = make_booking(room, START, START + timedelta(hours=1))
    seen = [version(room)]
    booking.state = BookingState.CANCELLED
    db.session.flush()
    seen.append(version(room))
    db.session.execute(update(Booking).where(Booking.id == booking.id).values(title="Autre"))
    seen.append(version(room))
    db.session.execute(delete(Booking).where(Booking.id == booking.id))
    seen.append(version(room))
    assert seen == sorted(set(seen)), seen


def test_moving_a_booking_raises_both_resources(rooms, make_booking) -> None:
    room, _neighbour, other = rooms
    booking = make_booking(room, START, START + timedelta(hours=1))
    before = version(room), version(other)
    booking.resource_id = other.id
    db.session.flush()
    assert (version(room), version(other)) == (before[0] + 1, before[1] + 1)


def test_a_site_closure_raises_every_resource_of_the_site(rooms) -> None:
    room, neighbour, other = rooms
    before = [version(r) for r in rooms]
    closure = Closure(
        site_id=room.site_id, start_at=START, end_at=START + timedelta(days=1), label="Fermé"
    )
    db.session.add(closure)
    db.session.flush()
    assert [version(r) for r in rooms] == [before[0] + 1, before[1] + 1, before[2]]
    db.session.delete(closure)
    db.session.flush()
    assert [version(r) for r in (room, neighbour, other)] == [
        before[0] + 2,
        before[1] + 2,
        before[2],
    ]


def test_a_resource_closure_and_opening_hours_raise_that_resource(rooms) -> None:
    room, neighbour, _other = rooms
    before = version(room), version(neighbour)
    db.session.add(
        Closure(resource_id=room.id, start_at=START, end_at=START + timedelta(hours=2), label="x")
    )
    db.session.add(
        OpeningHours(resource_id=room.id, weekday=2, opens_at=time(9), closes_at=time(12))
    )
    db.session.flush()
    assert (version(room), version(neighbour)) == (before[0] + 2, before[1])


def test_site_details_raise_every_resource_of_the_site(rooms) -> None:
    room, neighbour, other = rooms
    before = [version(r) for r in rooms]
    room.site.name = "Maison de quartier de Bellevue"
    db.session.flush()
    assert [version(r) for r in (room, neighbour, other)] == [
        before[0] + 1,
        before[1] + 1,
        before[2],
    ]


def test_renaming_an_association_raises_the_resources_it_booked(
    rooms, make_booking, make_association
) -> None:
    room, neighbour, _other = rooms
    association = make_association()
    make_booking(room, START, START + timedelta(hours=1), association=association)
    before = version(room), version(neighbour)
    association.contact_email = "new@example.org"
    db.session.flush()
    assert (version(room), version(neighbour)) == before  # the name did not change
    association.name = "Les Petits Débrouillards"
    db.session.flush()
    assert (version(room), version(neighbour)) == (before[0] + 1, before[1])


def test_a_rolled_back_write_leaves_the_version(rooms, make_booking) -> None:
    room, _neighbour, _other = rooms
    before = version(room)
    savepoint = db.session.begin_nested()
    make_booking(room, START, START + timedelta(hours=1))
    savepoint.rollback()
    assert version(room) == before

"""Moving a booking or a series to another room (issue 13, item 6): the rules of a new
request in the new room, back to pending where it needs approval, a series "this and
following" split off in the new room, both rooms' calendar versions raised."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from booking.bookings import events
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import Booking, BookingEquipment, BookingState
from booking.bookings.moves import reschedule, reschedule_series
from booking.bookings.series import Recurrence, approve_series, request_series
from booking.bookings.services import approve, request_booking
from booking.extensions import db
from booking.resources.models import (
    Closure,
    Equipment,
    Quota,
    Resource,
    ResourceEquipment,
    Training,
    UserTraining,
)
from booking.timeutil import to_local
from tests import factories
from tests.bookings.conftest import NOW, TUESDAY, Scene, at, caught


@pytest.fixture
def other_room(scene: Scene) -> Resource:
    """A second room in the same place, needing no approval, with its own manager."""
    manager = factories.make_user(name="Other manager")
    return factories.make_resource(
        scene.room.site, name="Salle Brest", requires_approval=False, managers=[manager]
    )


def approved(scene: Scene, start=(14, 0), end=(16, 0)) -> Booking:
    booking = request_booking(scene.member, scene.request(start=start, end=end), now=NOW)
    approve(scene.manager, booking, now=NOW)
    return booking


def version(resource: Resource) -> int:
    return db.session.scalar(select(Resource.calendar_version).where(Resource.id == resource.id))


def test_an_approved_booking_moves_to_another_room_with_a_higher_sequence(scene, other_room):
    booking = approved(scene)
    sequence, uid = booking.sequence, booking.uid
    versions = (version(scene.room), version(other_room))
    with caught(events.booking_rescheduled) as sent:
        reschedule(
            scene.member, booking, booking.start_at, booking.end_at, resource=other_room, now=NOW
        )
    db.session.flush()
    assert booking.resource_id == other_room.id
    assert booking.state is BookingState.APPROVED  # the new room approves on arrival
    assert (booking.uid, booking.sequence) == (uid, sequence + 1)
    # Both rooms' calendars changed: the old one's ETag and grids as well as the new one's.
    assert version(scene.room) > versions[0]
    assert version(other_room) > versions[1]
    assert sent[0]["previous_resources"] == [scene.room]


def test_a_move_into_a_room_needing_approval_goes_back_to_pending(scene, other_room):
    other_room.requires_approval = True
    booking = approved(scene)
    reschedule(
        scene.member, booking, booking.start_at, booking.end_at, resource=other_room, now=NOW
    )
    assert booking.state is BookingState.PENDING
    assert booking.decided_at is None


def refusal(scene: Scene, target: Resource, **times) -> BookingRefused:
    booking = approved(scene)
    start = times.get("start", booking.start_at)
    end = times.get("end", booking.end_at)
    with pytest.raises(BookingRefused) as caught_refusal:
        reschedule(scene.member, booking, start, end, resource=target, now=NOW)
    db.session.refresh(booking)
    assert booking.resource_id == scene.room.id  # nothing moved
    return caught_refusal.value


def test_a_room_too_small_is_refused(scene, other_room):
    scene.room.capacity = 20
    other_room.capacity = 4
    booking = request_booking(scene.member, scene.request(attendees=10), now=NOW)
    with pytest.raises(BookingRefused) as refused:
        reschedule(
            scene.member, booking, booking.start_at, booking.end_at, resource=other_room, now=NOW
        )
    assert (refused.value.rule, refused.value.field) == ("capacity", "attendees")


def test_a_room_without_the_equipment_asked_is_refused(scene, other_room):
    camera = Equipment(name="Caméra", slug="camera")
    scene.room.equipment.append(ResourceEquipment(equipment=camera, quantity=1))
    db.session.flush()
    booking = approved(scene)
    booking.equipment = [BookingEquipment(equipment_id=camera.id, quantity=1)]
    db.session.flush()
    with pytest.raises(BookingRefused) as refused:
        reschedule(
            scene.member, booking, booking.start_at, booking.end_at, resource=other_room, now=NOW
        )
    assert refused.value.rule == "equipment"


def test_a_machine_needing_a_training_not_held_is_refused(scene):
    training = Training(name="Sécurité laser")
    db.session.add(training)
    db.session.flush()
    first = factories.make_resource(
        scene.room.site, kind="machine", capacity=1, requires_approval=False
    )
    second = factories.make_resource(
        scene.room.site,
        kind="machine",
        capacity=1,
        requires_approval=False,
        required_training_id=training.id,
    )
    booking = request_booking(scene.member, scene.request(resource=first), now=NOW)
    with pytest.raises(BookingRefused) as refused:
        reschedule(
            scene.member, booking, booking.start_at, booking.end_at, resource=second, now=NOW
        )
    assert refused.value.rule == "training"
    db.session.add(
        UserTraining(user_id=scene.member.id, training_id=training.id, obtained_on=date(2025, 1, 1))
    )
    db.session.flush()
    reschedule(scene.member, booking, booking.start_at, booking.end_at, resource=second, now=NOW)
    assert booking.resource_id == second.id


def test_a_closed_room_is_refused(scene, other_room):
    db.session.add(
        Closure(
            resource_id=other_room.id,
            start_at=at(TUESDAY, 8),
            end_at=at(TUESDAY, 22),
            label="Travaux",
        )
    )
    db.session.flush()
    assert refusal(scene, other_room).rule == "closure"


def test_a_room_outside_its_opening_hours_is_refused(scene):
    evening = factories.make_site(hours={1: [(time(18), time(22))]})
    late_room = factories.make_resource(evening, requires_approval=False)
    assert refusal(scene, late_room).rule == "opening_hours"


def test_a_room_already_booked_then_is_refused_as_a_conflict(scene, other_room):
    factories.make_booking(other_room, at(TUESDAY, 15), at(TUESDAY, 17))
    problem = refusal(scene, other_room)
    assert problem.rule == "overlap"


def test_a_room_beyond_its_horizon_is_refused(scene, other_room):
    other_room.horizon_days = 1
    assert refusal(scene, other_room).rule == "horizon"


def test_a_room_cannot_become_a_machine(scene):
    machine = factories.make_resource(scene.room.site, kind="machine", capacity=20)
    problem = refusal(scene, machine)
    assert (problem.rule, problem.field) == ("kind", "resource")


def test_a_quota_of_the_new_room_counts(scene, other_room):
    db.session.add(
        Quota(resource_id=other_room.id, association_id=scene.association.id, hours_per_week=1)
    )
    db.session.flush()
    assert refusal(scene, other_room).rule == "quota"


def test_one_date_of_a_series_moved_to_another_room_leaves_the_series(scene, other_room):
    series = request_series(scene.member, scene.request(), Recurrence("weekly", count=3), now=NOW)
    second = series.bookings[1]
    reschedule(scene.member, second, second.start_at, second.end_at, resource=other_room, now=NOW)
    assert second.resource_id == other_room.id
    assert second.series_id is None
    assert [b.resource_id for b in series.bookings if b.series_id == series.id] == [
        scene.room.id,
        scene.room.id,
    ]


def test_a_series_this_and_following_moved_to_another_room_keeps_the_earlier_dates(
    scene, other_room
):
    series = request_series(scene.member, scene.request(), Recurrence("weekly", count=4), now=NOW)
    first, second, third, fourth = sorted(series.bookings, key=lambda b: b.start_at)
    moved = reschedule_series(
        scene.member,
        series,
        to_local(first.start_at).time(),
        120,
        from_booking=third,
        resource=other_room,
        now=NOW,
    )
    assert moved == [third, fourth]
    assert [b.resource_id for b in (first, second)] == [scene.room.id] * 2
    assert [b.series_id for b in (first, second)] == [series.id] * 2
    assert series.resource_id == scene.room.id
    assert third.series_id == fourth.series_id != series.id
    split = third.series
    assert split.resource_id == other_room.id
    assert (split.rule, split.title) == (series.rule, series.title)
    assert [b.resource_id for b in (third, fourth)] == [other_room.id] * 2
    assert all(b.state is BookingState.APPROVED for b in (third, fourth))


def test_a_whole_series_moved_to_another_room_takes_the_series_along(scene, other_room):
    series = request_series(scene.member, scene.request(), Recurrence("weekly", count=3), now=NOW)
    reschedule_series(
        scene.member,
        series,
        to_local(series.bookings[0].start_at).time(),
        120,
        resource=other_room,
        now=NOW,
    )
    assert series.resource_id == other_room.id
    assert {b.resource_id for b in series.bookings} == {other_room.id}


def test_a_weekly_18h_series_moved_across_the_october_change_stays_at_18h(scene, other_room):
    first_day = date(2026, 10, 13)
    req = scene.request(day=first_day, start=(18, 0), end=(20, 0))
    series = request_series(scene.member, req, Recurrence("weekly", count=4), now=NOW)
    first, second, *_later = sorted(series.bookings, key=lambda b: b.start_at)
    reschedule_series(
        scene.member,
        series,
        time(18),
        120,
        from_booking=second,
        resource=other_room,
        now=NOW,
    )
    moved = sorted(second.series.bookings, key=lambda b: b.start_at)
    # 20 Oct is summer time (UTC+2), 27 Oct and 3 Nov winter time (UTC+1): 18:00 in Brest.
    assert [to_local(b.start_at).strftime("%d %H:%M") for b in moved] == [
        "20 18:00",
        "27 18:00",
        "03 18:00",
    ]
    assert [b.start_at.hour for b in moved] == [16, 17, 17]
    assert first.resource_id == scene.room.id
    assert all(b.resource_id == other_room.id for b in moved)


def test_a_series_move_with_one_date_taken_in_the_new_room_moves_nothing(scene, other_room):
    series = request_series(scene.member, scene.request(), Recurrence("weekly", count=3), now=NOW)
    factories.make_booking(
        other_room, at(TUESDAY + timedelta(days=7), 14), at(TUESDAY + timedelta(days=7), 16)
    )
    with pytest.raises(BookingRefused) as refused:
        reschedule_series(
            scene.member,
            series,
            to_local(series.bookings[0].start_at).time(),
            120,
            resource=other_room,
            now=NOW,
        )
    assert refused.value.rule == "series"
    assert {b.resource_id for b in series.bookings} == {scene.room.id}


def test_dates_split_off_to_a_room_needing_approval_are_decided_by_its_managers(scene, other_room):
    other_room.requires_approval = True
    new_manager = other_room.managers[0]
    series = request_series(scene.member, scene.request(), Recurrence("weekly", count=3), now=NOW)
    first, second, third = sorted(series.bookings, key=lambda b: b.start_at)
    approve(scene.manager, first, now=NOW)
    reschedule_series(
        scene.member, series, time(14), 120, from_booking=second, resource=other_room, now=NOW
    )
    split = second.series
    assert {b.state for b in (second, third)} == {BookingState.PENDING}
    with pytest.raises(NotAllowed):
        approve_series(scene.manager, split, now=NOW)  # not the old room's managers any more
    assert approve_series(new_manager, split, now=NOW) == [second, third]
    assert approve_series(scene.manager, series, now=NOW) == []  # nothing of the new room
    assert first.state is BookingState.APPROVED

"""request_booking: every rule, on both sides of its edge."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask_babel import force_locale

from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import BookingState
from booking.bookings.rules import bookable_days, describe_period
from booking.bookings.services import request_booking
from booking.extensions import db
from booking.resources.models import (
    Closure,
    Equipment,
    OpeningHours,
    Quota,
    Resource,
    ResourceEquipment,
    Training,
    UserTraining,
)
from tests import factories
from tests.bookings.conftest import NOW, TUESDAY, at


def refused(scene, req, actor=None, now=NOW) -> BookingRefused:
    with pytest.raises(BookingRefused) as info:
        request_booking(actor or scene.member, req, now=now)
    return info.value


def test_a_valid_request_is_stored_pending_with_its_fields(scene):
    req = scene.request(purpose="  AG annuelle ", attendees=8, is_public=True)
    booking = request_booking(scene.member, req, now=NOW)
    assert booking.id is not None
    assert booking.state is BookingState.PENDING
    assert (booking.start_at, booking.end_at) == (at(TUESDAY, 14), at(TUESDAY, 16))
    assert booking.requester_id == scene.member.id
    assert booking.association_id == scene.association.id
    assert (booking.purpose, booking.attendees, booking.is_public) == ("AG annuelle", 8, True)
    assert booking.exclusive is True


def test_a_request_is_approved_on_arrival_when_no_approval_is_needed(scene):
    scene.room.requires_approval = False
    booking = request_booking(scene.member, scene.request(), now=NOW)
    assert booking.state is BookingState.APPROVED


def test_a_trusted_association_is_approved_on_arrival(scene):
    scene.room.trusted_associations.append(scene.association)
    other = factories.make_association()
    stranger = factories.make_member(other)
    assert request_booking(scene.member, scene.request(), now=NOW).state is BookingState.APPROVED
    later = scene.request(start=(17, 0), end=(18, 0), association=other)
    assert request_booking(stranger, later, now=NOW).state is BookingState.PENDING


def test_end_must_be_after_start(scene):
    error = refused(scene, scene.request(start=(14, 0), end=(14, 0)))
    assert (error.rule, error.field) == ("duration", "end_at")


def test_start_in_the_past_is_refused(scene):
    error = refused(scene, scene.request(day=date(2026, 2, 27)))
    assert error.rule == "past"
    assert str(error) == error.message


@pytest.mark.parametrize(
    ("start_hour", "accepted"),
    [(13, False), (14, True)],  # notice 60 min: 13:00 is exactly one hour ahead of 12:00
)
def test_minimum_notice_edge(scene, start_hour, accepted):
    scene.room.min_notice_minutes = 61
    req = scene.request(day=date(2026, 3, 1), start=(start_hour, 0), end=(start_hour + 1, 0))
    if accepted:
        assert request_booking(scene.member, req, now=NOW)
    else:
        assert refused(scene, req).rule == "notice"


def test_minimum_notice_counts_exactly(scene):
    scene.room.min_notice_minutes = 60
    req = scene.request(day=date(2026, 3, 1), start=(13, 0), end=(14, 0))
    assert request_booking(scene.member, req, now=NOW).state is BookingState.PENDING
    req = scene.request(day=date(2026, 3, 1), start=(12, 30), end=(13, 30))
    assert refused(scene, req).rule == "notice"


def test_horizon_edge(scene):
    scene.room.horizon_days = 30  # from Sunday 1 March: until Tuesday 31 March
    assert request_booking(scene.member, scene.request(day=date(2026, 3, 31)), now=NOW)
    error = refused(scene, scene.request(day=date(2026, 4, 1)))
    assert error.rule == "horizon"


@pytest.mark.parametrize(
    ("end", "accepted"),
    [((14, 0), True), ((13, 30), False), ((18, 0), True), ((18, 30), False)],
)
def test_duration_between_minimum_and_maximum(scene, end, accepted):
    scene.room.min_duration_minutes = 60  # 13:00 -> 14:00
    scene.room.max_duration_minutes = 300  # 13:00 -> 18:00
    req = scene.request(start=(13, 0), end=end)
    if accepted:
        assert request_booking(scene.member, req, now=NOW)
    else:
        error = refused(scene, req)
        assert (error.rule, error.field) == ("duration", "end_at")


def test_times_must_fall_on_the_slot_step(scene):
    assert refused(scene, scene.request(start=(14, 15), end=(16, 0))).field == "start_at"
    error = refused(scene, scene.request(start=(14, 0), end=(16, 10)))
    assert (error.rule, error.field) == ("step", "end_at")
    assert request_booking(scene.member, scene.request(start=(14, 30), end=(16, 0)), now=NOW)


def test_slot_step_counts_from_the_opening_time(scene):
    machine = factories.make_resource(
        kind="machine", slot_step_minutes=60, min_duration_minutes=60, capacity=1
    )
    machine.opening_hours.append(
        OpeningHours(weekday=1, opens_at=time(9, 30), closes_at=time(18, 30))
    )
    db.session.flush()
    assert request_booking(
        scene.member,
        scene.request(resource=machine, start=(10, 30), end=(11, 30), attendees=1),
        now=NOW,
    )
    error = refused(scene, scene.request(resource=machine, start=(11, 0), end=(12, 0), attendees=1))
    assert error.rule == "step"


def test_fixed_slots_are_exactly_one_step(scene):
    machine = factories.make_resource(
        kind="machine", slot_step_minutes=90, fixed_slots=True, min_duration_minutes=90, capacity=1
    )
    ok = scene.request(resource=machine, start=(9, 30), end=(11, 0), attendees=1)
    assert request_booking(scene.member, ok, now=NOW)
    longer = scene.request(resource=machine, start=(11, 0), end=(14, 0), attendees=1)
    assert refused(scene, longer).rule == "step"


def test_opening_hours_edges(scene):
    # The factory's site is open 08:00-22:00 every day.
    assert request_booking(scene.member, scene.request(start=(8, 0), end=(9, 0)), now=NOW)
    assert request_booking(scene.member, scene.request(start=(20, 0), end=(22, 0)), now=NOW)
    assert refused(scene, scene.request(start=(7, 30), end=(9, 0))).rule == "opening_hours"
    assert refused(scene, scene.request(start=(21, 0), end=(22, 30))).rule == "opening_hours"


def test_several_ranges_a_day_and_the_resource_hours_win_over_the_site(scene):
    scene.room.opening_hours.extend(
        [
            OpeningHours(weekday=1, opens_at=time(9), closes_at=time(12)),
            OpeningHours(weekday=1, opens_at=time(14), closes_at=time(18)),
        ]
    )
    db.session.flush()
    assert request_booking(scene.member, scene.request(start=(9, 0), end=(12, 0)), now=NOW)
    assert request_booking(scene.member, scene.request(start=(14, 0), end=(18, 0)), now=NOW)
    error = refused(scene, scene.request(start=(11, 0), end=(14, 30)))
    assert error.rule == "opening_hours"
    assert "09:00–12:00" in error.message
    assert "14:00–18:00" in error.message
    # Wednesday has no range of the resource's own: closed, although the site is open.
    error = refused(scene, scene.request(day=date(2026, 3, 4)))
    assert error.rule == "opening_hours"


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_opening_hours_are_local_time_on_clock_change_days(scene, day):
    now = at(date(2026, 3, 1), 12)
    assert request_booking(scene.member, scene.request(day=day, start=(8, 0), end=(10, 0)), now=now)
    assert request_booking(
        scene.member, scene.request(day=day, start=(20, 0), end=(22, 0)), now=now
    )
    assert (
        refused(scene, scene.request(day=day, start=(7, 30), end=(9, 0)), now=now).rule
        == "opening_hours"
    )
    assert (
        refused(scene, scene.request(day=day, start=(21, 30), end=(22, 30)), now=now).rule
        == "opening_hours"
    )


def test_a_booking_may_not_span_midnight(scene):
    for day in range(7):
        scene.room.opening_hours.append(
            OpeningHours(weekday=day, opens_at=time(0), closes_at=time(23, 59))
        )
    db.session.flush()
    req = scene.request(start=(23, 0), end=(23, 30))
    assert request_booking(scene.member, req, now=NOW)
    req.start_at, req.end_at = at(TUESDAY, 23, 30), at(TUESDAY + timedelta(days=1), 0, 30)
    assert refused(scene, req).rule == "opening_hours"


@pytest.mark.parametrize("owner", ["site", "resource"])
def test_closures_refuse_overlaps_but_not_touching_ends(scene, owner):
    closure = Closure(start_at=at(TUESDAY, 12), end_at=at(TUESDAY, 14), label="Fête du quartier")
    if owner == "site":
        closure.site_id = scene.room.site_id
    else:
        closure.resource_id = scene.room.id
    db.session.add(closure)
    db.session.flush()
    assert request_booking(scene.member, scene.request(start=(10, 0), end=(12, 0)), now=NOW)
    assert request_booking(scene.member, scene.request(start=(14, 0), end=(15, 0)), now=NOW)
    error = refused(scene, scene.request(start=(13, 30), end=(15, 0)))
    assert error.rule == "closure"
    assert error.conflicts == [closure]
    assert "Fête du quartier" in error.message


def test_a_closure_of_another_site_does_not_matter(scene):
    other = factories.make_site()
    db.session.add(
        Closure(site_id=other.id, start_at=at(TUESDAY, 0), end_at=at(TUESDAY, 23), label="x")
    )
    db.session.flush()
    assert request_booking(scene.member, scene.request(), now=NOW)


@pytest.mark.parametrize(
    ("attendees", "accepted"), [(0, False), (1, True), (12, True), (13, False)]
)
def test_attendees_between_one_and_capacity(scene, attendees, accepted):
    req = scene.request(attendees=attendees)
    if accepted:
        assert request_booking(scene.member, req, now=NOW).attendees == attendees
    else:
        error = refused(scene, req)
        assert (error.rule, error.field) == ("capacity", "attendees")


def test_equipment_must_be_the_resources_and_within_its_quantity(scene):
    screen = Equipment(name="Écran", slug="ecran")
    camera = Equipment(name="Caméra", slug="camera")
    db.session.add_all([screen, camera])
    db.session.flush()
    scene.room.equipment.append(ResourceEquipment(equipment_id=screen.id, quantity=2))
    db.session.flush()
    booking = request_booking(scene.member, scene.request(equipment={screen.id: 2}), now=NOW)
    assert [(e.equipment_id, e.quantity) for e in booking.equipment] == [(screen.id, 2)]
    error = refused(scene, scene.request(start=(17, 0), end=(18, 0), equipment={screen.id: 3}))
    assert (error.rule, error.field) == ("equipment", "equipment")
    assert (
        refused(scene, scene.request(start=(17, 0), end=(18, 0), equipment={camera.id: 1})).rule
        == "equipment"
    )
    assert (
        refused(scene, scene.request(start=(17, 0), end=(18, 0), equipment={screen.id: 0})).rule
        == "equipment"
    )


def _machine_with_training(scene):
    training = Training(name="Découpe laser")
    db.session.add(training)
    db.session.flush()
    machine = factories.make_resource(kind="machine", capacity=1, required_training_id=training.id)
    return machine, training


def test_a_machine_needs_a_training_valid_on_the_booking_date(scene):
    machine, training = _machine_with_training(scene)
    req = scene.request(resource=machine, attendees=1)
    assert refused(scene, req).rule == "training"
    held = UserTraining(
        user_id=scene.member.id,
        training_id=training.id,
        obtained_on=date(2025, 1, 1),
        expires_on=TUESDAY,
    )
    db.session.add(held)
    db.session.flush()
    assert request_booking(scene.member, req, now=NOW)  # valid on its last day
    later = scene.request(resource=machine, attendees=1, day=TUESDAY + timedelta(days=1))
    error = refused(scene, later)
    assert (error.rule, "Découpe laser" in error.message) == ("training", True)


def test_a_training_obtained_after_the_booking_date_does_not_count(scene):
    machine, training = _machine_with_training(scene)
    db.session.add(
        UserTraining(
            user_id=scene.member.id,
            training_id=training.id,
            obtained_on=TUESDAY + timedelta(days=1),
        )
    )
    db.session.flush()
    assert refused(scene, scene.request(resource=machine, attendees=1)).rule == "training"
    assert request_booking(
        scene.member,
        scene.request(resource=machine, attendees=1, day=TUESDAY + timedelta(days=1)),
        now=NOW,
    )


def test_one_books_only_for_ones_own_association(scene):
    other = factories.make_association("Autre")
    error = refused(scene, scene.request(association=other))
    assert isinstance(error, NotAllowed)
    assert (error.rule, error.field) == ("membership", "association")


def test_a_manager_or_an_administrator_may_book_for_any_association(scene):
    admin = factories.make_user(is_admin=True)
    assert request_booking(scene.manager, scene.request(), now=NOW).requester_id == scene.manager.id
    assert request_booking(admin, scene.request(start=(17, 0), end=(18, 0)), now=NOW)


def test_an_association_not_yet_validated_cannot_book(scene):
    scene.association.is_active = False
    assert refused(scene, scene.request()).rule == "association"


def test_a_resource_that_is_not_bookable_refuses(scene):
    scene.room.is_bookable = False
    assert refused(scene, scene.request()).rule == "not_bookable"


def test_a_title_is_required(scene):
    error = refused(scene, scene.request(title="   "))
    assert (error.rule, error.field) == ("title", "title")


def test_weekly_quota_counts_pending_and_approved_and_allows_exactly_the_limit(scene):
    db.session.add(
        Quota(resource_id=scene.room.id, association_id=scene.association.id, hours_per_week=4)
    )
    # Monday 2 to Sunday 8 March: 2 h pending + 1 h approved already.
    request_booking(
        scene.member, scene.request(day=date(2026, 3, 2), start=(10, 0), end=(12, 0)), now=NOW
    )
    factories.make_booking(
        scene.room,
        at(date(2026, 3, 8), 10),
        at(date(2026, 3, 8), 11),
        association=scene.association,
    )
    factories.make_booking(
        scene.room,
        at(TUESDAY, 8),
        at(TUESDAY, 12),
        association=scene.association,
        state="cancelled",
    )
    assert request_booking(
        scene.member, scene.request(start=(14, 0), end=(15, 0)), now=NOW
    )  # 4 h: exactly
    error = refused(scene, scene.request(start=(16, 0), end=(16, 30)))
    assert error.rule == "quota"
    # The next week starts afresh; other associations are not counted.
    assert request_booking(
        scene.member, scene.request(day=date(2026, 3, 9), start=(8, 0), end=(12, 0)), now=NOW
    )


def test_monthly_quota(scene):
    db.session.add(
        Quota(resource_id=scene.room.id, association_id=scene.association.id, hours_per_month=3)
    )
    request_booking(
        scene.member, scene.request(day=date(2026, 3, 31), start=(10, 0), end=(12, 0)), now=NOW
    )
    assert refused(scene, scene.request(start=(14, 0), end=(16, 0))).rule == "quota"
    assert request_booking(
        scene.member, scene.request(day=date(2026, 4, 1), start=(14, 0), end=(16, 0)), now=NOW
    )


def test_a_request_overlapping_an_approved_booking_is_refused_naming_the_slot(scene):
    existing = factories.make_booking(scene.room, at(TUESDAY, 14), at(TUESDAY, 16))
    error = refused(scene, scene.request(start=(15, 0), end=(17, 0)))
    assert error.rule == "overlap"
    assert error.conflicts == [existing]
    assert (
        error.message
        == "Créneau déjà réservé : Salle Jaurès, le mardi 3 mars 2026 de 14:00 à 16:00."
    )


def test_touching_ends_are_not_overlaps(scene):
    factories.make_booking(scene.room, at(TUESDAY, 10), at(TUESDAY, 12))
    assert request_booking(scene.member, scene.request(start=(12, 0), end=(14, 0)), now=NOW)
    assert request_booking(scene.member, scene.request(start=(8, 0), end=(10, 0)), now=NOW)


def test_several_pending_requests_may_ask_for_the_same_time(scene):
    factories.make_booking(scene.room, at(TUESDAY, 14), at(TUESDAY, 16), state="pending")
    factories.make_booking(scene.room, at(TUESDAY, 14), at(TUESDAY, 16), state="cancelled")
    first = request_booking(scene.member, scene.request(), now=NOW)
    second = request_booking(scene.member, scene.request(), now=NOW)
    assert first.state is second.state is BookingState.PENDING


def test_messages_follow_the_language_of_the_request(app, scene):
    factories.make_booking(scene.room, at(TUESDAY, 14), at(TUESDAY, 16))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        error = refused(scene, scene.request(start=(15, 0), end=(17, 0)))
    assert error.message == (
        "Salle Jaurès is already booked on Tuesday, March 3, 2026 from 14:00 to 16:00."
    )


def test_naive_datetimes_are_a_programming_error(scene):
    req = scene.request()
    req.start_at = datetime(2026, 3, 3, 14)
    with pytest.raises(ValueError):
        request_booking(scene.member, req, now=NOW)


def _open_all_day(resource):
    for day in range(7):
        resource.opening_hours.append(
            OpeningHours(weekday=day, opens_at=time(0), closes_at=time(23, 30))
        )
    db.session.flush()


def test_length_is_real_elapsed_time_on_the_spring_clock_change(scene):
    _open_all_day(scene.room)
    scene.room.min_duration_minutes = 90
    spring = date(2026, 3, 29)  # 02:00 -> 03:00: 01:30-03:30 lasts one hour
    error = refused(scene, scene.request(day=spring, start=(1, 30), end=(3, 30)))
    assert error.rule == "duration"
    assert request_booking(
        scene.member, scene.request(day=spring, start=(1, 0), end=(3, 30)), now=NOW
    )


def test_length_is_real_elapsed_time_on_the_autumn_clock_change(scene):
    _open_all_day(scene.room)
    scene.room.max_duration_minutes = 120
    autumn = date(2026, 10, 25)  # 03:00 -> 02:00: 01:00-03:00 lasts three hours
    now = at(date(2026, 10, 1), 12)
    error = refused(scene, scene.request(day=autumn, start=(1, 0), end=(3, 0)), now=now)
    assert error.rule == "duration"
    # 00:00-02:00 (the first 02:00, still summer time) lasts two hours.
    booking = request_booking(
        scene.member, scene.request(day=autumn, start=(0, 0), end=(2, 0)), now=now
    )
    assert booking.end_at - booking.start_at == timedelta(hours=2)


def test_bookable_days_follow_the_notice_and_the_horizon_in_local_time():
    resource = Resource(min_notice_minutes=120, horizon_days=10)
    late_evening = datetime(2030, 6, 1, 21, 30, tzinfo=UTC)  # 23:30 in Paris
    assert bookable_days(resource, late_evening) == (date(2030, 6, 2), date(2030, 6, 11))
    resource.horizon_days = 0
    resource.min_notice_minutes = 3 * 24 * 60
    first, last = bookable_days(resource, late_evening)
    assert first == last == date(2030, 6, 4)


def test_a_whole_day_is_said_all_day_not_from_midnight_to_midnight(app):
    with app.test_request_context(), force_locale("fr"):
        one_day = describe_period(at(date(2026, 4, 1), 0), at(date(2026, 4, 2), 0))
        assert one_day == "le mercredi 1er avril 2026 (toute la journée)"
        days = describe_period(at(date(2026, 12, 24), 0), at(date(2026, 12, 26), 0))
        assert days == "du jeudi 24 décembre 2026 au vendredi 25 décembre 2026 (journées entières)"
        hours = describe_period(at(date(2026, 4, 1), 14), at(date(2026, 4, 1), 16))
        assert hours == "le mercredi 1er avril 2026 de 14:00 à 16:00"

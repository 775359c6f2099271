"""Equipment quantities are shared by every booking that overlaps, open-lab seats included.

Before: each seat of a session checked the printer against the resource's quantity
alone, so two members both took the only 3D printer for the same session.
"""

from __future__ import annotations

import threading
from datetime import date, time

import pytest

from booking.auth.models import Association, User
from booking.bookings.errors import BookingRefused
from booking.bookings.models import BookingEquipment, BookingState
from booking.bookings.moves import reschedule
from booking.bookings.rules import BookingRequest
from booking.bookings.series import Recurrence, preview_series
from booking.bookings.services import approve, cancel, request_booking
from booking.extensions import db
from booking.resources.models import Equipment, OpeningHours, Resource, ResourceEquipment
from tests import factories
from tests.bookings.conftest import NOW, at

THURSDAY = date(2026, 3, 5)
NEXT_THURSDAY = date(2026, 3, 12)


@pytest.fixture
def printer(db) -> Equipment:
    item = Equipment(name="Imprimante 3D", slug="imprimante-3d")
    db.session.add(item)
    db.session.flush()
    return item


@pytest.fixture
def lab(scene, printer) -> Resource:
    """Thursdays 18:00-21:00, six seats, one 3D printer."""
    resource = factories.make_resource(
        kind="open_lab",
        name="Fablab",
        capacity=6,
        managers=[scene.manager],
        max_seats_per_person=6,  # a group may take the session (the tests fill it at once)
    )
    resource.opening_hours.append(OpeningHours(weekday=3, opens_at=time(18), closes_at=time(21)))
    resource.equipment.append(ResourceEquipment(equipment=printer, quantity=1))
    db.session.flush()
    return resource


def seat(scene, lab, printer, day=THURSDAY, *, printers=1, attendees=1):
    member = factories.make_member(scene.association)
    req = BookingRequest(
        lab,
        scene.association,
        at(day, 18),
        at(day, 21),
        "Impression",
        attendees=attendees,
        equipment={printer.id: printers} if printers else {},
    )
    return request_booking(member, req, now=NOW)


def test_two_members_cannot_both_take_the_only_printer_for_one_session(scene, lab, printer):
    first = seat(scene, lab, printer)
    assert first.state is BookingState.APPROVED
    with pytest.raises(BookingRefused) as info:
        seat(scene, lab, printer)
    assert (info.value.rule, info.value.field) == ("equipment", "equipment")
    assert "Imprimante 3D" in info.value.message
    assert "0 disponible(s) sur 1, 1 demandé(s)" in info.value.message
    # A seat without the printer is still given, and another session has its own printer.
    assert seat(scene, lab, printer, printers=0).state is BookingState.APPROVED
    assert seat(scene, lab, printer, NEXT_THURSDAY).state is BookingState.APPROVED


def test_quantities_add_up_and_a_cancelled_seat_frees_its_equipment(scene, lab, printer):
    lab.equipment[0].quantity = 3
    db.session.flush()
    holder = seat(scene, lab, printer, printers=2)
    seat(scene, lab, printer, printers=1)
    with pytest.raises(BookingRefused) as info:
        seat(scene, lab, printer, printers=1)
    assert info.value.rule == "equipment"
    cancel(holder.requester, holder, now=NOW)
    assert seat(scene, lab, printer, printers=2).state is BookingState.APPROVED


def test_a_waiting_request_keeps_its_place_for_the_equipment_too(scene, lab, printer):
    seat(scene, lab, printer, printers=0, attendees=6)  # the session is full
    waiting = seat(scene, lab, printer)
    assert waiting.state is BookingState.WAITLISTED
    with pytest.raises(BookingRefused) as info:
        seat(scene, lab, printer)  # the printer is promised to the first in line
    assert info.value.rule == "equipment"
    assert seat(scene, lab, printer, printers=0).state is BookingState.WAITLISTED


def test_moving_a_seat_into_a_session_whose_printer_is_taken_is_refused(scene, lab, printer):
    seat(scene, lab, printer, NEXT_THURSDAY)
    mover = seat(scene, lab, printer)
    with pytest.raises(BookingRefused) as info:
        reschedule(mover.requester, mover, at(NEXT_THURSDAY, 18), at(NEXT_THURSDAY, 21), now=NOW)
    assert info.value.rule == "equipment"
    db.session.refresh(mover)
    assert mover.start_at == at(THURSDAY, 18)
    # Moving within its own session does not count its own printer against itself.
    reschedule(mover.requester, mover, at(THURSDAY, 18), at(THURSDAY, 21), now=NOW)


def test_a_manager_cannot_approve_a_waiting_request_into_a_taken_printer(scene, lab, printer):
    """Written directly (no rules): a seat is free but the printer is held."""
    holder = factories.make_booking(lab, at(THURSDAY, 18), at(THURSDAY, 21))
    holder.equipment.append(BookingEquipment(equipment_id=printer.id, quantity=1))
    waiting = factories.make_booking(
        lab, at(THURSDAY, 18), at(THURSDAY, 21), association=scene.association, state="waitlisted"
    )
    waiting.equipment.append(BookingEquipment(equipment_id=printer.id, quantity=1))
    db.session.flush()
    with pytest.raises(BookingRefused) as info:
        approve(scene.manager, waiting, now=NOW)
    assert info.value.rule == "equipment"
    assert waiting.state is BookingState.WAITLISTED


def test_a_series_preview_names_the_sessions_whose_printer_is_taken(scene, lab, printer):
    seat(scene, lab, printer, NEXT_THURSDAY)
    req = BookingRequest(
        lab,
        scene.association,
        at(THURSDAY, 18),
        at(THURSDAY, 21),
        "Impression",
        equipment={printer.id: 1},
    )
    occurrences = preview_series(scene.member, req, Recurrence(freq="weekly", count=3), now=NOW)
    assert [o.problem.rule if o.problem else None for o in occurrences] == [
        None,
        "equipment",
        None,
    ]


@pytest.mark.slow
def test_eight_members_asking_at_once_for_the_only_printer(app, db, scene, lab, printer):
    """Real threads and connections: the count runs under the resource lock."""
    members = [factories.make_member(scene.association).id for _ in range(8)]
    lab_id, association_id, printer_id = lab.id, scene.association.id, printer.id
    db.session.commit()
    barrier = threading.Barrier(len(members))
    outcomes: list[str] = []

    def ask(user_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                resource = db.session.get(Resource, lab_id)
                association = db.session.get(Association, association_id)
                resource.equipment  # noqa: B018 - loaded before the race
                db.session.rollback()
                barrier.wait(timeout=30)
                req = BookingRequest(
                    resource,
                    association,
                    at(THURSDAY, 18),
                    at(THURSDAY, 21),
                    "Impression",
                    equipment={printer_id: 1},
                )
                booking = request_booking(user, req, now=NOW)
                db.session.commit()
                outcomes.append(str(booking.state))
            except BookingRefused as refusal:
                db.session.rollback()
                outcomes.append(refusal.rule)
            except Exception as error:
                outcomes.append(f"crash: {error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask, args=(user_id,)) for user_id in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["approved"] + ["equipment"] * 7, outcomes

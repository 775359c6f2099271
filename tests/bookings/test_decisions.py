"""approve, refuse, cancel, reschedule, expire_pending and add_comment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect

from booking.audit import trail
from booking.bookings import events
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import BookingState
from booking.bookings.moves import reschedule
from booking.bookings.services import (
    add_comment,
    approve,
    cancel,
    expire_pending,
    refuse,
    request_booking,
)
from booking.extensions import db
from booking.resources.models import Closure
from tests import factories
from tests.bookings.conftest import NOW, TUESDAY, at, caught


def pending(scene, start=(14, 0), end=(16, 0), association=None, day=TUESDAY):
    association = association or scene.association
    requester = (
        scene.member if association is scene.association else factories.make_member(association)
    )
    req = scene.request(day=day, start=start, end=end, association=association)
    return request_booking(requester, req, now=NOW)


def actions(booking):
    return [(e.action, e.from_state, e.to_state) for e in trail("booking", [booking.id])]


def test_request_is_audited_and_announced(scene):
    with caught(events.request_created) as sent:
        booking = pending(scene)
    assert sent == [{"bookings": [booking], "actor": scene.member}]
    assert actions(booking) == [("requested", None, "pending")]
    assert booking.sequence == 0


def test_approving_records_decider_bumps_sequence_audits_and_announces(scene):
    booking = pending(scene)
    with caught(events.booking_approved) as sent:
        assert approve(scene.manager, booking, now=NOW) == []
    assert booking.state is BookingState.APPROVED
    assert (booking.decided_by_id, booking.decided_at) == (scene.manager.id, NOW)
    assert booking.sequence == 1
    assert sent == [{"bookings": [booking], "actor": scene.manager}]
    assert actions(booking)[-1] == ("approved", "pending", "approved")


def test_a_new_booking_without_equipment_never_fetches_its_empty_equipment_list(scene):
    booking = pending(scene)
    assert "equipment" not in inspect(booking).unloaded  # the emails read it: no query
    assert booking.equipment == []


def test_only_a_manager_of_the_resource_approves(scene):
    booking = pending(scene)
    other_manager = factories.make_user()
    factories.make_resource(managers=[other_manager])
    for user in (scene.member, other_manager):
        with pytest.raises(NotAllowed):
            approve(user, booking, now=NOW)
    assert booking.state is BookingState.PENDING
    site_manager = factories.make_user()
    scene.room.site.managers.append(site_manager)
    approve(site_manager, booking, now=NOW)
    assert booking.state is BookingState.APPROVED


def test_someone_made_a_manager_in_the_same_session_decides_at_once(scene):
    booking = pending(scene)
    newcomer = factories.make_user()
    assert not booking.can_decide(newcomer)  # manages nothing: remembered on the user
    scene.room.managers.append(newcomer)
    assert booking.can_decide(newcomer)
    assert booking.can_view(newcomer)


def test_approving_refuses_the_overlapping_pending_requests_and_returns_them(scene):
    winner = pending(scene)
    other = factories.make_association()
    overlapping = pending(scene, start=(15, 0), end=(17, 0), association=other)
    touching = pending(scene, start=(16, 0), end=(17, 0), association=other)
    with caught(events.booking_refused) as sent:
        refused = approve(scene.manager, winner, now=NOW)
    assert refused == [overlapping]
    assert overlapping.state is BookingState.REFUSED
    assert overlapping.decision_reason == "Une autre demande pour ce créneau a été acceptée."
    assert touching.state is BookingState.PENDING
    assert sent[0]["automatic"] is True
    assert sent[0]["bookings"] == [overlapping]
    assert actions(overlapping)[-1] == ("refused", "pending", "refused")


def test_approving_a_request_overlapping_an_approved_booking_names_the_conflict(scene):
    first, second = pending(scene), pending(scene, start=(15, 0), end=(17, 0))
    factories.make_booking(scene.room, at(TUESDAY, 15), at(TUESDAY, 16))
    with pytest.raises(BookingRefused) as info:
        approve(scene.manager, first, now=NOW)
    assert info.value.rule == "overlap"
    assert "de 15:00 à 16:00" in info.value.message
    assert first.state is BookingState.PENDING
    assert second.state is BookingState.PENDING


def test_approving_twice_or_after_the_start_is_refused(scene):
    booking = pending(scene)
    approve(scene.manager, booking, now=NOW)
    with pytest.raises(BookingRefused) as info:
        approve(scene.manager, booking, now=NOW)
    assert info.value.rule == "state"
    late = pending(scene, start=(18, 0), end=(19, 0))
    with pytest.raises(BookingRefused) as info:
        approve(scene.manager, late, now=at(TUESDAY, 18))
    assert info.value.rule == "past"


def test_approving_is_refused_when_a_closure_appeared_since_the_request(scene):
    booking = pending(scene)
    db.session.add(
        Closure(
            site_id=scene.room.site_id,
            start_at=at(TUESDAY, 15),
            end_at=at(TUESDAY, 20),
            label="Travaux",
        )
    )
    db.session.flush()
    with pytest.raises(BookingRefused) as info:
        approve(scene.manager, booking, now=NOW)
    assert info.value.rule == "closure"


def test_refusing_needs_a_reason_and_announces_it(scene):
    booking = pending(scene)
    with pytest.raises(BookingRefused) as info:
        refuse(scene.manager, booking, "  ", now=NOW)
    assert (info.value.rule, info.value.field) == ("reason", "reason")
    with pytest.raises(NotAllowed):
        refuse(scene.member, booking, "non", now=NOW)
    with caught(events.booking_refused) as sent:
        refuse(scene.manager, booking, "Salle réservée pour le conseil municipal", now=NOW)
    assert booking.state is BookingState.REFUSED
    assert booking.decision_reason == "Salle réservée pour le conseil municipal"
    assert booking.sequence == 1
    assert sent[0]["automatic"] is False
    assert sent[0]["reason"] == "Salle réservée pour le conseil municipal"
    assert actions(booking)[-1] == ("refused", "pending", "refused")
    with pytest.raises(BookingRefused) as info:
        refuse(scene.manager, booking, "encore", now=NOW)
    assert info.value.rule == "state"


def test_a_member_cancels_without_a_reason(scene):
    booking = pending(scene)
    approve(scene.manager, booking, now=NOW)
    with caught(events.booking_cancelled) as sent:
        cancel(scene.member, booking, now=NOW)
    assert booking.state is BookingState.CANCELLED
    assert (booking.cancelled_by_id, booking.cancelled_at, booking.cancel_reason) == (
        scene.member.id,
        NOW,
        None,
    )
    assert booking.sequence == 2
    assert sent == [
        {"bookings": [booking], "actor": scene.member, "reason": None, "was_approved": True}
    ]
    assert actions(booking)[-1] == ("cancelled", "approved", "cancelled")


def test_a_manager_must_say_why_they_cancel(scene):
    booking = pending(scene)
    with pytest.raises(BookingRefused) as info:
        cancel(scene.manager, booking, now=NOW)
    assert (info.value.rule, info.value.field) == ("reason", "reason")
    cancel(scene.manager, booking, "Dégât des eaux", now=NOW)
    assert booking.cancel_reason == "Dégât des eaux"


def test_a_stranger_cannot_cancel_and_an_ended_booking_cannot_be_cancelled(scene):
    booking = pending(scene)
    with pytest.raises(NotAllowed):
        cancel(factories.make_member(), booking, now=NOW)
    with pytest.raises(BookingRefused) as info:
        cancel(scene.member, booking, now=at(TUESDAY, 16))
    assert info.value.rule == "past"
    cancel(scene.member, booking, now=at(TUESDAY, 15, 59))
    with pytest.raises(BookingRefused) as info:
        cancel(scene.member, booking, now=NOW)
    assert info.value.rule == "state"


def test_rescheduling_rechecks_goes_back_to_pending_and_bumps_sequence(scene):
    booking = pending(scene)
    approve(scene.manager, booking, now=NOW)
    with caught(events.booking_rescheduled) as sent:
        result = reschedule(scene.member, booking, at(TUESDAY, 17), at(TUESDAY, 19), now=NOW)
    assert result is booking
    assert (booking.start_at, booking.end_at) == (at(TUESDAY, 17), at(TUESDAY, 19))
    assert booking.state is BookingState.PENDING
    assert booking.sequence == 2
    assert sent[0]["previous"] == [(at(TUESDAY, 14), at(TUESDAY, 16))]
    assert actions(booking)[-1] == ("rescheduled", "approved", "pending")


def test_rescheduling_onto_its_own_slot_does_not_conflict_with_itself(scene):
    scene.room.requires_approval = False
    booking = pending(scene)
    assert booking.state is BookingState.APPROVED
    reschedule(scene.member, booking, at(TUESDAY, 15), at(TUESDAY, 17), now=NOW)
    assert booking.state is BookingState.APPROVED


def test_a_manager_moving_an_approved_booking_keeps_it_approved(scene):
    booking = pending(scene)
    approve(scene.manager, booking, now=NOW)
    reschedule(scene.manager, booking, at(TUESDAY, 17), at(TUESDAY, 19), now=NOW)
    assert booking.state is BookingState.APPROVED


def test_rescheduling_is_refused_by_the_rules_and_changes_nothing(scene):
    booking = pending(scene)
    factories.make_booking(scene.room, at(TUESDAY, 18), at(TUESDAY, 20))
    for start, end, rule in [
        (at(TUESDAY, 17), at(TUESDAY, 19), "overlap"),
        (at(TUESDAY, 21), at(TUESDAY, 23), "opening_hours"),
        (at(TUESDAY, 17, 10), at(TUESDAY, 18), "step"),
    ]:
        with pytest.raises(BookingRefused) as info:
            reschedule(scene.member, booking, start, end, now=NOW)
        assert info.value.rule == rule
    assert (booking.start_at, booking.state, booking.sequence) == (
        at(TUESDAY, 14),
        BookingState.PENDING,
        0,
    )
    with pytest.raises(NotAllowed):
        reschedule(factories.make_member(), booking, at(TUESDAY, 10), at(TUESDAY, 11), now=NOW)


def test_expire_pending_expires_requests_whose_time_has_come(scene):
    early = pending(scene, start=(10, 0), end=(11, 0))
    later = pending(scene, start=(14, 0), end=(15, 0))
    approved = pending(scene, start=(8, 0), end=(9, 0))
    approve(scene.manager, approved, now=NOW)
    with caught(events.booking_expired) as sent:
        expired = expire_pending(now=at(TUESDAY, 10))
    assert expired == [early]
    assert early.state is BookingState.EXPIRED
    assert later.state is BookingState.PENDING
    assert approved.state is BookingState.APPROVED
    assert sent == [{"bookings": [early]}]
    assert actions(early)[-1] == ("expired", "pending", "expired")
    assert expire_pending(now=at(TUESDAY, 10)) == []


def test_comments(scene):
    booking = pending(scene)
    with caught(events.comment_added) as sent:
        comment = add_comment(scene.manager, booking, "  Pensez à rendre la clé.  ")
    assert comment.body == "Pensez à rendre la clé."
    assert booking.comments == [comment]
    assert sent[0]["comment"] is comment
    with pytest.raises(BookingRefused) as info:
        add_comment(scene.member, booking, " ")
    assert info.value.field == "body"
    with pytest.raises(NotAllowed):
        add_comment(factories.make_member(), booking, "Bonjour")


def test_trusted_approval_on_arrival_refuses_overlapping_pending_requests(scene):
    other = factories.make_association()
    waiting = pending(scene, association=other)
    scene.room.trusted_associations.append(scene.association)
    booking = pending(scene, start=(15, 0), end=(16, 0))
    assert booking.state is BookingState.APPROVED
    assert waiting.state is BookingState.REFUSED


def test_far_future_dates_are_fine(scene):
    booking = pending(scene, day=TUESDAY + timedelta(days=7 * 20))
    assert booking.start_at.date() > date(2026, 7, 1)

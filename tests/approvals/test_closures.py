"""Blocking a period: a closure that refuses new requests and lists what it hits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.approvals.services import block_period, bookings_hit, cancel_hit_bookings
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import BookingState
from booking.bookings.services import BookingRequest, request_booking
from booking.extensions import db
from booking.resources.models import Closure
from booking.timeutil import to_local
from tests.approvals.conftest import at
from tests.notifications.helpers import by_recipient, calendar


def _block_form(desk, resource=None, *, label="Dégât des eaux", start=None, end=None) -> dict:
    start = to_local(start or at(10, 8))
    end = to_local(end or at(11, 22))
    return {
        "resource": str((resource or desk.room_a).id),
        "start_date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_date": end.date().isoformat(),
        "end_time": end.strftime("%H:%M"),
        "why": label,
    }


def test_blocking_a_period_lists_the_bookings_it_hits(desk, request_for, login):
    hit_pending = request_for(title="Répétition")
    hit_approved = request_for(
        title="Tournoi", start=at(11, 14), association=desk.rival, state="approved"
    )
    request_for(title="Après", start=at(12, 10), state="approved")
    request_for(desk.room_b, title="Autre salle", state="approved")
    db.session.commit()

    client = login(desk.manager_a)
    response = client.post("/approvals/block", data=_block_form(desk))
    assert response.status_code == 302
    closure = db.session.scalar(select(Closure))
    assert closure.resource_id == desk.room_a.id
    assert closure.source == "block"
    assert closure.label == "Dégât des eaux"
    assert closure.start_at == at(10, 8)
    assert closure.end_at == at(11, 22)

    page = client.get(response.headers["Location"]).text
    assert "La période est bloquée" in page
    assert "2 réservations ou demandes tombent dans la période bloquée." in page
    assert "Répétition" in page
    assert "Tournoi" in page
    assert "Après" not in page
    assert "Autre salle" not in page
    # The cancellation reason starts as the block's reason.
    reason = page[page.index('id="reason"') :]
    assert reason[reason.index(">") + 1 :].lstrip().startswith("Dégât des eaux</textarea>")
    assert {b.id for b in bookings_hit(closure)} == {hit_pending.id, hit_approved.id}


def test_a_blocked_period_refuses_new_requests(desk, login):
    block_period(desk.manager_a, desk.room_a, at(10, 8), at(10, 22), "Fête du quartier")
    db.session.commit()
    req = BookingRequest(
        resource=desk.room_a,
        association=desk.association,
        start_at=at(10, 18),
        end_at=at(10, 20),
        title="Répétition",
    )
    with pytest.raises(BookingRefused) as refused:
        request_booking(desk.member, req)
    assert refused.value.rule == "closure"


def test_cancelling_everything_the_period_hits_tells_each_association(desk, request_for, login):
    pending = request_for(title="Répétition")
    approved = request_for(
        title="Tournoi", start=at(11, 14), association=desk.rival, state="approved"
    )
    closure = block_period(desk.manager_a, desk.room_a, at(10, 8), at(11, 22), "Travaux")
    db.session.commit()

    response = login(desk.manager_a).post(
        f"/approvals/closures/{closure.id}/cancel-bookings",
        data={"reason": "Dégât des eaux dans la salle"},
        follow_redirects=True,
    )
    assert "2 réservations annulées ; les associations sont prévenues." in response.text
    db.session.expire_all()
    assert pending.state is BookingState.CANCELLED
    assert approved.state is BookingState.CANCELLED
    assert approved.cancel_reason == "Dégât des eaux dans la salle"
    sent = by_recipient("cancelled")
    assert {"membre@example.org", "chorale@example.org", "joueur@example.org"} <= set(sent)
    english = sent["joueur@example.org"]
    assert english["Subject"].startswith("Booking cancelled: Salle Abers")
    cancel = calendar(english)
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["UID"]) == f"{approved.uid}@salles.test"
    assert calendar(sent["membre@example.org"]) is None  # it was only a request


def test_cancelling_them_all_needs_a_reason(desk, request_for, login):
    booking = request_for()
    closure = block_period(desk.manager_a, desk.room_a, at(10, 8), at(11, 22), "Travaux")
    db.session.commit()
    response = login(desk.manager_a).post(
        f"/approvals/closures/{closure.id}/cancel-bookings", data={"reason": " "}
    )
    assert response.status_code == 400
    assert re.search(r'<p class="error" id="reason-error">[^<]*Indiquez pourquoi', response.text)
    db.session.expire_all()
    assert booking.state is BookingState.PENDING
    with pytest.raises(BookingRefused):
        cancel_hit_bookings(desk.manager_a, closure, "")


def test_the_block_form_shows_date_errors_next_to_the_field(desk, login):
    data = _block_form(desk, start=at(10, 18), end=at(10, 10))
    response = login(desk.manager_a).post("/approvals/block", data=data)
    assert response.status_code == 400
    assert 'id="end_time-error"' in response.text
    assert "La fin doit venir après le début." in response.text
    assert db.session.scalar(select(Closure)) is None


def test_the_block_form_offers_only_the_resources_i_manage(desk, login):
    client = login(desk.manager_a)
    page = client.get("/approvals/block").text
    assert "Salle Abers" in page
    assert "Salle Bretagne" not in page
    response = client.post("/approvals/block", data=_block_form(desk, desk.room_b))
    assert response.status_code == 400
    assert db.session.scalar(select(Closure)) is None


def test_a_manager_of_room_a_cannot_block_or_clear_room_b(desk, request_for, login):
    with pytest.raises(NotAllowed):
        block_period(desk.manager_a, desk.room_b, at(10, 8), at(10, 22), "Travaux")
    booking = request_for(desk.room_b)
    closure = block_period(desk.manager_b, desk.room_b, at(10, 8), at(11, 22), "Travaux")
    db.session.commit()
    client = login(desk.manager_a)
    assert client.get(f"/approvals/closures/{closure.id}").status_code == 403
    response = client.post(
        f"/approvals/closures/{closure.id}/cancel-bookings", data={"reason": "Non"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert booking.state is BookingState.PENDING


def test_associations_cannot_block_a_period(desk, login):
    client = login(desk.member)
    assert client.get("/approvals/block").status_code == 403
    assert client.post("/approvals/block", data=_block_form(desk)).status_code == 403
    with pytest.raises(NotAllowed):
        block_period(desk.member, desk.room_a, at(10, 8), at(10, 22), "Travaux")


def test_a_period_already_over_cannot_be_blocked(desk):
    with pytest.raises(BookingRefused) as refused:
        block_period(
            desk.manager_a, desk.room_a, at(-3, 8), at(-3, 8) + timedelta(hours=2), "Trop tard"
        )
    assert refused.value.field == "end_date"

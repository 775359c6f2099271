"""The manager's queue: who sees what, approving and refusing in one step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from booking.bookings.models import BookingEquipment, BookingState
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Equipment
from booking.timeutil import local_day_bounds, local_today
from tests.approvals.conftest import at
from tests.notifications.helpers import by_recipient, text_part


def _page(client) -> str:
    response = client.get("/approvals/")
    assert response.status_code == 200
    return response.text


def test_queue_lists_my_pending_requests_oldest_first_with_their_details(desk, request_for, login):
    kit = Equipment(name="Sono", slug="sono")
    db.session.add(kit)
    newer = request_for(title="Répétition", purpose="Chant choral", attendees=9)
    db.session.add(BookingEquipment(booking=newer, equipment=kit, quantity=2))
    request_for(
        start=at(12, 10),
        title="Assemblée générale",
        association=desk.rival,
        created_at=utcnow() - timedelta(hours=5),
    )
    request_for(desk.room_b, title="Autre salle")
    request_for(title="Déjà acceptée", start=at(15, 10), state="approved")
    db.session.commit()

    html = _page(login(desk.manager_a))
    assert html.count('class="desk-request') == 2
    assert html.index("Assemblée générale") < html.index("Répétition")
    assert "Autre salle" not in html.split("Coming up")[0]
    for text in ("Chorale du Port", "Chant choral", "Sono × 2", "Club d&#39;échecs"):
        assert text in html
    assert re.search(r"<dt>Participants</dt><dd>9</dd>", html)


def test_site_managers_and_administrators_see_every_room_of_their_scope(
    desk, request_for, login, client
):
    request_for(title="Pour A")
    request_for(desk.room_b, title="Pour B")
    db.session.commit()
    for user in (desk.site_manager, desk.admin):
        html = _page(login(user))
        assert "Pour A" in html
        assert "Pour B" in html


def test_overlapping_requests_and_bookings_are_shown_next_to_each_request(desk, request_for, login):
    mine = request_for(title="Chorale", start=at(10, 18))
    request_for(title="Échecs", start=at(10, 19), association=desk.rival)
    request_for(title="Concert", start=at(10, 15), end=at(10, 18, 30), state="approved")
    request_for(title="Plus tard", start=at(10, 20))  # touches, does not overlap
    db.session.commit()
    html = _page(login(desk.manager_a))
    block = html.split(f'id="request-{mine.id}-title"')[1].split("</article>")[0]
    assert "Chevauche 2 autres réservations ou demandes" in block
    assert "Club d&#39;échecs — Échecs" in block
    assert "state-approved" in block
    assert "Concert" in block
    assert "Plus tard" not in block


def test_requests_waiting_longer_than_the_setting_are_flagged(desk, request_for, login):
    request_for(title="Ancienne", created_at=utcnow() - timedelta(days=4))
    request_for(title="Récente", start=at(11, 10))
    db.session.commit()
    html = _page(login(desk.manager_a))
    assert html.count("desk-overdue") == 1
    assert "En attente depuis plus de 3 jours" in html


def test_the_desk_lists_this_weeks_bookings_of_my_rooms(desk, request_for, login):
    # Early today in Paris, whatever the hour the test runs at.
    today_start, _ = local_day_bounds(local_today())
    request_for(title="Ce soir", start=today_start + timedelta(minutes=10), state="approved")
    request_for(desk.room_b, title="Pas chez moi", start=today_start + timedelta(minutes=20))
    db.session.commit()
    html = _page(login(desk.manager_a))
    today = html.split('id="desk-today"')[1].split("</table>")[0]
    assert "Ce soir" in today
    assert "Pas chez moi" not in html


def test_people_who_manage_nothing_get_403_and_visitors_are_sent_to_log_in(desk, login, client):
    assert client.get("/approvals/").status_code == 302
    assert login(desk.member).get("/approvals/").status_code == 403


def test_approving_from_the_queue_tells_the_association_and_refuses_the_losers(
    desk, request_for, login
):
    winner = request_for(title="Chorale")
    loser = request_for(title="Échecs", start=at(10, 19), association=desk.rival)
    db.session.commit()
    response = login(desk.manager_a).post(f"/approvals/{winner.id}/approve", follow_redirects=True)
    assert response.status_code == 200
    assert "Demande acceptée : Chorale" in response.text
    assert "1 demande qui chevauchait a été refusée automatiquement" in response.text
    db.session.expire_all()
    assert winner.state is BookingState.APPROVED
    assert loser.state is BookingState.REFUSED
    assert set(by_recipient("approved")) == {"membre@example.org", "chorale@example.org"}
    refused = by_recipient("refused")
    assert set(refused) == {"joueur@example.org", "echecs@example.org"}
    body = text_part(refused["joueur@example.org"])
    assert "Another request for the same time was approved first." in body


@pytest.mark.parametrize(
    ("form", "stored"),
    [
        ({"reason": "unavailable"}, "La salle n’est pas disponible à ce moment-là."),
        ({"reason": "other", "other_reason": "Travaux imprévus"}, "Travaux imprévus"),
    ],
)
def test_refusing_with_a_common_or_written_reason(desk, request_for, login, form, stored):
    booking = request_for()
    db.session.commit()
    data = {f"refuse-{booking.id}-{k}": v for k, v in form.items()}
    response = login(desk.manager_a).post(
        f"/approvals/{booking.id}/refuse", data=data, follow_redirects=True
    )
    assert "Demande refusée" in response.text
    db.session.expire_all()
    assert booking.state is BookingState.REFUSED
    assert booking.decision_reason == stored
    assert f"Motif : {stored}" in text_part(by_recipient("refused")["membre@example.org"])


def test_refusing_without_a_reason_shows_the_message_next_to_the_field(desk, request_for, login):
    booking = request_for()
    db.session.commit()
    response = login(desk.manager_a).post(f"/approvals/{booking.id}/refuse", data={})
    assert response.status_code == 400
    error = re.search(
        rf'<p class="error" id="refuse-{booking.id}-reason-error">([^<]*)</p>', response.text
    )
    assert error is not None
    assert "Choisissez un motif" in error.group(1)
    assert f'aria-describedby="refuse-{booking.id}-reason-error"' in response.text
    db.session.expire_all()
    assert booking.state is BookingState.PENDING


def test_another_reason_must_be_written(desk, request_for, login):
    booking = request_for()
    db.session.commit()
    response = login(desk.manager_a).post(
        f"/approvals/{booking.id}/refuse",
        data={f"refuse-{booking.id}-reason": "other", f"refuse-{booking.id}-other_reason": "  "},
    )
    assert response.status_code == 400
    assert f'id="refuse-{booking.id}-other_reason-error"' in response.text
    db.session.expire_all()
    assert booking.state is BookingState.PENDING


@pytest.mark.parametrize("action", ["approve", "refuse"])
def test_a_manager_of_room_a_cannot_decide_for_room_b(desk, request_for, login, action):
    booking = request_for(desk.room_b)
    db.session.commit()
    response = login(desk.manager_a).post(
        f"/approvals/{booking.id}/{action}",
        data={f"refuse-{booking.id}-reason": "unavailable"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert booking.state is BookingState.PENDING


@pytest.mark.parametrize("action", ["approve", "refuse"])
def test_an_association_cannot_decide_on_its_own_request(desk, request_for, login, action):
    booking = request_for()
    db.session.commit()
    response = login(desk.member).post(
        f"/approvals/{booking.id}/{action}",
        data={f"refuse-{booking.id}-reason": "unavailable"},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert booking.state is BookingState.PENDING


def test_deciding_on_a_missing_request_is_404(desk, login):
    assert login(desk.manager_a).post("/approvals/999999/approve").status_code == 404


def test_approving_a_request_already_decided_explains_why(desk, request_for, login):
    booking = request_for(state="refused")
    db.session.commit()
    response = login(desk.manager_a).post(f"/approvals/{booking.id}/approve", follow_redirects=True)
    assert "La demande n’a pas pu être acceptée" in response.text
    db.session.expire_all()
    assert booking.state is BookingState.REFUSED


def test_the_queue_works_in_english(desk, request_for, login):
    request_for(title="Chorale")
    db.session.commit()
    html = _page(login(desk.manager_b))  # Bob reads English and manages room B only
    assert "No request is waiting for you." in html
    assert "<h1>Manager&#39;s desk</h1>" in html or "<h1>Manager's desk</h1>" in html


def test_a_common_reason_is_stored_in_the_requesters_language(desk, request_for, login):
    booking = request_for(association=desk.rival)  # Jo reads English
    db.session.commit()
    login(desk.manager_a).post(  # Anna decides in French
        f"/approvals/{booking.id}/refuse", data={f"refuse-{booking.id}-reason": "unavailable"}
    )
    db.session.expire_all()
    assert booking.decision_reason == "The room is not available at that time."
    body = text_part(by_recipient("refused")["joueur@example.org"])
    assert "Reason: The room is not available at that time." in body

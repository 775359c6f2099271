"""The door display and check-in: the prompt with its QR code, and a released booking's room free."""

from __future__ import annotations

from datetime import datetime

import pytest

from booking.bookings.checkin import release_no_shows
from booking.bookings.models import BookingState
from booking.door import views
from booking.door.qr import qr_svg
from booking.extensions import db
from booking.timeutil import to_utc
from tests import factories

DAY = "2030-03-06"


def local(text: str) -> datetime:
    return to_utc(datetime.fromisoformat(text))


def at_clock(monkeypatch, text: str) -> None:
    monkeypatch.setattr(views, "utcnow", lambda: local(text))


@pytest.fixture
def room(db):
    return factories.make_resource(
        name="Salle Iroise", slug="salle-iroise", checkin_required=True, checkin_grace_minutes=15
    )


@pytest.fixture
def booking(room):
    made = factories.make_booking(
        room, local(f"{DAY} 14:00"), local(f"{DAY} 16:00"), title="Atelier", is_public=True
    )
    db.session.commit()
    return made


def door(client, lang: str = "en") -> str:
    response = client.get(f"/rooms/salle-iroise/door?lang={lang}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_started_booking_awaiting_check_in_shows_the_deadline_and_its_qr(
    client, booking, monkeypatch
):
    at_clock(monkeypatch, f"{DAY} 14:05")
    html = door(client)
    assert "In use until 4:00\u202fPM" in html
    assert "Check in before 2:15\u202fPM" in html
    url = f"http://salles.test/reservations/{booking.id}/check-in"
    assert f'href="{url}"' in html
    assert str(qr_svg(url, "QR code to check in for Salle Iroise")) in html
    french = door(client, "fr")
    assert "Présentez-vous : enregistrement avant 14:15" in french


def test_the_next_booking_s_check_in_opens_before_its_start(client, booking, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 13:40")
    assert "Check in before" not in door(client)  # the window opens at 13:45
    at_clock(monkeypatch, f"{DAY} 13:50")
    html = door(client)
    assert "Free until 2:00\u202fPM" in html
    assert "Check in before 2:15\u202fPM" in html


def test_no_prompt_once_checked_in_or_when_the_room_does_not_require_it(
    client, room, booking, monkeypatch
):
    at_clock(monkeypatch, f"{DAY} 14:05")
    booking.checked_in_at = local(f"{DAY} 14:02")
    db.session.commit()
    assert "Check in before" not in door(client)
    booking.checked_in_at = None
    room.checkin_required = False
    db.session.commit()
    assert "Check in before" not in door(client)


def test_a_released_booking_leaves_the_room_free(client, booking, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 14:15")
    assert release_no_shows(local(f"{DAY} 14:15")) == 1
    db.session.commit()
    assert booking.state is BookingState.RELEASED
    html = door(client)
    assert "Free until 10:00\u202fPM" in html
    assert "Check in before" not in html
    assert "Atelier" not in html


def test_a_no_show_past_its_grace_shows_free_before_the_release_runs(client, booking, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 14:14")
    assert "In use until 4:00\u202fPM" in door(client)  # still within the grace
    at_clock(monkeypatch, f"{DAY} 14:15")
    html = door(client)
    assert booking.state is BookingState.APPROVED  # the periodic release has not run
    assert "In use until" not in html
    assert "Free until 10:00\u202fPM" in html
    assert "Booking not honoured: nobody checked in, the room is free" in html
    assert "Check in before" not in html
    assert "Atelier" not in html
    booking.checked_in_at = local(f"{DAY} 14:10")
    db.session.commit()
    assert "In use until 4:00\u202fPM" in door(client)  # checked in: really in use


def test_the_kiosk_shows_a_no_show_s_room_free_too(client, room, booking, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 14:20")
    response = client.get(f"/sites/{room.site.slug}/door?lang=en")
    html = response.get_data(as_text=True)
    assert "Booking not honoured: nobody checked in, the room is free" in html
    assert "In use until" not in html


def test_the_no_show_notice_is_in_french(client, booking, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 14:30")
    html = door(client, "fr")
    assert "Réservation non honorée : personne ne s’est présenté, la salle est libre" in html

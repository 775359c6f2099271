"""The door display of a room: its state in words, the day's bookings, the QR code, FR/EN."""

from __future__ import annotations

from datetime import datetime

import pytest

from booking.door import views
from booking.door.qr import qr_svg
from booking.extensions import db
from booking.resources.models import Closure
from booking.timeutil import to_utc
from tests import factories

DAY = "2030-03-06"  # a Wednesday
BASE = "http://salles.test/reservations/new"


def local(text: str) -> datetime:
    return to_utc(datetime.fromisoformat(text))


def at_clock(monkeypatch, text: str) -> None:
    monkeypatch.setattr(views, "utcnow", lambda: local(text))


@pytest.fixture
def room(db):
    site = factories.make_site("Maison du Champ de Foire")
    site.slug = "champ-de-foire"
    resource = factories.make_resource(site, name="Salle Iroise", slug="salle-iroise")
    factories.make_booking(
        resource,
        local(f"{DAY} 14:00"),
        local(f"{DAY} 15:30"),
        title="Atelier numérique",
        is_public=True,
    )
    factories.make_booking(resource, local(f"{DAY} 16:00"), local(f"{DAY} 17:00"), title="Secret")
    factories.make_booking(
        resource,
        local(f"{DAY} 18:00"),
        local(f"{DAY} 19:00"),
        title="Demande en attente",
        is_public=True,
        state="pending",
    )
    db.session.commit()
    return resource


def page(client, path: str = "/rooms/salle-iroise/door?lang=en") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_free_until_the_next_booking_with_the_day_s_bookings(client, room, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 10:10")
    html = page(client)
    assert "Salle Iroise" in html
    assert "Free until 2:00\u202fPM" in html
    assert "Atelier numérique" in html  # a public booking later today, by name
    assert "Private booking" in html  # the private one, nameless
    assert "Secret" not in html
    assert "Demande en attente" not in html  # a request is not a booking yet
    assert 'class="door-state door-state-free"' in html


def test_in_use_until_its_end_with_its_public_title(client, room, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 14:07")
    html = page(client)
    assert "In use until 3:30\u202fPM" in html
    assert '<p class="door-detail">Atelier numérique</p>' in html
    assert 'class="door-state door-state-busy"' in html


def test_a_private_booking_in_use_shows_a_neutral_title(client, room, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 16:30")
    html = page(client)
    assert "In use until 5:00\u202fPM" in html
    assert '<p class="door-detail">Private booking</p>' in html
    assert "Secret" not in html


def test_free_all_evening_until_closing(client, room, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 19:05")
    html = page(client)
    assert "Free all evening" in html
    assert "Closes at 10:00\u202fPM" in html
    assert "No other booking today." in html


def test_closed_at_night_says_when_it_reopens(client, room, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 23:00")
    html = page(client)
    assert '<p class="door-headline">Closed</p>' in html
    assert "Reopens Thursday 7 March at 8:00\u202fAM" in html
    assert 'class="door-state door-state-closed"' in html


def test_a_closure_gives_its_label_and_the_reopening_time(client, room, monkeypatch):
    db.session.add(
        Closure(
            resource_id=room.id,
            start_at=local(f"{DAY} 09:00"),
            end_at=local(f"{DAY} 12:00"),
            label="Travaux",
        )
    )
    db.session.commit()
    at_clock(monkeypatch, f"{DAY} 10:00")
    html = page(client)
    assert '<p class="door-headline">Closed</p>' in html
    assert "Travaux — Reopens at 12:00\u202fPM" in html


def test_in_french_by_default_and_on_lang(client, room, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 14:07")
    html = page(client, "/rooms/salle-iroise/door")
    assert '<html lang="fr">' in html
    assert "Occupée jusqu’à 15:30" in html
    at_clock(monkeypatch, f"{DAY} 23:00")
    html = page(client, "/rooms/salle-iroise/door?lang=fr")
    assert "Fermée" in html
    assert "Réouverture jeudi 7 mars à 08:00" in html
    english = page(client, "/rooms/salle-iroise/door?lang=en")
    assert '<html lang="en">' in english


def test_the_qr_code_encodes_the_form_with_the_next_bookable_slot(client, room, monkeypatch):
    # 10:10, one hour's notice: 11:00 is too soon, 11:30–12:00 is the first the form takes.
    at_clock(monkeypatch, f"{DAY} 10:10")
    html = page(client)
    url = f"{BASE}?resource=salle-iroise&date={DAY}&start=11:30&end=12:00"
    assert f'href="{url.replace("&", "&amp;")}"' in html  # the text alternative
    label = "QR code of the booking form of Salle Iroise"
    assert str(qr_svg(url, label)) in html  # the same code segno draws for that URL
    assert '<svg role="img"' in html


def test_the_qr_slot_skips_bookings_and_follows_the_form_s_rules(client, room, monkeypatch):
    # 13:05: 14:00–15:30 is booked, 15:30–16:00 is free and far enough ahead.
    at_clock(monkeypatch, f"{DAY} 13:05")
    html = page(client)
    assert f"resource=salle-iroise&amp;date={DAY}&amp;start=15:30&amp;end=16:00" in html


def test_a_room_with_no_bookable_slot_today_offers_tomorrow(client, room, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 21:30")
    html = page(client)
    assert "resource=salle-iroise&amp;date=2030-03-07&amp;start=08:00&amp;end=08:30" in html


def test_unknown_room_is_not_found(client, db):
    assert client.get("/rooms/nowhere/door").status_code == 404
    assert client.get("/sites/nowhere/door").status_code == 404


def test_the_page_works_without_javascript_and_with_it(client, room, monkeypatch):
    at_clock(monkeypatch, f"{DAY} 10:10")
    html = page(client)
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in html
    assert "/static/js/door.js" in html
    assert 'id="door-pause"' in html
    paused = page(client, "/rooms/salle-iroise/door?lang=en&pause=1")
    assert 'http-equiv="refresh"' not in paused
    assert 'data-paused="true"' in paused


def test_dst_day_times_are_local(client, db, monkeypatch):
    # The last Sunday of March: 02:00 does not exist; times stay Paris wall-clock.
    resource = factories.make_resource(name="Salle Ouessant", slug="salle-ouessant")
    factories.make_booking(
        resource, local("2030-03-31 09:00"), local("2030-03-31 10:30"), title="Café", is_public=True
    )
    db.session.commit()
    at_clock(monkeypatch, "2030-03-31 09:15")
    html = page(client, "/rooms/salle-ouessant/door?lang=fr")
    assert "Occupée jusqu’à 10:30" in html


def test_an_open_lab_session_full_then_the_next_session_offered(client, db, monkeypatch):
    lab = factories.make_resource(
        name="Fablab libre", slug="fablab-libre", kind="open_lab", capacity=2
    )
    for _ in range(2):
        factories.make_booking(lab, local(f"{DAY} 08:00"), local(f"{DAY} 22:00"), attendees=1)
    db.session.commit()
    at_clock(monkeypatch, f"{DAY} 15:00")
    html = page(client, "/rooms/fablab-libre/door?lang=en")
    assert "Full until 10:00\u202fPM" in html
    assert "resource=fablab-libre&amp;date=2030-03-07&amp;start=08:00&amp;end=22:00" in html
    french = page(client, "/rooms/fablab-libre/door?lang=fr")
    assert "Complète jusqu’à 22:00" in french


def test_autumn_clock_change_night_reopens_at_local_opening(client, room, monkeypatch):
    # The last Sunday of October: 01:30 local comes before the repeated hour; the room
    # reopens at 08:00 local, which is 07:00 UTC after the change.
    at_clock(monkeypatch, "2030-10-27 01:30")
    html = page(client, "/rooms/salle-iroise/door?lang=fr")
    assert "Réouverture à 08:00" in html
    assert "resource=salle-iroise&amp;date=2030-10-27&amp;start=08:00&amp;end=08:30" in html

"""Changing the room of a booking from its page (issue 13, item 6): the rooms that fit are
offered, same place first; the new room's rules decide; managers of both rooms are told;
the requester's calendar gets the same UID with a higher SEQUENCE; both rooms' feeds change;
a conflict offers plan B as pre-filled changes."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from booking.resources.models import Closure, ResourceEquipment
from booking.timeutil import to_local
from tests import factories
from tests.notifications.helpers import by_recipient, calendar, emails
from tests.reservations.conftest import FAR, local
from tests.reservations.helpers import error_of, text
from tests.reservations.test_series import _book_series


@pytest.fixture
def managers(db):
    return factories.make_user(name="Anne"), factories.make_user(name="Yann")


@pytest.fixture
def rooms(db, site, room, camera, managers):
    """Salle Iroise (the booking's, managed by Anne) and three others: same place (managed
    by Yann, approves on arrival), another place, and one too small."""
    old_manager, new_manager = managers
    room.managers.append(old_manager)
    site.neighbourhood = "Recouvrance"
    same_place = factories.make_resource(
        site,
        name="Salle Abers",
        slug="abers",
        capacity=10,
        horizon_days=FAR,
        requires_approval=False,
        managers=[new_manager],
    )
    elsewhere = factories.make_resource(
        factories.make_site("Maison de Bellevue", neighbourhood="Bellevue"),
        name="Salle Bellevue",
        slug="bellevue",
        capacity=12,
        horizon_days=FAR,
    )
    small = factories.make_resource(
        site, name="Salle Minuscule", slug="minuscule", capacity=3, horizon_days=FAR
    )
    for resource in (same_place, elsewhere, small):
        resource.equipment.append(ResourceEquipment(equipment=camera, quantity=1))
    db.session.flush()
    return same_place, elsewhere, small


def _approved(room, booker, day: str = "2030-03-05", **fields) -> Booking:
    booking = factories.make_booking(
        room,
        local(f"{day} 14:00"),
        local(f"{day} 16:00"),
        association=booker.associations[0],
        requester=booker,
        attendees=fields.pop("attendees", 8),
        sequence=1,
        **fields,
    )
    db.session.commit()
    return booking


def _change(client, booking_id: int, **fields: str):
    data = {"resource": "abers", "date": "2030-03-05", "start": "14:00", "end": "16:00"}
    data["scope"] = "one"
    data.update(fields)
    return client.post(f"/reservations/{booking_id}/change", data=data)


def test_the_form_offers_the_rooms_that_fit_same_place_first(login, booker, room, rooms):
    booking = _approved(room, booker)
    page = text(login(booker).get(f"/reservations/{booking.id}/change"))
    options = re.findall(r'<option[^>]*value="([^"]+)"', page)
    assert options == ["salle-iroise", "abers", "bellevue"]  # too small: not offered
    assert re.search(
        r'<option[^>]*selected[^>]*value="salle-iroise"|value="salle-iroise"[^>]*selected', page
    )


def test_moving_an_approved_booking_to_another_room(login, booker, room, rooms, managers):
    same_place, _elsewhere, _small = rooms
    old_manager, new_manager = managers
    booking = _approved(room, booker)
    versions = (room.calendar_version, same_place.calendar_version)
    response = _change(login(booker), booking.id)
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Booking, booking.id)
    assert moved.resource_id == same_place.id
    assert moved.state is BookingState.APPROVED  # Salle Abers approves on arrival
    assert moved.sequence == 2
    assert db.session.get(type(room), room.id).calendar_version > versions[0]
    assert db.session.get(type(room), same_place.id).calendar_version > versions[1]
    # The requester's calendar: the same UID, a higher SEQUENCE, the new room.
    invitation = by_recipient("rescheduled")[booker.email]
    event = calendar(invitation).walk("VEVENT")[0]
    assert booking.uid in str(event["UID"])
    assert int(event["SEQUENCE"]) == 2
    assert "Salle Abers" in str(event["LOCATION"])
    # Both rooms' managers are told: the new room's of the booking, the old's of the freed time.
    assert list(by_recipient("moved_in")) == [new_manager.email]
    freed = by_recipient("moved_out")
    assert list(freed) == [old_manager.email]
    assert "Salle Iroise" in freed[old_manager.email]["Subject"]


def test_moving_into_a_room_needing_approval_goes_back_to_its_managers(
    login, booker, room, rooms, managers
):
    _same_place, elsewhere, _small = rooms
    elsewhere_manager = factories.make_user(name="Gwen")
    elsewhere.managers.append(elsewhere_manager)
    booking = _approved(room, booker)
    response = _change(login(booker), booking.id, resource="bellevue")
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Booking, booking.id)
    assert (moved.resource_id, moved.state) == (elsewhere.id, BookingState.PENDING)
    assert list(by_recipient("new_request")) == [elsewhere_manager.email]
    # The old time leaves the requester's calendar until the new room approves.
    cancel = calendar(by_recipient("rescheduled_pending")[booker.email])
    assert str(cancel["METHOD"]) == "CANCEL"
    assert list(by_recipient("moved_out")) == [managers[0].email]


def test_the_old_room_feed_no_longer_lists_the_booking_and_its_etag_changes(
    client, login, booker, room, rooms
):
    day = (date.today() + timedelta(days=30)).isoformat()  # inside the feeds' window
    booking = _approved(room, booker, day=day, is_public=True)
    old_feed = client.get("/feeds/resources/salle-iroise.ics")
    new_feed = client.get("/feeds/resources/abers.ics")
    assert booking.uid in old_feed.get_data(as_text=True)
    assert _change(login(booker), booking.id, date=day).status_code == 302
    client.delete_cookie("session")
    again = client.get(
        "/feeds/resources/salle-iroise.ics", headers={"If-None-Match": old_feed.headers["ETag"]}
    )
    assert again.status_code == 200  # not 304: the old room's calendar changed
    assert booking.uid not in again.get_data(as_text=True)
    arrived = client.get(
        "/feeds/resources/abers.ics", headers={"If-None-Match": new_feed.headers["ETag"]}
    )
    assert arrived.status_code == 200
    body = arrived.get_data(as_text=True)
    assert booking.uid in body
    assert "SEQUENCE:2" in body


@pytest.mark.parametrize(
    ("slug", "expected"),
    [("minuscule", "at most 3 people"), ("laser", "not the same kind")],
)
def test_a_room_that_does_not_fit_is_refused_next_to_the_room(
    login, booker, room, rooms, machine, slug, expected
):
    booking = _approved(room, booker)
    response = _change(login(booker), booking.id, resource=slug)
    assert response.status_code == 422
    assert expected in error_of(text(response), "resource")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).resource_id == room.id


def test_a_room_without_the_equipment_asked_is_refused(login, booker, room, rooms, camera):
    same_place, _elsewhere, _small = rooms
    booking = _approved(room, booker)
    from booking.bookings.models import BookingEquipment

    booking.equipment = [BookingEquipment(equipment_id=camera.id, quantity=1)]
    same_place.equipment.clear()
    db.session.commit()
    response = _change(login(booker), booking.id)
    assert response.status_code == 422
    assert "does not have the equipment" in error_of(text(response), "resource")


def test_a_closed_room_is_refused(login, booker, room, rooms):
    same_place, _elsewhere, _small = rooms
    db.session.add(
        Closure(
            resource_id=same_place.id,
            start_at=local("2030-03-05 08:00"),
            end_at=local("2030-03-05 22:00"),
            label="Peinture",
        )
    )
    booking = _approved(room, booker)
    response = _change(login(booker), booking.id)
    assert response.status_code == 422
    assert "Peinture" in text(response)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).resource_id == room.id


def test_a_conflict_in_the_new_room_offers_plan_b_as_pre_filled_changes(login, booker, room, rooms):
    same_place, _elsewhere, _small = rooms
    factories.make_booking(same_place, local("2030-03-05 13:00"), local("2030-03-05 15:00"))
    booking = _approved(room, booker)
    client = login(booker)
    response = _change(client, booking.id)
    assert response.status_code == 422
    page = text(response)
    assert "already booked" in error_of(page, "start")
    section = re.search(r'<section class="plan-b".*?</section>', page, re.S).group(0)
    links = re.findall(r'href="([^"]+)"', section)
    base = f"/reservations/{booking.id}/change?"
    assert links
    assert all(link.startswith(base) for link in links)
    assert "resource=abers&date=2030-03-05&start=15:00&end=17:00" in section
    assert "resource=bellevue&date=2030-03-05&start=14:00&end=16:00" in section
    # One click opens the change form pre-filled; sending it moves the booking.
    form_page = text(client.get(base + "resource=abers&date=2030-03-05&start=15:00&end=17:00"))
    assert 'value="15:00"' in form_page
    assert _change(client, booking.id, start="15:00", end="17:00").status_code == 302
    db.session.expire_all()
    moved = db.session.get(Booking, booking.id)
    assert moved.resource_id == same_place.id
    assert to_local(moved.start_at).strftime("%H:%M") == "15:00"


def test_a_series_this_date_and_the_following_ones_to_another_room(login, booker, room, rooms):
    same_place, _elsewhere, _small = rooms
    client = login(booker)
    first, second, third, fourth = _book_series(client)
    response = client.post(
        f"/reservations/{third.id}/change",
        data={
            "resource": "abers",
            "date": "2027-11-02",
            "start": "18:00",
            "end": "20:00",
            "scope": "following",
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    db.session.expire_all()
    after = [db.session.get(Booking, b.id) for b in (first, second, third, fourth)]
    assert [b.resource_id for b in after] == [room.id, room.id, same_place.id, same_place.id]
    assert after[0].series_id == after[1].series_id != after[2].series_id == after[3].series_id
    # The clocks changed on 31 October: still 18:00 in Brest.
    assert {to_local(b.start_at).strftime("%H:%M") for b in after} == {"18:00"}
    assert len(emails("moved_in")) == 1  # one email for the two dates


def test_both_rooms_week_grids_follow_the_move_through_the_cache(
    client, login, booker, room, rooms
):
    day = (date.today() + timedelta(days=30)).isoformat()
    booking = _approved(room, booker, day=day, is_public=True, title="Bal breton")
    old_grid = f"/calendar/resources/salle-iroise/week?date={day}"
    new_grid = f"/calendar/resources/abers/week?date={day}"
    assert "Bal breton" in text(client.get(old_grid))  # built and cached
    assert "Bal breton" not in text(client.get(new_grid))
    assert _change(login(booker), booking.id, date=day).status_code == 302
    assert "Bal breton" not in text(client.get(old_grid))
    assert "Bal breton" in text(client.get(new_grid))

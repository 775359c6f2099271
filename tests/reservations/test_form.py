"""The reservation form: pre-filling, the happy paths, and every refusal next to its field."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from booking.audit import AuditEvent
from booking.bookings import events
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingState
from booking.bookings.rules import check_attendees
from booking.extensions import db
from booking.outbox import OutboxMessage
from booking.reservations.forms import reservation_form
from booking.resources.models import (
    Equipment,
    OpeningHours,
    Resource,
    ResourceEquipment,
    UserTraining,
)
from tests import factories
from tests.factories import PASSWORD
from tests.reservations.conftest import local
from tests.reservations.helpers import error_of, room_form, text

URL = "/reservations/new?resource=salle-iroise"


def _bookings() -> list[Booking]:
    return list(db.session.scalars(select(Booking).order_by(Booking.start_at)))


def test_anonymous_visitor_is_sent_to_the_login_page(client, room):
    response = client.get("/reservations/new?resource=salle-iroise")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_without_a_resource_the_form_asks_which_one(login, booker, room):
    page = text(login(booker).get("/reservations/new"))
    assert "Salle Iroise" in page
    assert 'name="resource"' in page


def test_an_unknown_resource_is_explained_and_the_list_offered(login, booker, room):
    response = login(booker).get("/reservations/new?resource=no-such-room&date=2030-03-05")
    assert response.status_code == 200
    assert "could not find" in text(response)
    assert "Salle Iroise" in text(response)


def test_query_arguments_pre_fill_the_form(login, booker, room):
    page = text(
        login(booker).get(
            "/reservations/new?resource=salle-iroise&date=2030-03-05&start=14:00&end=16:00"
        )
    )
    assert 'value="2030-03-05"' in page
    assert 'value="14:00"' in page
    assert 'value="16:00"' in page
    assert "Les Amis du Vélo" in page  # the one association, named, not a select
    assert '<select id="association"' not in page


@pytest.mark.parametrize(
    "query",
    [
        "date=2030-13-45&start=25:99&end=abc",
        "date=%00&start=%ff&end=",
        "date=yesterday&start=14:00&end=10:00",
        "start=14&end=16",
        "date=99999-01-01",
        "resource=salle-iroise%27%22%3E&date=2030-03-05",
    ],
)
def test_garbage_query_arguments_never_break_the_form(login, booker, room, query):
    sep = "&" if query.startswith("resource") else "&resource=salle-iroise&"
    response = login(booker).get(f"/reservations/new?{query}{sep}".rstrip("&"))
    assert response.status_code == 200
    assert 'value="2030-13-45"' not in text(response)


def test_a_room_request_is_saved_pending_with_times_in_utc(login, booker, room, screen):
    client = login(booker)
    response = client.post(
        "/reservations/new?resource=salle-iroise",
        data=room_form(**{f"equipment_{screen.id}": "y", f"equipment_{screen.id}_quantity": "2"}),
    )
    assert response.status_code == 302
    [booking] = _bookings()
    assert response.headers["Location"].endswith(f"/reservations/{booking.id}")
    assert booking.state is BookingState.PENDING
    assert booking.start_at == datetime(2030, 3, 5, 13, 0, tzinfo=UTC)  # 14:00 in Paris
    assert booking.end_at == local("2030-03-05 16:00")
    assert booking.attendees == 8
    assert booking.is_public is False
    assert [(e.equipment.name, e.quantity) for e in booking.equipment] == [("Screen", 2)]
    page = text(client.get(response.headers["Location"]))
    assert "pending until a manager approves it" in page


def test_a_machine_slot_is_booked_by_a_trained_member(login, booker, machine, training):
    db.session.add(
        UserTraining(user_id=booker.id, training_id=training.id, obtained_on=date(2026, 1, 1))
    )
    client = login(booker)
    page = text(client.get("/reservations/new?resource=laser&date=2030-03-05"))
    assert 'name="slot"' in page
    assert 'name="start"' not in page
    response = client.post(
        "/reservations/new?resource=laser",
        data=room_form(start=None, end=None, slot="10:00-11:00", attendees="1"),
    )
    assert response.status_code == 302
    [booking] = _bookings()
    assert booking.state is BookingState.APPROVED
    assert (booking.start_at, booking.end_at) == (
        local("2030-03-05 10:00"),
        local("2030-03-05 11:00"),
    )
    assert "approved" in text(client.get(response.headers["Location"]))


def test_an_open_lab_seat_is_one_seat_for_the_whole_session(login, booker, open_lab):
    client = login(booker)
    page = text(client.get("/reservations/new?resource=atelier-jeudi&date=2030-03-07"))
    assert 'value="18:00-21:00"' in page
    assert 'name="attendees"' not in page
    response = client.post(
        "/reservations/new?resource=atelier-jeudi",
        data=room_form(date="2030-03-07", start=None, end=None, slot="18:00-21:00", attendees=None),
    )
    assert response.status_code == 302
    [booking] = _bookings()
    assert booking.state is BookingState.APPROVED
    assert booking.attendees == 1
    assert booking.start_at == local("2030-03-07 18:00")
    assert booking.end_at == local("2030-03-07 21:00")


def _refused(client, resource_slug: str = "salle-iroise", **changes: str):
    db.session.commit()  # the scene survives the page's rollback
    response = client.post(f"/reservations/new?resource={resource_slug}", data=room_form(**changes))
    assert response.status_code == 422
    assert _bookings_count() == 0
    return text(response)


def _bookings_count() -> int:
    return len(
        list(db.session.scalars(select(Booking.id).where(Booking.title == "Assemblée générale")))
    )


def test_end_before_start_is_shown_next_to_the_end(login, booker, room):
    page = _refused(login(booker), start="16:00", end="14:00")
    assert "after the start" in error_of(page, "end")


def test_a_date_in_the_past_is_shown_next_to_the_start(login, booker, room):
    page = _refused(login(booker), date="2020-01-07")
    assert error_of(page, "start")
    assert "past" in error_of(page, "start")


def test_outside_opening_hours_is_shown_next_to_the_start(login, booker, room):
    page = _refused(login(booker), start="22:00", end="23:00")
    assert error_of(page, "start") or error_of(page, "end")


def test_a_conflict_is_named_next_to_the_start(login, booker, room):
    factories.make_booking(
        room, local("2030-03-05 15:00"), local("2030-03-05 17:00"), title="Chorale"
    )
    page = _refused(login(booker))
    message = error_of(page, "start")
    assert "Salle Iroise" in message
    assert "15:00" in message


def test_a_refusal_after_the_booking_is_written_undoes_every_write(login, booker, room):
    """The request runs in a savepoint: a refusal raised once the booking, its audit event
    and its emails are written leaves none of them, and the page still names the room."""

    def refuse_late(_sender, **_kw):
        raise BookingRefused("Refused at the last moment.", rule="overlap", field="start_at")

    client = login(booker)
    db.session.commit()
    before = (_count(AuditEvent), _count(OutboxMessage))
    with events.request_created.connected_to(refuse_late):
        response = client.post(URL, data=room_form())
    assert response.status_code == 422
    page = text(response)
    assert "Book Salle Iroise" in page
    assert "Refused at the last moment." in error_of(page, "start")
    assert _bookings_count() == 0
    assert (_count(AuditEvent), _count(OutboxMessage)) == before
    # The next request works as usual.
    assert client.post(URL, data=room_form()).status_code == 302
    assert _bookings_count() == 1


def test_an_unexpected_error_after_the_booking_is_written_leaves_nothing(login, booker, room):
    def crash(_sender, **_kw):
        raise RuntimeError("mail template missing")

    client = login(booker)
    db.session.commit()
    with events.request_created.connected_to(crash), pytest.raises(RuntimeError):
        client.post(URL, data=room_form())
    assert _bookings_count() == 0
    assert client.post(URL, data=room_form()).status_code == 302


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_too_many_attendees_is_shown_next_to_the_number(login, booker, room):
    page = _refused(login(booker), attendees="11")
    assert error_of(page, "attendees")


def test_text_in_the_number_of_people_is_explained(login, booker, room):
    page = _refused(login(booker), attendees="eight")
    assert "whole number" in error_of(page, "attendees")


def test_more_equipment_than_the_room_has_is_shown_next_to_it(login, booker, room, screen):
    page = _refused(
        login(booker),
        **{f"equipment_{screen.id}": "y", f"equipment_{screen.id}_quantity": "3"},
    )
    assert "between 1 and 2" in error_of(page, f"equipment_{screen.id}_quantity")


def test_equipment_the_room_no_longer_has_is_refused_next_to_the_equipment(
    login, booker, room, camera
):
    client = login(booker)
    form_page = text(client.get("/reservations/new?resource=salle-iroise"))
    assert f'name="equipment_{camera.id}"' in form_page
    # The camera goes away between showing the form and sending it.
    room.equipment = [e for e in room.equipment if e.equipment_id != camera.id]
    db.session.commit()
    page = _refused(client, **{f"equipment_{camera.id}": "y"})
    assert "does not have the equipment" in error_of(
        page, f"equipment_{room.equipment[0].equipment_id}"
    )
    assert f'name="equipment_{camera.id}"' not in page


def test_a_missing_training_is_said_at_the_top_with_how_to_obtain_it(login, booker, machine):
    machine.required_training.contact = "Yann, fablab@example.org"
    machine.required_training.next_session_on = date(2099, 1, 8)
    client = login(booker)
    page = text(client.get("/reservations/new?resource=laser"))
    status = page[page.index('id="training-status"') :]
    assert status.index("which you do not hold yet") < status.index("</div>")
    assert "To obtain it, contact: Yann, fablab@example.org." in status
    assert "Next training session: Thursday, January 8, 2099." in status
    refused = _refused(client, "laser", start=None, end=None, slot="10:00-11:00", attendees="1")
    assert error_of(refused, "slot") == ""  # not a matter of time
    problems = refused[refused.index('id="form-problems"') :]
    assert "Laser safety" in problems[: problems.index("</div>")]


def test_an_expired_training_is_refused_on_the_date(login, booker, machine, training):
    db.session.add(
        UserTraining(
            user_id=booker.id,
            training_id=training.id,
            obtained_on=date(2026, 1, 1),
            expires_on=date(2027, 1, 1),
        )
    )
    page = _refused(login(booker), "laser", start=None, end=None, slot="10:00-11:00", attendees="1")
    assert "Laser safety" in error_of(page, "date")


def test_a_trained_member_reads_that_they_hold_the_training(login, booker, machine, training):
    db.session.add(
        UserTraining(
            user_id=booker.id,
            training_id=training.id,
            obtained_on=date(2026, 1, 1),
            expires_on=date(2099, 6, 30),
        )
    )
    page = text(login(booker).get("/reservations/new?resource=laser"))
    assert "You hold the training “Laser safety” required for Découpeuse laser." in page
    assert "valid until June 30, 2099" in page


def test_booking_for_an_association_i_am_not_in_is_refused(login, booker, room):
    other = factories.make_association("Club de Go")
    page = _refused(login(booker), association=str(other.id))
    assert "not a member" in error_of(page, "association") or "not a member" in page


def test_someone_without_an_association_is_told_why_they_cannot_book(login, room):
    loner = factories.make_user(locale="en")
    client = login(loner)
    assert "not a member of any association" in text(
        client.get("/reservations/new?resource=salle-iroise")
    )
    page = _refused(client)
    assert "association" in error_of(page, "association") or "association" in page


def test_someone_in_two_associations_chooses_one(login, booker, room):
    second = factories.make_association("Club de Go")
    factories.add_member(booker, second)
    client = login(booker)
    page = text(client.get("/reservations/new?resource=salle-iroise"))
    assert '<select id="association"' in page
    response = client.post(
        "/reservations/new?resource=salle-iroise", data=room_form(association=str(second.id))
    )
    assert response.status_code == 302
    assert _bookings()[0].association_id == second.id


def test_missing_title_and_date_are_shown_next_to_their_fields(login, booker, room):
    page = _refused(login(booker), title="", date="")
    assert error_of(page, "title")
    assert error_of(page, "date")


def test_an_administrator_books_on_behalf_of_any_active_association(login, room, association):
    admin = factories.make_user(is_admin=True, locale="en")
    factories.make_association("Club de Go")
    factories.make_association("Pas encore validée", is_active=False)
    client = login(admin)
    page = text(client.get("/reservations/new?resource=salle-iroise"))
    assert '<select id="association"' in page
    assert "Les Amis du Vélo" in page
    assert "Pas encore validée" not in page
    response = client.post(URL, data=room_form(association=str(association.id)))
    assert response.status_code == 302
    [booking] = _bookings()
    assert booking.association_id == association.id
    assert booking.requester_id == admin.id


def test_a_full_open_lab_session_puts_me_on_the_waiting_list(login, booker, open_lab):
    for _ in range(2):
        factories.make_booking(
            open_lab, local("2030-03-07 18:00"), local("2030-03-07 21:00"), state="approved"
        )
    db.session.commit()
    client = login(booker)
    response = client.post(
        "/reservations/new?resource=atelier-jeudi",
        data=room_form(date="2030-03-07", start=None, end=None, slot="18:00-21:00", attendees=None),
    )
    assert response.status_code == 302
    mine = [b for b in _bookings() if b.title == "Assemblée générale"]
    assert [b.state for b in mine] == [BookingState.WAITLISTED]
    page = text(client.get(response.headers["Location"]))
    assert "waiting list" in page


@pytest.mark.parametrize(
    "changes",
    [
        {"date": "2030-02-30"},
        {"start": "25:00", "end": "ab"},
        {"attendees": "-4"},
        {"visibility": "everyone"},
        {"association": "abc"},
        {"association": "999999"},
        {"repeat": "daily"},
        {"repeat": "weekly", "weekdays": "9", "ends": "count", "count": "3"},
        {"repeat": "weekly", "interval": "abc", "ends": "count", "count": "3"},
        {"repeat": "weekly", "ends": "count", "count": "-5"},
        {"repeat": "monthly", "nth": "x", "ends": "until", "until": "soon"},
    ],
)
def test_garbage_form_data_is_refused_in_words_never_a_crash(login, booker, room, changes):
    db.session.commit()
    response = login(booker).post(URL, data=room_form(**changes))
    assert response.status_code == 422
    assert _bookings_count() == 0
    assert 'class="error"' in text(response) or "form-summary" in text(response)


def test_the_form_speaks_french_first(login, room):
    francophone = factories.make_member(locale="fr")
    page = text(login(francophone).get(f"{URL}&date=2030-03-05"))
    assert "Réserver Salle Iroise" in page
    assert "Voir les dates avant de réserver" in page
    assert "Envoyer la demande" in page


def test_the_booking_page_says_where_i_am_on_the_waiting_list(login, booker, open_lab):
    for _ in range(2):
        factories.make_booking(
            open_lab, local("2030-03-07 18:00"), local("2030-03-07 21:00"), state="approved"
        )
    factories.make_booking(
        open_lab, local("2030-03-07 18:00"), local("2030-03-07 21:00"), state="waitlisted"
    )
    db.session.commit()
    client = login(booker)
    response = client.post(
        "/reservations/new?resource=atelier-jeudi",
        data=room_form(date="2030-03-07", start=None, end=None, slot="18:00-21:00", attendees=None),
    )
    page = text(client.get(response.headers["Location"]))
    assert "Number 2 on the waiting list" in page


def test_the_form_class_is_built_once_per_set_of_equipment(app, room, screen):
    with app.test_request_context():
        first, again = reservation_form(room), reservation_form(room)
        assert type(first) is type(again)
        assert first.equipment_fields == again.equipment_fields
        assert first.equipment_fields is not again.equipment_fields
        item = next(i for i in room.equipment if i.equipment_id == screen.id)
        item.quantity = 3  # the room now has three screens: a new form class
        changed = reservation_form(room)
        assert type(changed) is not type(first)
        assert changed[f"equipment_{screen.id}_quantity"].validators[1].max == 3


# The search carries people and equipment into the form, through the login (issue 13, item 3) --

FROM_SEARCH = (
    "/reservations/new?resource=salle-iroise&date=2030-03-05&start=14:00&end=16:00"
    "&attendees=7&equipment=camera&equipment=unicorn"
)


def test_the_form_takes_people_and_equipment_from_the_search(login, booker, room, camera, screen):
    page = text(login(booker).get(FROM_SEARCH))
    assert re.search(r'<input[^>]*id="attendees"[^>]*value="7"', page)
    assert f'<input checked id="equipment_{camera.id}"' in page
    assert f'<input id="equipment_{screen.id}"' in page  # not asked for: not ticked


def test_people_and_equipment_survive_the_login_redirect(client, booker, room, camera, db):
    db.session.commit()
    response = client.get(FROM_SEARCH)
    assert response.status_code == 302
    login_url = response.headers["Location"]
    response = client.post(login_url, data={"email": booker.email, "password": PASSWORD})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert re.search(r'<input[^>]*id="attendees"[^>]*value="7"', page)
    assert f'<input checked id="equipment_{camera.id}"' in page


def test_the_time_pickers_move_by_the_rooms_step(login, booker, room, db):
    room.slot_step_minutes = 60
    db.session.commit()
    page = text(login(booker).get("/reservations/new?resource=salle-iroise&date=2030-03-05"))
    assert re.search(r'<input[^>]*id="start"[^>]*step="3600"', page)
    assert re.search(r'<input[^>]*id="end"[^>]*step="3600"', page)


def test_no_step_on_the_time_pickers_when_the_opening_is_off_the_step(login, booker, room, db):
    room.slot_step_minutes = 60
    room.opening_hours.append(OpeningHours(weekday=1, opens_at=time(8, 30), closes_at=time(20)))
    db.session.commit()
    page = text(login(booker).get("/reservations/new?resource=salle-iroise&date=2030-03-05"))
    assert 'step="3600"' not in page


def test_a_member_whose_association_awaits_validation_is_told_so_at_the_top(login, room):
    waiting = factories.make_association("Club de Voile", is_active=False)
    member = factories.make_user(locale="en")
    factories.add_member(member, waiting)
    page = text(login(member).get("/reservations/new?resource=salle-iroise"))
    notice = page.index('id="cannot-book"')
    assert notice < page.index('class="stack reservation-form"')
    assert "Club de Voile is awaiting validation" in page
    assert "not a member of any association" not in page
    submit = re.search(r'<input[^>]*id="submit"[^>]*>', page).group(0)
    assert "disabled" in submit


def test_a_member_with_an_association_can_press_submit(login, booker, room):
    page = text(login(booker).get("/reservations/new?resource=salle-iroise"))
    submit = re.search(r'<input[^>]*id="submit"[^>]*>', page).group(0)
    assert "disabled" not in submit
    assert 'id="cannot-book"' not in page


def test_the_date_inputs_offer_only_the_days_the_rules_allow(login, booker, room, monkeypatch):
    room.min_notice_minutes = 24 * 60
    room.horizon_days = 30
    db.session.commit()
    now = datetime(2030, 3, 5, 22, 30, tzinfo=UTC)  # 23:30 in Paris, Tuesday 5 March
    monkeypatch.setattr("booking.reservations.views._now", lambda: now)
    page = text(login(booker).get(URL))
    date_input = re.search(r'<input[^>]*id="date"[^>]*>', page).group(0)
    until_input = re.search(r'<input[^>]*id="until"[^>]*>', page).group(0)
    for tag in (date_input, until_input):
        assert 'min="2030-03-06"' in tag  # 24 h of notice from 23:30 local
        assert 'max="2030-04-04"' in tag  # 30 days from the local date
    assert "Bookable from March 6, 2030 to April 4, 2030." in page


def _trained(booker, training) -> None:
    db.session.add(
        UserTraining(user_id=booker.id, training_id=training.id, obtained_on=date(2026, 1, 1))
    )


def test_the_machine_form_speaks_of_a_machine(login, booker, machine, training, camera):
    machine.equipment.append(ResourceEquipment(equipment=camera, quantity=1))
    _trained(booker, training)
    page = text(login(booker).get("/reservations/new?resource=laser"))
    assert "Monthly meeting of the board" not in page
    assert "For example: Parts for the repair café." in page
    assert "room is taken" not in page
    assert 'name="attendees"' not in page  # a machine for one: no number of people
    assert "At most 1 person" not in page
    assert f'name="equipment_{camera.id}"' not in page  # its own equipment is the machine
    assert 'name="repeat"' not in page
    assert "You book the machine for yourself." in page


def test_a_machine_ignores_a_repeat_sent_anyway(login, booker, machine, training):
    _trained(booker, training)
    response = login(booker).post(
        "/reservations/new?resource=laser",
        data=room_form(start=None, end=None, slot="10:00-11:00", repeat="weekly", count="3"),
    )
    assert response.status_code == 302
    [booking] = _bookings()
    assert (booking.series_id, booking.attendees) == (None, 1)


def test_a_room_form_still_asks_for_people_equipment_and_repeats(login, booker, room):
    page = text(login(booker).get(URL))
    assert "Monthly meeting of the board" in page
    assert 'name="attendees"' in page
    assert 'name="repeat"' in page


def test_a_capacity_refusal_reads_well_for_one_person(db):
    resource = Resource(name="Découpeuse", capacity=1)
    with pytest.raises(BookingRefused) as refused:
        check_attendees(resource, 2)
    assert refused.value.message == "Découpeuse est pour une personne à la fois."


def test_the_form_says_before_submitting_that_a_session_is_full(login, booker, open_lab):
    for _ in range(2):
        factories.make_booking(
            open_lab, local("2030-03-07 18:00"), local("2030-03-07 21:00"), state="approved"
        )
    factories.make_booking(
        open_lab, local("2030-03-07 18:00"), local("2030-03-07 21:00"), state="waitlisted"
    )
    db.session.commit()
    page = text(login(booker).get("/reservations/new?resource=atelier-jeudi&date=2030-03-07"))
    assert "6:00\u202fPM–9:00\u202fPM (full: waiting list)" in page
    assert "This session is full: your request will join the waiting list." in page
    assert "1 person is waiting already." in page
    assert 'value="Join the waiting list"' in page


def test_the_form_says_how_many_seats_are_left(login, booker, open_lab):
    factories.make_booking(
        open_lab, local("2030-03-07 18:00"), local("2030-03-07 21:00"), state="approved"
    )
    db.session.commit()
    page = text(login(booker).get("/reservations/new?resource=atelier-jeudi&date=2030-03-07"))
    assert "6:00\u202fPM–9:00\u202fPM (1 seat left)" in page
    assert 'id="session-full"' not in page
    assert 'value="Send the request"' in page


def test_a_second_seat_for_the_same_person_is_refused_on_the_slot(login, booker, open_lab):
    client = login(booker)
    data = room_form(date="2030-03-07", start=None, end=None, slot="18:00-21:00", attendees=None)
    assert client.post("/reservations/new?resource=atelier-jeudi", data=data).status_code == 302
    response = client.post("/reservations/new?resource=atelier-jeudi", data=data)
    assert response.status_code == 422
    assert "one seat per person" in error_of(text(response), "slot")


def test_english_pages_name_equipment_in_english(login, booker, room, camera):
    camera.name_en = "Wide-angle camera"
    camera.name = "Caméra grand angle"
    db.session.commit()
    client = login(booker)  # the booker reads English
    page = text(client.get(URL))
    assert "Wide-angle camera" in page
    assert "Caméra grand angle" not in page
    assert "Wide-angle camera" in text(client.get("/resources/salle-iroise"))


def test_french_pages_keep_the_french_name_and_a_missing_english_name_falls_back(
    login, booker, room, camera, screen
):
    camera.name_en = "Wide-angle camera"
    camera.name = "Caméra grand angle"
    booker.locale = "fr"
    db.session.commit()
    page = text(login(booker).get(URL))
    assert "Caméra grand angle" in page
    assert "Wide-angle camera" not in page
    assert Equipment(name="Écran", name_en=None).name_in("en") == "Écran"

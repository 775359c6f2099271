"""Repeating bookings through the form: preview first, then all dates or the free ones only;
cancelling one date, this and the following ones, or the whole series."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from booking.bookings.models import Booking, BookingState
from booking.bookings.series import preview_series
from booking.extensions import db
from booking.reservations.convert import booking_request, recurrence
from booking.reservations.forms import reservation_form
from booking.resources.models import Closure
from booking.timeutil import to_local
from tests import factories
from tests.reservations.conftest import local
from tests.reservations.helpers import error_of, room_form, text

URL = "/reservations/new?resource=salle-iroise"


def _weekly(**changes: str) -> dict[str, str]:
    """Tuesdays 18:00–20:00 from 19 October 2027, four dates: across the clock change
    of Sunday 31 October 2027."""
    data = room_form(
        date="2027-10-19",
        start="18:00",
        end="20:00",
        title="Répétition de la chorale",
        repeat="weekly",
        interval="1",
        weekdays="1",
        ends="count",
        count="4",
        submit=None,
    )
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _series_bookings() -> list[Booking]:
    stmt = (
        select(Booking)
        .where(Booking.title == "Répétition de la chorale")
        .order_by(Booking.start_at)
    )
    return list(db.session.scalars(stmt))


def _conflict_on_2_november(room) -> Booking:
    other = factories.make_association("Club de Go")
    booking = factories.make_booking(
        room,
        local("2027-11-02 18:30"),
        local("2027-11-02 19:30"),
        association=other,
        title="Tournoi",
    )
    db.session.commit()
    return booking


def test_the_preview_lists_the_dates_at_the_same_local_time_and_names_the_conflict(
    login, booker, room
):
    _conflict_on_2_november(room)
    response = login(booker).post(URL, data=_weekly(preview="Preview the dates"))
    assert response.status_code == 200
    page = text(response)
    assert "4 dates: 3 are free" in page
    assert page.count('<td class="slot-free">Free</td>') == 3
    assert page.count("Not possible:") == 1
    assert "Tuesday, November 2, 2027" in page
    assert "Salle Iroise is already booked" in page
    # 18:00 in Paris on every row, before and after the clock change.
    assert page.count("6:00\u202fPM–8:00\u202fPM") == 4 or page.count("6:00 PM–8:00 PM") == 4
    assert "Book the free dates only" in page
    assert _series_bookings() == []  # nothing saved by a preview


def test_booking_the_free_dates_only_skips_the_conflict_and_keeps_18_00(login, booker, room):
    _conflict_on_2_november(room)
    client = login(booker)
    response = client.post(URL, data=_weekly(submit_free="Book the free dates only"))
    assert response.status_code == 302
    booked = _series_bookings()
    assert [to_local(b.start_at).date() for b in booked] == [
        date(2027, 10, 19),
        date(2027, 10, 26),
        date(2027, 11, 9),
    ]
    assert {to_local(b.start_at).hour for b in booked} == {18}
    assert [b.start_at.astimezone(UTC).hour for b in booked] == [16, 16, 17]
    assert len({b.series_id for b in booked}) == 1
    assert booked[0].series_id is not None
    assert {b.state for b in booked} == {BookingState.PENDING}
    assert response.headers["Location"].endswith(f"/reservations/{booked[0].id}")
    page = text(client.get(response.headers["Location"]))
    assert "Your request for 3 dates is sent" in page
    assert "The other dates of the series" in page


def test_asking_for_all_dates_when_one_is_taken_books_nothing_and_shows_the_preview(
    login, booker, room
):
    _conflict_on_2_november(room)
    response = login(booker).post(URL, data=_weekly(submit="Send the request"))
    assert response.status_code == 422
    page = text(response)
    assert "Some dates are not free" in page
    assert "Book the free dates only" in page
    assert _series_bookings() == []


def test_a_series_with_every_date_free_is_booked_at_once(login, booker, room):
    response = login(booker).post(URL, data=_weekly(submit="Send the request", count="3"))
    assert response.status_code == 302
    assert len(_series_bookings()) == 3


def test_a_monthly_series_on_the_second_tuesday(login, booker, room):
    response = login(booker).post(
        URL,
        data=_weekly(
            date="2030-03-12",
            repeat="monthly",
            nth="2",
            weekdays=None,
            count="3",
            submit="Send the request",
        ),
    )
    assert response.status_code == 302
    assert [to_local(b.start_at).date() for b in _series_bookings()] == [
        date(2030, 3, 12),
        date(2030, 4, 9),
        date(2030, 5, 14),
    ]


def test_an_end_date_before_the_first_date_is_shown_next_to_it(login, booker, room):
    response = login(booker).post(
        URL, data=_weekly(ends="until", until="2027-10-01", preview="Preview the dates")
    )
    assert response.status_code == 422
    assert "on or after the first date" in error_of(text(response), "until")


def test_a_missing_count_is_shown_next_to_it(login, booker, room):
    response = login(booker).post(URL, data=_weekly(count="", preview="Preview the dates"))
    assert response.status_code == 422
    assert error_of(text(response), "count")


def test_previewing_a_booking_that_does_not_repeat_says_so(login, booker, room):
    response = login(booker).post(URL, data=room_form(submit=None, preview="Preview the dates"))
    assert "only one date" in text(response)
    assert _series_bookings() == []


def _book_series(client) -> list[Booking]:
    response = client.post(URL, data=_weekly(submit="Send the request"))
    assert response.status_code == 302
    return _series_bookings()


def test_cancel_this_date_only(login, booker, room):
    client = login(booker)
    first, second, third, fourth = _book_series(client)
    page = text(client.get(f"/reservations/{second.id}/cancel"))
    assert 'value="following"' in page
    assert 'value="all"' in page
    response = client.post(f"/reservations/{second.id}/cancel", data={"scope": "one"})
    assert response.status_code == 302
    states = [db.session.get(Booking, b.id).state for b in (first, second, third, fourth)]
    assert states == [
        BookingState.PENDING,
        BookingState.CANCELLED,
        BookingState.PENDING,
        BookingState.PENDING,
    ]


def test_cancel_this_date_and_the_following_ones(login, booker, room):
    client = login(booker)
    first, second, third, fourth = _book_series(client)
    response = client.post(
        f"/reservations/{second.id}/cancel", data={"scope": "following", "reason": "Fin de saison"}
    )
    assert response.status_code == 302
    for b in (first, second, third, fourth):
        db.session.refresh(b)
    assert first.state is BookingState.PENDING
    assert {second.state, third.state, fourth.state} == {BookingState.CANCELLED}
    assert "3 dates are cancelled." in text(client.get(response.headers["Location"]))


def test_cancel_the_whole_series(login, booker, room):
    client = login(booker)
    booked = _book_series(client)
    response = client.post(f"/reservations/{booked[2].id}/cancel", data={"scope": "all"})
    assert response.status_code == 302
    for b in booked:
        db.session.refresh(b)
    assert {b.state for b in booked} == {BookingState.CANCELLED}


def test_a_stranger_cannot_cancel_a_series(login, booker, room):
    booked = _book_series(login(booker))
    stranger = factories.make_member(locale="en")
    db.session.commit()
    response = login(stranger).post(f"/reservations/{booked[0].id}/cancel", data={"scope": "all"})
    assert response.status_code == 404
    db.session.refresh(booked[0])
    assert booked[0].state is BookingState.PENDING


def _form(room, **data):
    with_defaults = {"date": "2030-03-12", "start": "18:00", "end": "20:00", **data}
    return reservation_form(room, formdata=MultiDict(with_defaults), meta={"csrf": False})


def test_weekly_recurrence_defaults_to_the_first_date_weekday(app, room):
    with app.test_request_context():
        rule = recurrence(_form(room, repeat="weekly", interval="2", ends="count", count="5"))
    assert (rule.freq, rule.interval, rule.weekdays, rule.count, rule.until) == (
        "weekly",
        2,
        [1],
        5,
        None,
    )


def test_monthly_recurrence_uses_the_nth_weekday_until_a_date(app, room):
    with app.test_request_context():
        form = _form(room, repeat="monthly", nth="-1", ends="until", until="2030-12-31")
        rule = recurrence(form)
        none = recurrence(_form(room, repeat="none"))
    assert (rule.freq, rule.weekdays, rule.nth, rule.until) == (
        "monthly",
        [1],
        -1,
        date(2030, 12, 31),
    )
    assert none is None


def test_a_made_up_weekday_of_the_month_is_shown_next_to_it(login, booker, room):
    response = login(booker).post(
        URL, data=_weekly(repeat="monthly", nth="9", preview="Preview the dates")
    )
    assert response.status_code == 422
    assert error_of(text(response), "nth")


def test_a_closure_in_the_series_is_named_in_the_preview(login, booker, room, site):
    db.session.add(
        Closure(
            site_id=site.id,
            start_at=local("2027-10-26 00:00"),
            end_at=local("2027-10-27 00:00"),
            label="Fermeture pour travaux",
        )
    )
    db.session.commit()
    response = login(booker).post(URL, data=_weekly(preview="Preview the dates"))
    page = text(response)
    assert page.count("Not possible:") == 1
    assert "Fermeture pour travaux" in page
    assert 'class="slot-closed"' in page


def test_the_form_values_preview_across_the_2026_clock_change_at_18_00(
    app, booker, association, room
):
    """The same conversion the page uses, with a fixed `now`: Tuesdays 20 and 27 October
    and 3 November 2026 (clocks go back on Sunday 25 October) all start at 18:00 local."""
    with app.test_request_context():
        form = _form(
            room,
            date="2026-10-20",
            title="Chorale",
            attendees="6",
            visibility="private",
            repeat="weekly",
            ends="count",
            count="3",
        )
        assert form.validate(), form.errors
        req = booking_request(form, room, association)
        occurrences = preview_series(
            booker, req, recurrence(form), now=datetime(2026, 9, 1, tzinfo=UTC)
        )
    assert [o.problem for o in occurrences] == [None, None, None]
    assert [to_local(o.start_at).strftime("%Y-%m-%d %H:%M") for o in occurrences] == [
        "2026-10-20 18:00",
        "2026-10-27 18:00",
        "2026-11-03 18:00",
    ]
    assert [o.start_at.astimezone(UTC).hour for o in occurrences] == [16, 17, 17]

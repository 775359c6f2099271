"""A series is one entry of the queue: decided at once, or date by date; one email."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.bookings.models import BookingSeries, BookingState
from booking.extensions import db
from tests.approvals.conftest import at
from tests.notifications.helpers import by_recipient, calendar, emails, text_part

WEEK = timedelta(days=7)


@pytest.fixture
def series(desk, request_for):
    series = BookingSeries(
        resource=desk.room_a,
        association=desk.association,
        requester_id=desk.member.id,
        rule="FREQ=WEEKLY;COUNT=3",
        first_start_local=at(10, 18).replace(tzinfo=None),
        duration_minutes=120,
        title="Répétitions",
    )
    db.session.add(series)
    db.session.flush()
    for week in range(3):
        request_for(start=at(10, 18) + week * WEEK, title="Répétitions", series_id=series.id)
    db.session.commit()
    return series


def test_a_series_is_one_entry_with_one_form_and_a_checkbox_per_date(desk, series, login):
    html = login(desk.manager_a).get("/approvals/").text
    assert html.count('class="desk-request') == 1
    assert "série de 3 dates" in html
    assert "1 demande, 3 dates, les plus anciennes d’abord." in html
    assert html.count(f'name="series-{series.id}-dates"') == 3
    assert html.count("<form") - html.count('class="search') <= 3  # one form, not one per date
    assert html.count(f'name="series-refuse-{series.id}-reason"') == 1
    assert 'class="desk-date"' not in html


def test_only_the_ticked_dates_of_a_series_are_approved(desk, series, login):
    first, second, third = sorted(series.bookings, key=lambda b: b.start_at)
    login(desk.manager_a).post(
        f"/approvals/series/{series.id}/approve",
        data={
            f"series-{series.id}-dates-shown": "1",
            f"series-{series.id}-dates": [str(first.id), str(third.id)],
        },
    )
    db.session.expire_all()
    assert [b.state for b in (first, second, third)] == [
        BookingState.APPROVED,
        BookingState.PENDING,
        BookingState.APPROVED,
    ]


def test_refusing_ticked_dates_keeps_the_others_waiting(desk, series, login):
    first, second, third = sorted(series.bookings, key=lambda b: b.start_at)
    login(desk.manager_a).post(
        f"/approvals/series/{series.id}/refuse",
        data={
            f"series-{series.id}-dates-shown": "1",
            f"series-{series.id}-dates": [str(second.id)],
            f"series-refuse-{series.id}-reason": "rules",
        },
    )
    db.session.expire_all()
    assert [b.state for b in (first, second, third)] == [
        BookingState.PENDING,
        BookingState.REFUSED,
        BookingState.PENDING,
    ]


def test_a_decision_with_no_date_ticked_changes_nothing(desk, series, login):
    client = login(desk.manager_a)
    response = client.post(
        f"/approvals/series/{series.id}/refuse",
        data={f"series-{series.id}-dates-shown": "1", f"series-refuse-{series.id}-reason": "rules"},
    )
    assert response.status_code == 400
    assert "Cochez au moins une date" in response.text
    assert f'name="series-{series.id}-dates" value="' in response.text
    assert (
        " checked>"
        not in response.text.split(f'id="series-{series.id}"')[1].split("</fieldset>")[0]
    )
    client.post(
        f"/approvals/series/{series.id}/approve", data={f"series-{series.id}-dates-shown": "1"}
    )
    db.session.expire_all()
    assert all(b.state is BookingState.PENDING for b in series.bookings)


def test_approving_the_whole_series_sends_one_email_with_every_date(desk, series, login):
    response = login(desk.manager_a).post(
        f"/approvals/series/{series.id}/approve", follow_redirects=True
    )
    assert "3 dates de la série acceptées" in response.text
    db.session.expire_all()
    assert all(b.state is BookingState.APPROVED for b in series.bookings)
    assert len(emails("approved")) == 2  # the requester and the contact address
    message = by_recipient("approved")["membre@example.org"]
    assert len(calendar(message).walk("VEVENT")) == 3


def test_an_occurrence_that_overlaps_stays_waiting_when_the_series_is_approved(
    desk, series, request_for, login
):
    request_for(start=at(17, 19), title="Déjà là", association=desk.rival, state="approved")
    db.session.commit()
    response = login(desk.manager_a).post(
        f"/approvals/series/{series.id}/approve", follow_redirects=True
    )
    assert "2 dates de la série acceptées" in response.text
    assert "1 date chevauche une réservation" in response.text
    db.session.expire_all()
    states = [b.state for b in series.bookings]
    assert states == [BookingState.APPROVED, BookingState.PENDING, BookingState.APPROVED]


def test_refusing_the_whole_series_needs_a_reason_and_sends_one_email(desk, series, login):
    client = login(desk.manager_a)
    response = client.post(f"/approvals/series/{series.id}/refuse", data={})
    assert response.status_code == 400
    assert f'id="series-refuse-{series.id}-reason-error"' in response.text
    response = client.post(
        f"/approvals/series/{series.id}/refuse",
        data={f"series-refuse-{series.id}-reason": "rules"},
        follow_redirects=True,
    )
    assert "3 dates de la série refusées" in response.text
    db.session.expire_all()
    assert all(b.state is BookingState.REFUSED for b in series.bookings)
    message = by_recipient("refused")["membre@example.org"]
    assert len(emails("refused")) == 2
    assert "pour les dates ci-dessous" in text_part(message)


def test_one_date_of_a_series_can_be_decided_alone(desk, series, login):
    second = series.bookings[1]
    login(desk.manager_a).post(
        f"/approvals/{second.id}/refuse", data={f"refuse-{second.id}-reason": "unavailable"}
    )
    db.session.expire_all()
    assert [b.state for b in series.bookings] == [
        BookingState.PENDING,
        BookingState.REFUSED,
        BookingState.PENDING,
    ]


@pytest.mark.parametrize("action", ["approve", "refuse"])
def test_only_the_rooms_managers_decide_on_a_series(desk, series, login, action):
    for user in (desk.manager_b, desk.member):
        response = login(user).post(
            f"/approvals/series/{series.id}/{action}",
            data={f"series-refuse-{series.id}-reason": "rules"},
        )
        assert response.status_code == 403
    db.session.expire_all()
    assert all(b.state is BookingState.PENDING for b in series.bookings)

"""Deciding on a request that someone else decided meanwhile says what happened.

Before: refusing a request approved (or cancelled) meanwhile answered 400 with the
queue, where the request and its error no longer appear; approving one explained it
as "cannot be changed any more (it is cancelled)"; deciding a whole series with no
date left, or clearing a blocked period with nothing left, announced "0 dates".
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.approvals.services import block_period
from booking.bookings.models import BookingSeries, BookingState
from booking.extensions import db
from tests.approvals.conftest import at


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("approved", "Cette demande a déjà été acceptée."),
        ("cancelled", "Cette réservation a déjà été annulée."),
        ("refused", "Cette demande a déjà été refusée."),
        ("expired", "Cette demande a expiré"),
    ],
)
def test_refusing_a_request_decided_meanwhile_says_so(desk, request_for, login, state, message):
    booking = request_for(state=state)
    db.session.commit()
    client = login(desk.manager_a)
    response = client.post(
        f"/approvals/{booking.id}/refuse", data={f"refuse-{booking.id}-reason": "unavailable"}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "La demande n’a pas pu être refusée" in page
    assert message in page
    db.session.expire_all()
    assert booking.state == state


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("approved", "Cette demande a déjà été acceptée."),
        ("cancelled", "Cette réservation a déjà été annulée."),
        ("refused", "Cette demande a déjà été refusée."),
    ],
)
def test_approving_a_request_decided_meanwhile_says_so(desk, request_for, login, state, message):
    booking = request_for(state=state)
    db.session.commit()
    response = login(desk.manager_a).post(f"/approvals/{booking.id}/approve", follow_redirects=True)
    assert "La demande n’a pas pu être acceptée" in response.text
    assert message in response.text
    db.session.expire_all()
    assert booking.state == state


@pytest.fixture
def decided_series(desk, request_for):
    series = BookingSeries(
        resource=desk.room_a,
        association=desk.association,
        requester_id=desk.member.id,
        rule="FREQ=WEEKLY;COUNT=2",
        first_start_local=at(10, 18).replace(tzinfo=None),
        duration_minutes=120,
        title="Répétitions",
    )
    db.session.add(series)
    db.session.flush()
    for week in range(2):
        request_for(
            start=at(10, 18) + week * timedelta(days=7),
            title="Répétitions",
            series_id=series.id,
            state="cancelled",
        )
    db.session.commit()
    return series


@pytest.mark.parametrize("action", ["approve", "refuse"])
def test_deciding_a_series_with_no_date_left_says_so(desk, decided_series, login, action):
    sid = decided_series.id
    response = login(desk.manager_a).post(
        f"/approvals/series/{sid}/{action}",
        data={f"series-refuse-{sid}-reason": "rules"},
    )
    assert response.status_code == 303
    page = login(desk.manager_a).get(response.headers["Location"]).text
    assert "Plus aucune date de cette série n’attend de décision." in page
    assert "0 date" not in page
    db.session.expire_all()
    assert all(b.state is BookingState.CANCELLED for b in decided_series.bookings)


def test_clearing_a_blocked_period_with_nothing_left_says_so(desk, request_for, login):
    request_for(title="Répétition", state="cancelled")
    closure = block_period(desk.manager_a, desk.room_a, at(10, 8), at(11, 22), "Travaux")
    db.session.commit()
    client = login(desk.manager_a)
    response = client.post(
        f"/approvals/closures/{closure.id}/cancel-bookings", data={"reason": "Dégât des eaux"}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "Il ne reste aucune réservation à annuler sur cette période." in page
    assert "0 réservation" not in page

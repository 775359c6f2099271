"""A deadlock or a serialization failure: the request runs again, then answers "try again"."""

from __future__ import annotations

from datetime import datetime

import psycopg.errors
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

import booking.cli as cli
import booking.reservations.views as reservation_views
from booking.audit import AuditEvent
from booking.bookings.models import Booking, BookingState
from booking.core import retry
from booking.extensions import db
from booking.timeutil import to_utc
from tests import factories


def transient(kind: type[psycopg.Error] = psycopg.errors.DeadlockDetected) -> OperationalError:
    return OperationalError("UPDATE booking SET state = ...", {}, kind("deadlock detected"))


@pytest.fixture
def scene(db, monkeypatch):
    monkeypatch.setattr(retry, "FIRST_PAUSE", 0.001)
    association = factories.make_association()
    member = factories.make_member(association, locale="fr")
    room = factories.make_resource(horizon_days=3650)
    booking = factories.make_booking(
        room,
        to_utc(datetime(2030, 3, 5, 14)),
        to_utc(datetime(2030, 3, 5, 16)),
        association=association,
        requester_id=member.id,
    )
    db.session.commit()
    return member, booking


def flaky_cancel(monkeypatch, failures: int, kind=psycopg.errors.DeadlockDetected) -> list[int]:
    """Make the cancel page's service fail `failures` times before it works."""
    calls: list[int] = []
    real = reservation_views.cancel

    def cancel(*args, **kwargs):
        calls.append(1)
        if len(calls) <= failures:
            raise transient(kind)
        return real(*args, **kwargs)

    monkeypatch.setattr(reservation_views, "cancel", cancel)
    return calls


def cancel_events(booking_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_id == booking_id, AuditEvent.action == "cancelled"
            )
        )
    )


@pytest.mark.parametrize(
    "kind", [psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure]
)
def test_a_transient_failure_runs_the_request_again_and_it_goes_through_once(
    login, scene, monkeypatch, kind
):
    member, booking = scene
    calls = flaky_cancel(monkeypatch, failures=2, kind=kind)
    response = login(member).post(
        f"/reservations/{booking.id}/cancel", data={"scope": "one", "reason": ""}
    )
    assert response.status_code == 302
    assert len(calls) == 3
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).state is BookingState.CANCELLED
    assert len(cancel_events(booking.id)) == 1


def test_a_failure_that_persists_answers_503_try_again_with_retry_after(
    app, login, scene, monkeypatch
):
    member, booking = scene
    calls = flaky_cancel(monkeypatch, failures=100)
    response = login(member).post(
        f"/reservations/{booking.id}/cancel",
        data={"scope": "one", "reason": ""},
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(retry.RETRY_AFTER)
    page = response.get_data(as_text=True)
    assert "Veuillez réessayer" in page
    assert "été enregistré : réessayez dans un instant" in page
    assert len(calls) == app.config["TRANSACTION_ATTEMPTS"]
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).state is BookingState.APPROVED
    assert cancel_events(booking.id) == []


def test_json_clients_get_a_problem_document(login, scene, monkeypatch):
    member, booking = scene
    flaky_cancel(monkeypatch, failures=100)
    response = login(member).post(
        f"/reservations/{booking.id}/cancel",
        data={"scope": "one", "reason": ""},
        headers={"Accept": "application/json", "Accept-Language": "en"},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.get_json()["status"] == 503
    assert response.get_json()["title"] == "Veuillez réessayer"  # the member reads French


def test_other_database_errors_are_not_run_again(login, scene, monkeypatch):
    member, booking = scene
    calls = flaky_cancel(monkeypatch, failures=1, kind=psycopg.errors.AdminShutdown)
    with pytest.raises(OperationalError):  # the tests propagate unexpected errors
        login(member).post(
            f"/reservations/{booking.id}/cancel", data={"scope": "one", "reason": ""}
        )
    assert len(calls) == 1


def test_the_periodic_commands_run_their_transaction_again_too(app, db, monkeypatch):
    monkeypatch.setattr(retry, "FIRST_PAUSE", 0.001)
    calls: list[int] = []
    real = cli.expire_pending

    def expire_pending():
        calls.append(1)
        if len(calls) == 1:
            raise transient(psycopg.errors.SerializationFailure)
        return real()

    monkeypatch.setattr(cli, "expire_pending", expire_pending)
    result = app.test_cli_runner().invoke(args=["expire-pending"])
    assert result.exit_code == 0, result.output
    assert "Requests expired: 0" in result.output
    assert len(calls) == 2

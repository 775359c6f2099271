"""Release needs no operator: a request served runs it; cron installations use the CLI."""

from __future__ import annotations

from datetime import timedelta

from werkzeug.test import Client

from booking import create_app
from booking.bookings.checkin import periodic_jobs
from booking.bookings.models import Booking, BookingState
from booking.db import utcnow
from booking.extensions import db
from config import TestConfig
from tests import factories


def _no_show(minutes_ago: int = 20) -> Booking:
    room = factories.make_resource(name="Salle Nobody", checkin_required=True)
    start = utcnow() - timedelta(minutes=minutes_ago)
    booking = factories.make_booking(room, start, start + timedelta(hours=2))
    db.session.commit()
    return booking


def _state(booking_id: int) -> BookingState:
    db.session.expire_all()
    state = db.session.get(Booking, booking_id).state
    db.session.rollback()  # no transaction (SQLite's write lock) left open for the worker
    return state


def test_a_no_show_is_released_with_no_cron_by_a_request_served(database_url, db):
    booking = _no_show()
    config = type(
        "_Config",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "PERIODIC_JOBS_ENABLED": True},
    )
    worker = create_app(config)
    try:
        assert _state(booking.id) == BookingState.APPROVED
        with worker.app_context():
            Client(worker).get("/healthz").close()  # the job runs once the response is sent
            db.session.remove()
        assert _state(booking.id) == BookingState.RELEASED
    finally:
        with worker.app_context():
            db.engine.dispose()


def test_without_periodic_jobs_nothing_is_released_by_requests(client, db):
    booking = _no_show()
    client.get("/healthz")
    assert _state(booking.id) == BookingState.APPROVED


def test_the_release_job_runs_every_minute_unless_left_to_cron(app):
    assert [(job.name, job.interval) for job in periodic_jobs(app)] == [
        ("release-no-shows", timedelta(seconds=60))
    ]
    app.config["CHECKIN_RELEASE_SECONDS"] = 0
    try:
        assert periodic_jobs(app) == []
    finally:
        app.config["CHECKIN_RELEASE_SECONDS"] = 60


def test_the_cli_releases_the_no_shows(app, db):
    booking = _no_show()
    early = _no_show(minutes_ago=5)  # still within its 15 minutes of grace
    result = app.test_cli_runner().invoke(args=["release-no-shows"])
    assert result.exit_code == 0, result.output
    assert "Bookings released: 1" in result.output
    assert _state(booking.id) == BookingState.RELEASED
    assert _state(early.id) == BookingState.APPROVED

"""The check-in reminder needs no operator (a request served sends it), cron installations
use the CLI, and two runs at once send each reminder once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.test import Client

from booking import create_app
from booking.bookings.models import Booking
from booking.db import utcnow
from booking.extensions import db
from booking.notifications.reminders import send_checkin_reminders
from booking.outbox import OutboxMessage
from config import TestConfig
from tests import factories
from tests.bookings.concurrency import race, rounds


def _due_soon(minutes_to_start: int = 10, start: datetime | None = None) -> Booking:
    """An approved booking of a room requiring check-in; its window opens 15 min before."""
    room = factories.make_resource(checkin_required=True)
    association = factories.make_association()
    member = factories.make_member(association)
    start = start or utcnow() + timedelta(minutes=minutes_to_start)
    booking = factories.make_booking(
        room, start, start + timedelta(hours=1), association=association, requester=member
    )
    db.session.commit()
    return booking


def _reminded_at(booking_id: int) -> datetime | None:
    db.session.expire_all()
    sent = db.session.get(Booking, booking_id).checkin_reminder_sent_at
    db.session.rollback()  # no transaction (SQLite's write lock) left open for the worker
    return sent


def _reminders() -> int:
    count = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.kind == "checkin_reminder")
    )
    db.session.rollback()
    return count


def test_a_request_served_sends_the_reminder_with_no_cron(database_url, db, tmp_path):
    booking = _due_soon()
    later = _due_soon(minutes_to_start=60)  # its window opens in 45 minutes
    config = type(
        "_Config",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PERIODIC_JOBS_ENABLED": True,
            "MAIL_SEND_AFTER_REQUEST": True,
            "MAIL_OUTBOX_DIR": str(tmp_path),
        },
    )
    worker = create_app(config)
    try:
        assert _reminded_at(booking.id) is None
        with worker.app_context():
            Client(worker).get("/healthz").close()  # the jobs run once the response is sent
            db.session.remove()
        assert _reminded_at(booking.id) is not None
        assert _reminded_at(later.id) is None
        assert _reminders() == 1
        (eml,) = tmp_path.glob("*.eml")  # sent at once, not left for the next send-mail
        assert f"/reservations/{booking.id}/check-in" in eml.read_text()
    finally:
        with worker.app_context():
            db.engine.dispose()


def test_without_periodic_jobs_requests_send_no_reminder(client, db):
    booking = _due_soon()
    client.get("/healthz")
    assert _reminded_at(booking.id) is None


def test_the_cli_sends_the_due_reminders_once(app, db, tmp_path):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path)
    booking = _due_soon()
    later = _due_soon(minutes_to_start=60)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-checkin-reminders"])
    assert result.exit_code == 0, result.output
    assert "Check-in reminders queued: 1" in result.output
    assert "Emails sent: 1" in result.output
    (eml,) = tmp_path.glob("*.eml")
    assert f"/reservations/{booking.id}/check-in" in eml.read_text()
    assert _reminded_at(booking.id) is not None
    assert _reminded_at(later.id) is None
    again = runner.invoke(args=["send-checkin-reminders"])
    assert "Check-in reminders queued: 0" in again.output


@pytest.mark.slow
def test_two_runs_at_once_send_each_reminder_once(app, db):
    start = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    opens = start - timedelta(minutes=15)
    for _ in rounds():
        booking_id = _due_soon(start=start).id
        before = _reminders()
        sent: list[int] = []

        def remind(sent: list[int] = sent) -> None:
            sent.append(send_checkin_reminders(opens))

        assert race(app, remind, remind) == ["ok", "ok"]
        assert sorted(sent) == [0, 1]
        assert _reminders() == before + 1
        assert _reminded_at(booking_id) == opens

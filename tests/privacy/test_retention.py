"""The retention purge, with the clock moved: anonymise what is old, keep what is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from werkzeug.test import Client

from booking import create_app
from booking.audit import AuditEvent
from booking.auth.models import User
from booking.bookings.models import Booking, Comment
from booking.extensions import db
from booking.outbox import OutboxMessage
from booking.privacy.retention import RetentionPolicy, purge
from config import TestConfig
from tests import factories

POLICY = RetentionPolicy(personal_months=24, outbox_days=30, unconfirmed_days=30)
BOOKING_END = datetime(2030, 3, 5, 15, tzinfo=UTC)


def _age_trail(trail, moment: datetime) -> None:
    trail.comment.created_at = moment
    for event in db.session.scalars(select(AuditEvent)):
        event.created_at = moment
    db.session.commit()


def test_nothing_is_anonymised_before_the_retention_period(trail):
    _age_trail(trail, BOOKING_END)
    report = purge(BOOKING_END + timedelta(days=700), POLICY)
    assert report.bookings == report.comments == report.audit_events == 0
    assert db.session.get(Booking, trail.booking.id).requester_id == trail.person.id


def test_after_the_retention_period_past_bookings_comments_and_events_are_anonymised(trail):
    _age_trail(trail, BOOKING_END)
    later = BOOKING_END + timedelta(days=24 * 31 + 1)
    report = purge(later, POLICY)
    db.session.commit()
    db.session.expire_all()
    booking = db.session.get(Booking, trail.booking.id)
    assert (booking.requester_id, booking.decided_by_id) == (None, None)
    assert booking.title == "Atelier réparation"
    comment = db.session.get(Comment, trail.comment.id)
    assert (comment.author_id, comment.body) == (None, "")
    assert db.session.scalars(select(AuditEvent.actor_id)).all() == [None, None]
    assert (report.bookings, report.comments, report.audit_events) == (1, 1, 2)
    assert db.session.get(User, trail.person.id) is not None  # the account itself stays


def test_the_purge_is_idempotent(trail):
    _age_trail(trail, BOOKING_END)
    later = BOOKING_END + timedelta(days=800)
    purge(later, POLICY)
    db.session.commit()
    again = purge(later, POLICY)
    assert again.as_dict() == dict.fromkeys(again.as_dict(), 0)


def test_sent_emails_leave_the_outbox_after_their_days(trail):
    now = datetime(2030, 6, 1, tzinfo=UTC)
    trail.email.sent_at = now - timedelta(days=31)
    trail.other_email.sent_at = now - timedelta(days=29)
    db.session.commit()
    report = purge(now, POLICY)
    db.session.commit()
    assert report.emails == 1
    assert db.session.scalars(select(OutboxMessage.subject)).all() == ["Nouvelle demande"]


def test_unconfirmed_idle_accounts_are_deleted_but_not_active_ones(db):
    now = datetime(2030, 6, 1, tzinfo=UTC)
    old = now - timedelta(days=40)
    idle = factories.make_user(created_at=old)
    confirmed = factories.make_user(created_at=old, email_confirmed_at=old)
    recent = factories.make_user(created_at=now - timedelta(days=5))
    signed_in = factories.make_user(created_at=old, last_login_at=now - timedelta(days=2))
    booker = factories.make_member(created_at=old)
    manager = factories.make_user(created_at=old)
    factories.make_resource(managers=[manager])
    factories.make_booking(
        factories.make_resource(), now, now + timedelta(hours=1), requester=booker
    )
    db.session.commit()
    report = purge(now, POLICY)
    db.session.commit()
    left = set(db.session.scalars(select(User.id)))
    assert report.accounts == 1
    assert idle.id not in left
    assert {confirmed.id, recent.id, signed_in.id, booker.id, manager.id} <= left


def test_the_purge_command_reports_what_it_did(app, trail):
    _age_trail(trail, datetime(2000, 1, 1, tzinfo=UTC))
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "comments=1" in result.output


def _worker(database_url: str):
    """Another application, as a second gunicorn worker would be, with periodic jobs on."""
    config = type(
        "_Config",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "PERIODIC_JOBS_ENABLED": True},
    )
    return create_app(config)


def _serve_one_request(worker) -> None:
    with worker.app_context():
        Client(worker).get("/healthz").close()  # the job runs once the response is sent
        db.session.remove()


def test_the_purge_runs_by_itself_from_requests_without_any_cron(database_url, trail):
    """No operator set-up: a request served is enough for the daily purge to run, and a
    second worker does not run it again within the day."""
    _age_trail(trail, datetime(2000, 1, 1, tzinfo=UTC))
    first, second = _worker(database_url), _worker(database_url)
    try:
        _serve_one_request(first)
        db.session.expire_all()
        comment = db.session.get(Comment, trail.comment.id)
        assert comment.body == ""
        comment.body = "nouveau"
        db.session.commit()
        _serve_one_request(second)
        db.session.expire_all()
        assert db.session.get(Comment, trail.comment.id).body == "nouveau"
    finally:
        for worker in (first, second):
            with worker.app_context():
                db.engine.dispose()

"""Delivering the outbox: files in development, SMTP for real, retries with backoff."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from booking import create_app
from booking.bookings import events
from booking.extensions import db
from booking.notifications.sending import (
    BACKOFF_MAX_SECONDS,
    FileTransport,
    SMTPTransport,
    backoff,
    send_due,
)
from booking.outbox import OutboxMessage, enqueue
from config import TestConfig
from tests.notifications.conftest import NOW
from tests.notifications.helpers import outbox, text_part, to_address


class FailingTransport:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.delivered: list[str] = []

    def send(self, message, recipients, ident) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("SMTP server unreachable")
        self.delivered.extend(recipients)


def _approve(scene, pending) -> None:
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    for row in outbox():
        row.next_attempt_at = NOW  # written "now" on the tests' fixed clock
    db.session.commit()


def test_backoff_doubles_from_one_minute_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(50) == timedelta(seconds=BACKOFF_MAX_SECONDS)


def test_a_failed_send_is_retried_with_backoff_then_delivered(scene, pending):
    _approve(scene, pending)
    transport = FailingTransport(failures=3)

    report = send_due(now=NOW, transport=transport)
    assert (report.sent, report.failed) == (0, 2)
    rows = outbox()
    assert all(r.sent_at is None and r.attempts == 1 for r in rows)
    assert all(r.next_attempt_at == NOW + timedelta(minutes=1) for r in rows)
    assert "SMTP server unreachable" in rows[0].last_error

    # Not due yet: nothing is tried.
    assert send_due(now=NOW + timedelta(seconds=59), transport=transport).failed == 0

    later = NOW + timedelta(minutes=1)
    report = send_due(now=later, transport=transport)
    assert (report.sent, report.failed) == (1, 1)  # the third failure, then a success
    failed = next(r for r in outbox() if r.sent_at is None)
    assert failed.attempts == 2
    assert failed.next_attempt_at == later + timedelta(minutes=2)

    report = send_due(now=later + timedelta(minutes=2), transport=transport)
    assert report.sent == 1
    assert all(r.sent_at is not None and r.last_error is None for r in outbox())
    assert sorted(transport.delivered) == ["contact@velo.example.org", "requester@example.org"]
    # Sent messages are never sent again.
    assert send_due(now=later + timedelta(days=1), transport=transport).sent == 0


def test_a_rolled_back_change_sends_nothing(scene, pending):
    db.session.commit()
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    db.session.rollback()
    transport = FailingTransport(failures=0)
    assert send_due(now=NOW, transport=transport).sent == 0
    assert transport.delivered == []


def test_without_a_mail_server_emails_become_readable_eml_files(app, scene, pending, tmp_path):
    _approve(scene, pending)
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path)
    report = send_due(now=NOW)
    assert report.sent == 2
    files = sorted(Path(tmp_path).glob("*.eml"))
    assert len(files) == 2
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    requester = next(m for m in parsed if "requester@example.org" in m["To"])
    assert requester["Subject"].startswith("Réservation acceptée")
    assert "votre réservation est acceptée" in text_part(requester)


def test_file_transport_logs_where_it_wrote(tmp_path, caplog, scene, pending):
    _approve(scene, pending)
    caplog.set_level("INFO", logger="booking.notifications.sending")
    send_due(now=NOW, transport=FileTransport(tmp_path / "mails"))
    assert "written to" in caplog.text
    assert str(tmp_path / "mails") in caplog.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collect:
    """An aiosmtpd handler keeping each envelope and its parsed message."""

    def __init__(self) -> None:
        self.received: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


@pytest.mark.slow
def test_emails_go_through_a_real_smtp_server(app, scene, pending, smtp_server):
    controller, handler = smtp_server
    _approve(scene, pending)
    config = {
        **app.config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": "",
    }
    report = send_due(now=NOW, transport=SMTPTransport(config))
    assert (report.sent, report.failed) == (2, 0)
    assert sorted(rcpt for _from, rcpts, _msg in handler.received for rcpt in rcpts) == [
        "contact@velo.example.org",
        "requester@example.org",
    ]
    assert {mail_from for mail_from, _rcpts, _msg in handler.received} == {
        "no-reply@salles-ouvertes.example.org"
    }
    message = next(m for _f, rcpts, m in handler.received if rcpts == ["requester@example.org"])
    assert message["Subject"].startswith("Réservation acceptée : Salle Iroise")
    assert "votre réservation est acceptée" in text_part(message)
    assert any(p.get_content_type() == "text/calendar" for p in message.iter_attachments())
    assert all(r.sent_at == NOW for r in outbox())


class _Accounts:
    """An aiosmtpd authenticator knowing one account."""

    def __init__(self) -> None:
        self.logins: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = auth_data.login == b"salles" and auth_data.password == b"s3cret"
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_smtp_path_logs_in_with_the_configured_account(app, scene, pending):
    handler, accounts = _Collect(), _Accounts()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=accounts,
        auth_required=True,
        auth_require_tls=False,  # a test server without a certificate
    )
    controller.start()
    try:
        _approve(scene, pending)
        config = {
            **app.config,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": controller.port,
            "MAIL_USERNAME": "salles",
            "MAIL_PASSWORD": "s3cret",
        }
        report = send_due(now=NOW, transport=SMTPTransport(config))
    finally:
        controller.stop()
    assert report.sent == 2
    assert accounts.logins == ["salles", "salles"]
    assert len(handler.received) == 2


@pytest.mark.slow
def test_an_unreachable_smtp_server_is_recorded_and_retried(app, scene, pending):
    _approve(scene, pending)
    config = {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": _free_port()}
    report = send_due(now=NOW, transport=SMTPTransport(config))
    assert report.failed == 2
    assert all("ConnectionRefusedError" in r.last_error for r in outbox())
    assert all(r.next_attempt_at == NOW + timedelta(minutes=1) for r in outbox())


@pytest.fixture
def sending_app(database_url, tmp_path):
    """An app that sends after each request, with a page that writes to the outbox."""

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        MAIL_SEND_AFTER_REQUEST = True
        MAIL_OUTBOX_DIR = str(tmp_path / "outbox")

    application = create_app(_Config)

    @application.post("/_test/write-email/<int:fail>")
    def write_email(fail: int) -> str:
        message = EmailMessage()
        message["To"] = "someone@example.org"
        message["Subject"] = "Bonjour"
        message.set_content("Un message.")
        enqueue(message)
        db.session.commit()
        if fail:
            application.config["MAIL_SERVER"] = "127.0.0.1"
            application.config["MAIL_PORT"] = _free_port()
        return "written"

    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_outbox_is_sent_after_the_response_of_the_request_that_wrote_it(sending_app, db):
    response = sending_app.test_client().post("/_test/write-email/0")
    assert response.text == "written"
    response.close()  # the server closes the response once it is sent
    files = list(Path(sending_app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    assert len(files) == 1
    db.session.expire_all()
    assert outbox()[0].sent_at is not None


def test_a_failing_send_after_the_response_never_breaks_the_page(sending_app, db):
    response = sending_app.test_client().post("/_test/write-email/1")
    assert response.status_code == 200
    response.close()
    db.session.expire_all()
    (row,) = outbox()
    assert row.sent_at is None
    assert row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error


def test_requests_that_write_no_email_send_nothing(sending_app, db, scene, pending):
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    db.session.commit()
    response = sending_app.test_client().get("/")
    response.close()
    db.session.expire_all()
    assert all(r.sent_at is None for r in outbox())


def test_a_message_another_sender_holds_is_skipped_not_sent_twice(scene, pending):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes writers instead")
    _approve(scene, pending)
    held, free = outbox()
    transport = FailingTransport(failures=0)
    with db.engine.connect() as other_sender:
        other_sender.execute(
            select(OutboxMessage.id).where(OutboxMessage.id == held.id).with_for_update()
        )
        report = send_due(now=NOW, transport=transport)
        other_sender.rollback()
    assert report.sent == 1
    assert transport.delivered == [to_address(free.message())]
    db.session.expire_all()
    assert held.sent_at is None
    assert free.sent_at == NOW

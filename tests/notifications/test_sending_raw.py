"""The sender sends the stored message as it is: no parsing, no writing it again."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from booking.extensions import db
from booking.notifications.sending import (
    Claim,
    FileTransport,
    SMTPTransport,
    envelope_recipients,
    send_due,
)
from booking.outbox import OutboxMessage, enqueue
from tests.notifications.conftest import NOW
from tests.notifications.helpers import outbox


def _write(to: str = "camille@example.org", cc: str | None = None, body: str = "Bonjour.\n"):
    message = EmailMessage()
    message["Subject"] = "Réservation acceptée : Salle Iroise"
    message["From"] = "Salles Ouvertes <no-reply@salles-ouvertes.example.org>"
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message.set_content(body)
    row = enqueue(message)
    row.next_attempt_at = NOW
    db.session.commit()
    return row


def _claim(row) -> Claim:
    return Claim(row.id, row.attempts, row.kind, row.raw, row.recipients, row.subject)


def test_the_envelope_names_every_to_and_cc_address_even_with_commas_in_names(db):
    row = _write(to='"Dupont, Jean" <jean@example.org>', cc="Mona <mona@example.org>")
    assert envelope_recipients(_claim(row)) == ["jean@example.org", "mona@example.org"]


def test_a_message_without_to_goes_to_the_stored_recipients(db):
    claim = Claim(1, 1, "generic", "Subject: x\n\nBody\n", "a@example.org,b@example.org", "x")
    assert envelope_recipients(claim) == ["a@example.org", "b@example.org"]


def test_sending_a_stored_message_parses_no_body(db, tmp_path, monkeypatch):
    row = _write()

    def parsed(_claim):
        raise AssertionError("the whole message was parsed")

    monkeypatch.setattr(Claim, "message", parsed)
    report = send_due(now=NOW, transport=FileTransport(tmp_path))
    assert (report.sent, report.failed) == (1, 0)
    [written] = tmp_path.glob("*.eml")
    assert written.read_bytes() == row.raw.encode()


def test_a_stored_message_with_8bit_text_is_still_written_whole(db, tmp_path):
    # `enqueue` writes ASCII (8bit text is turned into base64); a row written otherwise
    # (by hand, by an older version) is written as it is too.
    raw = (
        "Subject: Accents\nTo: camille@example.org\nMIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n'
        "Réunion à 18 h.\n"
    )
    db.session.add(
        OutboxMessage(
            recipients="camille@example.org", subject="Accents", raw=raw, next_attempt_at=NOW
        )
    )
    db.session.commit()
    assert send_due(now=NOW, transport=FileTransport(tmp_path)).sent == 1
    [written] = tmp_path.glob("*.eml")
    parsed = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert parsed.get_content() == "Réunion à 18 h.\n"


class _Keep:
    """An aiosmtpd handler keeping each envelope as it came."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_the_smtp_server_receives_the_stored_message_byte_for_byte(app, db):
    row = _write(to='"Dupont, Jean" <jean@example.org>', body="Bonjour,\n.\nUne ligne.\n")
    handler = _Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        config = {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port}
        report = send_due(now=NOW, transport=SMTPTransport(config))
    finally:
        controller.stop()
    assert (report.sent, report.failed) == (1, 0)
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == ["jean@example.org"]
    assert envelope.mail_from == "no-reply@salles-ouvertes.example.org"
    # Lines end in CRLF on the wire; a line holding only "." came back whole.
    assert envelope.original_content.replace(b"\r\n", b"\n") == row.raw.encode()
    db.session.expire_all()
    assert outbox()[0].sent_at == NOW

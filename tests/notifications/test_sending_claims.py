"""Sending holds no transaction while it talks to the mail server; two senders send once."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from datetime import timedelta
from email.message import EmailMessage

import psycopg

from booking.extensions import db
from booking.notifications.sending import CLAIM_LEASE, send_due
from booking.outbox import OutboxMessage, enqueue
from tests.notifications.conftest import NOW
from tests.notifications.helpers import outbox


def _write(count: int) -> list[int]:
    ids = []
    for n in range(count):
        message = EmailMessage()
        message["To"] = f"person{n}@example.org"
        message["Subject"] = f"Message {n}"
        message.set_content("Bonjour.")
        row = enqueue(message)
        row.next_attempt_at = NOW
        db.session.flush()
        ids.append(row.id)
    db.session.commit()
    return ids


def _lock_from_elsewhere(message_id: int) -> None:
    """What a booking request (or another sender) does meanwhile: take a write lock,
    without waiting. Raises if the sender still holds one."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        finally:
            other.close()
        return
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as other:
        other.execute("SET lock_timeout = '50ms'")
        other.execute("SELECT id FROM outbox_message WHERE id = %s FOR UPDATE", (message_id,))
        other.rollback()


class _LockProbe:
    """A transport that checks, while "talking to the server", that nothing is locked."""

    def __init__(self) -> None:
        self.delivered: list[str] = []

    def send(self, message, recipients, ident) -> None:
        _lock_from_elsewhere(int(ident))
        self.delivered.extend(recipients)


def test_no_lock_is_held_while_the_mail_server_is_talked_to(db):
    _write(2)
    probe = _LockProbe()
    report = send_due(now=NOW, transport=probe)
    assert (report.sent, report.failed) == (2, 0)
    assert sorted(probe.delivered) == ["person0@example.org", "person1@example.org"]
    db.session.expire_all()
    assert all(r.sent_at == NOW and r.attempts == 1 for r in outbox())


def test_a_claimed_message_is_not_due_for_another_sender_until_its_lease_ends(db):
    (message_id,) = _write(1)
    seen: list[int] = []

    class _Meanwhile:
        def send(self, message, recipients, ident) -> None:
            # Another sender runs while this one talks to the server: nothing is due.
            seen.append(send_due(now=NOW, transport=_Fails()).failed)
            raise ConnectionRefusedError("the server went away")

    class _Fails:
        def send(self, *_args) -> None:
            raise AssertionError("sent twice")

    assert send_due(now=NOW, transport=_Meanwhile()).failed == 1
    assert seen == [0]
    db.session.expire_all()
    row = db.session.get(OutboxMessage, message_id)
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(minutes=1)


def test_a_sender_that_died_mid_send_leaves_the_message_due_after_the_lease(db, monkeypatch):
    (message_id,) = _write(1)

    class _Dies:
        def send(self, *_args) -> None:
            raise SystemExit  # not an Exception: nothing is recorded, as if killed

    with contextlib.suppress(SystemExit):
        send_due(now=NOW, transport=_Dies())
    db.session.rollback()
    delivered: list[str] = []

    class _Works:
        def send(self, message, recipients, ident) -> None:
            delivered.extend(recipients)

    assert send_due(now=NOW + CLAIM_LEASE - timedelta(seconds=1), transport=_Works()).sent == 0
    assert send_due(now=NOW + CLAIM_LEASE, transport=_Works()).sent == 1
    assert delivered == ["person0@example.org"]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).attempts == 2


def test_two_senders_at_once_deliver_each_message_exactly_once(app, db):
    ids = _write(12)
    db.session.remove()
    delivered: list[str] = []
    guard = threading.Lock()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    class _Slow:
        def send(self, message, recipients, ident) -> None:
            with guard:
                delivered.append(ident)
            threading.Event().wait(0.01)  # a server that takes its time

    def sender() -> None:
        try:
            with app.app_context():
                barrier.wait()
                send_due(now=NOW, transport=_Slow())
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(map(int, delivered)) == ids
    db.session.expire_all()
    assert all(r.sent_at == NOW and r.attempts == 1 for r in outbox())

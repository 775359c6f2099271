"""What sending one outbox message costs the process that sends it (issue 19).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/s7a_s1 \
        .venv/bin/python bench/sending_cost.py [messages]

Copies the latest `messages` (default 200) emails of a benchmark database's outbox as new
due messages, sends them with `send_due` and the file transport (into a temporary
directory), and prints the wall and CPU milliseconds and the SQL statements per message;
then deletes the copies and their files. After a booking POST, the worker that answered
does this for the request's emails (MAIL_SEND_AFTER_REQUEST).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from sqlalchemy import delete, event, select

os.environ.setdefault("APP_ENV", "production")
os.environ.setdefault("SECRET_KEY", "sending-cost-only-secret-key-sending-cost-only")

from booking import create_app
from booking.db import utcnow
from booking.extensions import db
from booking.notifications.sending import FileTransport, send_due
from booking.outbox import OutboxMessage


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 200
    app = create_app()
    with app.app_context():
        latest = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind != "webhook")
            .order_by(OutboxMessage.id.desc())
            .limit(count)
        ).all()
        if not latest:
            raise SystemExit("no email in this database's outbox: run the booking POSTs first")
        now = utcnow()
        copies = [
            OutboxMessage(
                recipients=row.recipients,
                subject=row.subject,
                kind=row.kind,
                raw=row.raw,
                next_attempt_at=now,
            )
            for row in latest
        ]
        db.session.add_all(copies)
        db.session.flush()
        ids = [row.id for row in copies]
        db.session.commit()
        db.session.expunge_all()  # the sender starts from an empty session, as after a request
        del latest, copies
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
        with tempfile.TemporaryDirectory() as directory:
            wall, cpu = time.perf_counter(), time.process_time()
            report = send_due(now=now, limit=len(ids), transport=FileTransport(directory))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        sent = max(report.sent, 1)
        print(
            f"{report.sent} sent, {report.failed} failed: {wall / sent * 1000:.2f} ms wall, "
            f"{cpu / sent * 1000:.2f} ms CPU, {len(statements) / sent:.2f} statements a message"
        )
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
        db.session.commit()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

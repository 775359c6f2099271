"""The year's statistics figures in-process, warm and after a change in one room.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/r7_s100 PYTHONPATH=. \
        .venv/bin/python bench/stats_after_change.py

On a database left by `make bench` (its statistics account and its summed rollup): times
`build_report` for 2026 (the figures, not the page) twice, then after a no-op UPDATE of one
booking in rooms 1, 2 and 3 in turn (the database raises the room's calendar version, so the
next report sums that room's year again), each followed by a report with nothing changed.
The statistics cache of the process is off.
"""

from __future__ import annotations

import time

from sqlalchemy import select, text

from booking.auth.models import User
from booking.extensions import db
from booking.stats.figures import build_report
from booking.stats.period import year_period
from booking.stats.queries import Scope
from wsgi import app

STATS_EMAIL = "bench-stats@example.org"
TOUCH = text(
    "UPDATE booking SET attendees = attendees WHERE id = (SELECT min(id) FROM booking "
    "WHERE resource_id = :room AND start_at >= '2026-06-01')"
)


def main() -> None:
    app.extensions["stats_cache"] = None
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == STATS_EMAIL))

        def report(label: str) -> None:
            started = time.perf_counter()
            figures = build_report(Scope(user), year_period(2026))
            db.session.commit()
            elapsed = (time.perf_counter() - started) * 1000
            print(f"{label}: {elapsed:.0f} ms ({figures.totals.approved} approved)")

        report("warm")
        report("warm")
        for room in (1, 2, 3):
            db.session.execute(TOUCH, {"room": room})
            db.session.commit()
            report(f"after a change in room {room}")
            report("warm again")


if __name__ == "__main__":
    main()

"""Periodic work that needs no operator: run from the requests the app already serves.

Layer 1: it knows nothing of bookings. A job is a name, an interval and a function;
`init_periodic(app, jobs)` checks, after a response is sent, whether one is due. The
check costs one clock read per request; a due job is claimed in the database with one
conditional UPDATE, so whatever the number of workers or instances only one of them runs
it per interval. Jobs must be idempotent and bounded: the same functions are the CLI's
(`flask --app wsgi purge`), which installations that prefer cron or timers keep using.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, Response
from sqlalchemy import String, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from booking.db import utcnow
from booking.extensions import db

log = logging.getLogger(__name__)


class PeriodicRun(db.Model):
    """When each periodic job last started, shared by every worker."""

    __tablename__ = "periodic_run"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime]


@dataclass(frozen=True)
class Job:
    name: str
    interval: timedelta
    run: Callable[[datetime], object]  # receives "now"; commits its own work


def claim(name: str, interval: timedelta, now: datetime | None = None) -> bool:
    """True for the one caller that may run `name` now; commits the claim."""
    now = now or utcnow()
    claimed = db.session.execute(
        update(PeriodicRun)
        .where(PeriodicRun.name == name, PeriodicRun.last_run_at <= now - interval)
        .values(last_run_at=now)
    ).rowcount
    if claimed:
        db.session.commit()
        return True
    try:
        with db.session.begin_nested():
            db.session.execute(insert(PeriodicRun).values(name=name, last_run_at=now))
    except IntegrityError:
        db.session.rollback()
        return False  # it exists and ran within the interval (or another worker just won)
    db.session.commit()
    return True


def run_due(jobs: Sequence[Job], now: datetime | None = None) -> list[str]:
    """Run every job whose interval has passed and that this caller claims; their names."""
    ran = []
    for job in jobs:
        moment = now or utcnow()
        if not claim(job.name, job.interval, moment):
            continue
        try:
            job.run(moment)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Periodic job %s failed; it will run again later", job.name)
        else:
            ran.append(job.name)
    return ran


def init_periodic(app: Flask, jobs: Sequence[Job]) -> None:
    """After responses, now and then, run the due jobs (PERIODIC_JOBS_ENABLED, on by default)."""
    if not app.config.get("PERIODIC_JOBS_ENABLED", True) or not jobs:
        return
    check_every = float(app.config.get("PERIODIC_CHECK_SECONDS", 60))
    state = {"next_check": 0.0}
    lock = threading.Lock()

    def _run_quietly() -> None:
        try:
            with app.app_context():
                try:
                    run_due(jobs)
                finally:
                    db.session.remove()
        except Exception:
            log.exception("Running the periodic jobs after a request failed")

    @app.after_request
    def _maybe_run_periodic_jobs(response: Response) -> Response:
        moment = time.monotonic()
        if moment < state["next_check"] or not lock.acquire(blocking=False):
            return response
        try:
            state["next_check"] = moment + check_every
        finally:
            lock.release()
        response.call_on_close(_run_quietly)
        return response

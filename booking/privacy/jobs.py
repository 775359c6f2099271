"""The privacy work that runs by itself: the retention purge, once a day by default."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask, current_app

from booking.periodic import Job
from booking.privacy.retention import PurgeReport, RetentionPolicy, purge


def run_purge(now: datetime) -> PurgeReport:
    """The purge with the application's retention settings (CLI and periodic job)."""
    return purge(now, RetentionPolicy.from_config(current_app.config))


def periodic_jobs(app: Flask) -> list[Job]:
    hours = int(app.config.get("PURGE_INTERVAL_HOURS", 24))
    if hours <= 0:
        return []
    return [Job("purge", timedelta(hours=hours), run_purge)]

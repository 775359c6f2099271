"""Command-line tasks: `flask --app wsgi <command>`. Each calls a service and commits."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import func, select

from booking.auth.models import User, user_by_email
from booking.benchdata import DatabaseNotEmptyError, analyze, build_workload
from booking.bookings.checkin import release_no_shows
from booking.bookings.services import expire_pending
from booking.core.retry import with_retries
from booking.db import utcnow
from booking.demo import seed_demo
from booking.extensions import db
from booking.notifications.reminders import (
    send_checkin_reminders,
    send_day_before_reminders,
    send_pending_reminders,
)
from booking.notifications.sending import send_due
from booking.ops.backup import BackupError, backup, restore
from booking.ops.checkconfig import check_config
from booking.privacy.jobs import run_purge
from booking.resources.models import Site
from booking.stats.rollup_refresh import refresh_all
from booking.timeutil import local_today


def init_commands(app: Flask) -> None:
    init_notification_commands(app)
    init_ops_commands(app)
    init_bench_commands(app)

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only when the database has no site yet.")
    def seed_demo_command(if_empty: bool) -> None:
        """Load the demonstration data (idempotent)."""
        if if_empty and db.session.scalar(select(func.count(Site.id))):
            click.echo("Database already has data; demo data not loaded.")
            return
        counts = seed_demo()
        db.session.commit()
        click.echo("Demo data ready: " + ", ".join(f"{k}={v}" for k, v in counts.items()))

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Administrateur", help="Display name.")
    @click.password_option()
    def create_admin(email: str, name: str, password: str) -> None:
        """Create an administrator account, or make an existing account administrator."""
        user = user_by_email(email)
        if user is None:
            user = User(email=email.strip().lower(), display_name=name, is_admin=True)
            db.session.add(user)
        user.is_admin = True
        user.set_password(password)
        db.session.commit()
        click.echo(f"{user.email} is an administrator.")


# --- Notifications and approvals: sending the outbox, reminders, expiry ------------------


def init_notification_commands(app: Flask) -> None:
    @app.cli.command("send-mail")
    @click.option("--limit", default=500, show_default=True, help="At most this many messages.")
    def send_mail_command(limit: int) -> None:
        """Send the emails waiting in the outbox (failures are retried later, with backoff)."""
        report = send_due(limit=limit)
        click.echo(f"Emails sent: {report.sent}, failed (will retry): {report.failed}")

    @app.cli.command("send-reminders")
    def send_reminders_command() -> None:
        """Day-before reminders to requesters; reminders of long-pending requests to managers."""

        def remind() -> tuple[int, int]:
            counts = send_day_before_reminders(), send_pending_reminders()
            db.session.commit()
            return counts

        day_before, pending = with_retries(remind, app.config["TRANSACTION_ATTEMPTS"])
        click.echo(f"Reminders queued: {day_before} bookings tomorrow, {pending} pending requests")
        report = send_due()
        click.echo(f"Emails sent: {report.sent}, failed (will retry): {report.failed}")

    @app.cli.command("send-checkin-reminders")
    def send_checkin_reminders_command() -> None:
        """Day-of reminders to check in, as each booking's check-in window opens (once)."""

        def remind() -> int:
            count = send_checkin_reminders(utcnow())
            db.session.commit()
            return count

        count = with_retries(remind, app.config["TRANSACTION_ATTEMPTS"])
        click.echo(f"Check-in reminders queued: {count}")
        report = send_due()
        click.echo(f"Emails sent: {report.sent}, failed (will retry): {report.failed}")

    @app.cli.command("expire-pending")
    def expire_pending_command() -> None:
        """Mark as expired the requests still undecided when their start time has come."""

        def expire() -> list:
            expired = expire_pending()
            db.session.commit()
            return expired

        expired = with_retries(expire, app.config["TRANSACTION_ATTEMPTS"])
        click.echo(f"Requests expired: {len(expired)}")

    @app.cli.command("release-no-shows")
    def release_no_shows_command() -> None:
        """Release the approved bookings nobody checked in for by their start + grace."""

        def release() -> int:
            count = release_no_shows(utcnow())
            db.session.commit()
            return count

        count = with_retries(release, app.config["TRANSACTION_ATTEMPTS"])
        click.echo(f"Bookings released: {count}")

    @app.cli.command("purge")
    def purge_command() -> None:
        """Anonymise and delete the personal data past their retention period (idempotent)."""
        report = run_purge(utcnow())
        db.session.commit()
        click.echo("Purged: " + ", ".join(f"{k}={v}" for k, v in report.as_dict().items()))

    @app.cli.command("refresh-stats")
    @click.option(
        "--year",
        "years",
        multiple=True,
        type=click.IntRange(2000, 2100),
        help="A year to sum (repeatable); by default this year and the last.",
    )
    def refresh_stats_command(years: tuple[int, ...]) -> None:
        """Bring the statistics rollup up to date (idempotent; only the changed resources)."""
        started = time.perf_counter()
        this_year = local_today().year
        summed = refresh_all(list(years) or [this_year - 1, this_year])
        click.echo(
            f"Statistics rollup: {summed} resource-years summed again "
            f"in {time.perf_counter() - started:.1f} s"
        )


# --- Benchmark (issue 7) -----------------------------------------------------------------
# `make bench` builds the standard workload with this command; see bench/README.md.
def init_bench_commands(app: Flask) -> None:
    @app.cli.command("bench-data")
    @click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 100))
    def bench_data(scale: int) -> None:
        """Fill an EMPTY database with the standard benchmark workload (15 rooms per site)."""
        started = time.perf_counter()
        try:
            counts = build_workload(scale)
        except DatabaseNotEmptyError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        started_analyze = time.perf_counter()
        analyze()
        db.session.commit()
        counts["analyze_seconds"] = round(time.perf_counter() - started_analyze, 1)
        elapsed = time.perf_counter() - started
        click.echo(
            "Benchmark workload ready in "
            + f"{elapsed:.1f} s: "
            + ", ".join(f"{k}={v}" for k, v in counts.items())
        )


# --- Operations: configuration check, backups ---------------------------------------------


def init_ops_commands(app: Flask) -> None:
    @app.cli.command("check-config")
    @click.option(
        "--workers",
        type=int,
        default=lambda: int(os.environ.get("WEB_CONCURRENCY", "2")),
        help="Processes that will serve (default: $WEB_CONCURRENCY or 2).",
    )
    def check_config_command(workers: int) -> None:
        """Refuse a production start with a missing or unsafe setting, naming each one."""
        env_name = app.config.get("ENV_NAME", "development")
        problems = check_config(app.config, env_name, workers=workers)
        for problem in problems:
            click.echo(str(problem), err=True)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise click.ClickException(f"{len(errors)} setting(s) to fix before starting.")
        click.echo(f"Configuration ready for {env_name} ({len(problems)} warning(s)).")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path) -> None:
        """Copy the database to PATH (safe while the service runs)."""
        try:
            backup(db.engine, path)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Backup written: {path} ({path.stat().st_size} bytes)")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace the content of a non-empty database.")
    def restore_command(path: Path, force: bool) -> None:
        """Restore the backup PATH into the configured (empty) database."""
        try:
            restore(db.engine, path, force=force)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"Restored {path}; now run `flask --app wsgi db upgrade` if the code is newer.")

"""Command-line tasks: `flask --app wsgi <command>`. Each calls a service and commits."""

from __future__ import annotations

import time

import click
from flask import Flask
from sqlalchemy import func, select

from booking.auth.models import User, user_by_email
from booking.benchdata import DatabaseNotEmptyError, analyze, build_workload
from booking.demo import seed_demo
from booking.extensions import db
from booking.resources.models import Site


def init_commands(app: Flask) -> None:
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
        analyze()
        db.session.commit()
        elapsed = time.perf_counter() - started
        click.echo(
            "Benchmark workload ready in "
            + f"{elapsed:.1f} s: "
            + ", ".join(f"{k}={v}" for k, v in counts.items())
        )

"""PostgreSQL checkouts: no `SELECT 1` on a quiet pooled connection, a dead one still replaced."""

from __future__ import annotations

import time

import psycopg
import pytest
from flask import Flask
from sqlalchemy import text

from booking.extensions import db as _db


@pytest.fixture
def postgres(app: Flask, db) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the pre-ping is configured for PostgreSQL")


def _pooled_connection():
    """The pool's only connection, returned to the pool; its psycopg connection."""
    _db.session.remove()
    _db.engine.dispose()
    with _db.engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        raw = connection.connection.dbapi_connection
    return raw, pid


def _count_cursors(raw, calls: list) -> None:
    cursor = raw.cursor
    raw.cursor = lambda *args, **kwargs: calls.append(1) or cursor(*args, **kwargs)


def test_a_quiet_pooled_connection_is_checked_out_without_a_round_trip(postgres):
    raw, _pid = _pooled_connection()
    calls: list = []
    _count_cursors(raw, calls)
    with _db.engine.connect() as connection:  # the checkout pre-pings
        assert connection.connection.dbapi_connection is raw
        assert calls == []  # no SELECT 1 was sent
        connection.execute(text("SELECT 1"))
    assert calls == [1]  # (the counter counts: the statement's own cursor)


def test_a_connection_the_server_ended_is_pinged_and_replaced(postgres):
    raw, pid = _pooled_connection()
    url = _db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _attempt in range(100):
            row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
            if row.fetchone()[0] == 0:
                break
            time.sleep(0.02)
    with _db.engine.connect() as connection:
        assert connection.connection.dbapi_connection is not raw
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid

"""SQLite settings: WAL, foreign keys, and write-locked (IMMEDIATE) transactions.

SQLite has no exclusion constraints, so the no-double-booking guarantee rests
on the check-and-write running in one transaction that holds the write lock
from its first statement: `BEGIN IMMEDIATE`. Transactions are immediate by
default; only requests that cannot write (GET, HEAD, OPTIONS) use a deferred
`BEGIN`, so readers never queue behind each other.
"""

from __future__ import annotations

from contextvars import ContextVar

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

_read_only: ContextVar[bool] = ContextVar("sqlite_read_only", default=False)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure_sqlite(app: Flask, engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event, below, issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")

    @app.before_request
    def _mark_read_only() -> None:
        _read_only.set(request.method in SAFE_METHODS)

    @app.teardown_request
    def _reset_read_only(_exc: BaseException | None) -> None:
        _read_only.set(False)

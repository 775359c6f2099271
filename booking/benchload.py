"""Bulk writing of the benchmark's bookings: PostgreSQL COPY, SQLite executemany.

At scale 100 the workload is 3.5 million bookings. Through SQLAlchemy's
executemany each row costs bind processing and, on PostgreSQL, keeps six
indexes, the no-overlap exclusion constraint and three foreign keys up to date
row by row. Here the rows arrive as plain tuples already formatted for the
database; on PostgreSQL the booking table's secondary indexes and constraints
are dropped, the rows streamed with `COPY ... FROM STDIN`, and the indexes and
constraints built again afterwards from their saved definitions (one sort per
index, one join per foreign key, the exclusion constraint checked once over the
whole table). Everything happens in the caller's transaction: PostgreSQL's DDL
is transactional, so a failed load leaves the schema as it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, text

from booking.extensions import db

# The columns the workload fills, in the order of every row tuple; the others keep
# their defaults (NULL).
COLUMNS = (
    "uid",
    "resource_id",
    "association_id",
    "series_id",
    "title",
    "attendees",
    "is_public",
    "state",
    "exclusive",
    "start_at",
    "end_at",
    "sequence",
    "created_at",
    "updated_at",
)
SQLITE_CHUNK = 20_000
COPY_CHUNK = 2_000  # rows per write() into the COPY stream


def format_instant(at: datetime, dialect: str) -> str:
    """A UTC instant as the database stores it (SQLite: SQLAlchemy's naive text form)."""
    if dialect == "postgresql":
        return at.strftime("%Y-%m-%d %H:%M:%S+00")
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def format_bool(value: bool, dialect: str) -> str | int:
    if dialect == "postgresql":
        return "t" if value else "f"
    return 1 if value else 0


def _saved_definitions(conn: Connection) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The booking table's constraints (other than the primary key and checks) and the
    indexes that back no constraint, as (name, definition)."""
    constraints = conn.execute(
        text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'booking'::regclass AND contype IN ('f', 'u', 'x') ORDER BY conname"
        )
    ).all()
    indexes = conn.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = 'booking'::regclass AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid "
            "AND c.conrelid = 'booking'::regclass) ORDER BY i.relname"
        )
    ).all()
    return [tuple(c) for c in constraints], [tuple(i) for i in indexes]


def _copy_postgresql(conn: Connection, rows: Iterable[tuple], timings: dict[str, float]) -> int:
    started = time.perf_counter()
    constraints, indexes = _saved_definitions(conn)
    for name, _ in constraints:
        conn.execute(text(f'ALTER TABLE booking DROP CONSTRAINT "{name}"'))
    for name, _ in indexes:
        conn.execute(text(f'DROP INDEX "{name}"'))

    written = 0
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY booking ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        lines: list[str] = []
        for row in rows:
            # Text format: tab-separated, \N for NULL. The workload's strings hold no
            # tab, newline or backslash (checked in the generator's tests).
            lines.append("\t".join(r"\N" if v is None else str(v) for v in row))
            if len(lines) >= COPY_CHUNK:
                copy.write("\n".join(lines) + "\n")
                written += len(lines)
                lines = []
        if lines:
            copy.write("\n".join(lines) + "\n")
            written += len(lines)
    cursor.close()
    timings["copy_seconds"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    # More memory for the sorts of the index builds, for this transaction only.
    conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _, definition in indexes:
        conn.execute(text(definition))
    for name, definition in constraints:
        conn.execute(text(f'ALTER TABLE booking ADD CONSTRAINT "{name}" {definition}'))
    timings["index_seconds"] = round(time.perf_counter() - started, 1)
    return written


def _executemany_sqlite(conn: Connection, rows: Iterable[tuple]) -> int:
    statement = (
        f"INSERT INTO booking ({', '.join(COLUMNS)}) "  # noqa: S608 - constant column names
        f"VALUES ({', '.join('?' for _ in COLUMNS)})"
    )
    written = 0
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= SQLITE_CHUNK:
            conn.exec_driver_sql(statement, chunk)
            written += len(chunk)
            chunk = []
    if chunk:
        conn.exec_driver_sql(statement, chunk)
        written += len(chunk)
    return written


def write_bookings(rows: Iterable[tuple], timings: dict[str, float] | None = None) -> int:
    """Write booking rows (tuples in `COLUMNS` order, values already in the dialect's
    form: see `format_instant`, `format_bool`) into the session's transaction.
    Returns the number written. The table must be empty on PostgreSQL: its
    indexes are rebuilt from scratch. `timings`, when given, receives the seconds spent
    in each phase (PostgreSQL: the COPY, then the indexes and constraints)."""
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        return _copy_postgresql(conn, rows, {} if timings is None else timings)
    started = time.perf_counter()
    written = _executemany_sqlite(conn, rows)
    if timings is not None:
        timings["insert_seconds"] = round(time.perf_counter() - started, 1)
    return written


def vacuum_analyze() -> None:
    """After a bulk load: refresh the planner's statistics; on PostgreSQL also VACUUM the
    booking table so that its visibility map is set (index-only scans) and no first
    reader pays for the hint bits. VACUUM cannot run in a transaction: autocommit."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) booking"))
            conn.execute(text("ANALYZE"))
        return
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))

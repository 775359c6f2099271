"""Calendar versions: one counter per resource that moves whenever its calendars change.

`resource.calendar_version` is raised, and `resource.calendar_changed_at` set, by
database triggers in the same transaction as any write that changes what a
calendar of that resource shows: its bookings, its own or its site's closures and
opening hours, its site's details, the name of an association booking it and
the display name of a person who requested one of its bookings (private feeds
show both). (The resource's own columns are covered by its `updated_at`.) Triggers, not ORM
events, so that bulk statements, the CLI and psql are counted too.

Grids and feeds then validate and cache on a primary-key read of these columns
instead of aggregating the bookings of their window.

The same statements are created by `db.create_all()` (tests) and by the
migration `2026_11_26_c1a7e2d9b3f4`, which keeps its own frozen copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, MetaData, event, text

from booking.extensions import db

TRIGGER_NAMES = (
    "booking_calendar_insert",
    "booking_calendar_update",
    "booking_calendar_delete",
    "closure_calendar_insert",
    "closure_calendar_update",
    "closure_calendar_delete",
    "opening_hours_calendar_insert",
    "opening_hours_calendar_update",
    "opening_hours_calendar_delete",
    "site_calendar_update",
    "association_calendar_update",
    "user_calendar_update",
)

# --- SQLite: row triggers ------------------------------------------------------

_SQLITE_BUMP = (
    "UPDATE resource SET calendar_version = calendar_version + 1, "
    "calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE "
)


def _sqlite_triggers() -> list[str]:
    statements = []
    for op, rows in (("insert", ("NEW",)), ("update", ("OLD", "NEW")), ("delete", ("OLD",))):
        booking_ids = ", ".join(f"{row}.resource_id" for row in rows)
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS booking_calendar_{op} AFTER {op.upper()} ON booking "
            f"BEGIN {_SQLITE_BUMP}id IN ({booking_ids}); END"
        )
        owners = " OR ".join(f"id = {row}.resource_id OR site_id = {row}.site_id" for row in rows)
        for table in ("closure", "opening_hours"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_calendar_{op} AFTER {op.upper()} ON {table} "
                f"BEGIN {_SQLITE_BUMP}{owners}; END"
            )
    statements.append(
        "CREATE TRIGGER IF NOT EXISTS site_calendar_update AFTER UPDATE ON site "
        f"BEGIN {_SQLITE_BUMP}site_id = NEW.id; END"
    )
    statements.append(
        "CREATE TRIGGER IF NOT EXISTS association_calendar_update AFTER UPDATE OF name "  # noqa: S608
        "ON association WHEN OLD.name IS NOT NEW.name "
        f"BEGIN {_SQLITE_BUMP}id IN "
        "(SELECT DISTINCT resource_id FROM booking WHERE association_id = NEW.id); END"
    )
    statements.append(
        'CREATE TRIGGER IF NOT EXISTS user_calendar_update AFTER UPDATE OF display_name ON "user" '  # noqa: S608
        "WHEN OLD.display_name IS NOT NEW.display_name "
        f"BEGIN {_SQLITE_BUMP}id IN "
        "(SELECT DISTINCT resource_id FROM booking WHERE requester_id = NEW.id); END"
    )
    return statements


# --- PostgreSQL: statement triggers with transition tables (one UPDATE per statement,
# so bulk inserts stay bulk), rows locked in id order ----------------------------------

_PG_BUMP = """
    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()
    WHERE id IN (SELECT id FROM resource WHERE {where} ORDER BY id FOR UPDATE)
"""


def _pg_function(name: str, where_by_op: dict[str, str]) -> str:
    branches = "\n".join(
        f"    IF TG_OP = '{op}' THEN {_PG_BUMP.format(where=where)}; END IF;"
        for op, where in where_by_op.items()
    )
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{branches}\n    RETURN NULL;\nEND $$"
    )


def _pg_owned(rows: str) -> str:
    return (
        f"id IN (SELECT resource_id FROM {rows}) "  # noqa: S608 - constant DDL
        f"OR site_id IN (SELECT site_id FROM {rows} WHERE site_id IS NOT NULL)"
    )


_PG_REQUESTED_BY = "id IN (SELECT DISTINCT resource_id FROM booking WHERE requester_id = NEW.id)"


def _pg_triggers() -> list[str]:
    statements = [
        _pg_function(
            "booking_calendar_bump",
            {
                "INSERT": "id IN (SELECT resource_id FROM new_rows)",
                "UPDATE": "id IN (SELECT resource_id FROM new_rows "
                "UNION SELECT resource_id FROM old_rows)",
                "DELETE": "id IN (SELECT resource_id FROM old_rows)",
            },
        ),
        _pg_function(
            "owned_calendar_bump",
            {
                "INSERT": _pg_owned("new_rows"),
                "UPDATE": f"{_pg_owned('new_rows')} OR {_pg_owned('old_rows')}",
                "DELETE": _pg_owned("old_rows"),
            },
        ),
        _pg_function("site_calendar_bump", {"UPDATE": "site_id IN (SELECT id FROM new_rows)"}),
        _pg_function(
            "association_calendar_bump",
            {
                "UPDATE": "id IN (SELECT DISTINCT b.resource_id FROM booking b "
                "JOIN new_rows n ON n.id = b.association_id "
                "JOIN old_rows o ON o.id = n.id WHERE o.name IS DISTINCT FROM n.name)"
            },
        ),
        # A row trigger, only on a rename: a statement trigger would run on every
        # update of a user (each login), and transition tables allow no column list.
        "CREATE OR REPLACE FUNCTION user_calendar_bump() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{_PG_BUMP.format(where=_PG_REQUESTED_BY)};\n    RETURN NULL;\nEND $$",
    ]
    transition = {
        "insert": "REFERENCING NEW TABLE AS new_rows",
        "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "delete": "REFERENCING OLD TABLE AS old_rows",
    }
    for op, referencing in transition.items():
        statements.append(
            f"CREATE OR REPLACE TRIGGER booking_calendar_{op} AFTER {op.upper()} ON booking "
            f"{referencing} "
            "FOR EACH STATEMENT EXECUTE FUNCTION booking_calendar_bump()"
        )
        for table in ("closure", "opening_hours"):
            statements.append(
                f"CREATE OR REPLACE TRIGGER {table}_calendar_{op} AFTER {op.upper()} ON {table} "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION owned_calendar_bump()"
            )
    statements.append(
        f"CREATE OR REPLACE TRIGGER site_calendar_update AFTER UPDATE ON site {transition['update']} "
        "FOR EACH STATEMENT EXECUTE FUNCTION site_calendar_bump()"
    )
    statements.append(
        "CREATE OR REPLACE TRIGGER association_calendar_update AFTER UPDATE ON association "
        f"{transition['update']} FOR EACH STATEMENT EXECUTE FUNCTION association_calendar_bump()"
    )
    statements.append(
        'CREATE OR REPLACE TRIGGER user_calendar_update AFTER UPDATE OF display_name ON "user" '
        "FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name) "
        "EXECUTE FUNCTION user_calendar_bump()"
    )
    return statements


def trigger_statements(dialect: str) -> list[str]:
    """The DDL that keeps the calendar versions, for `dialect` ("sqlite" or "postgresql")."""
    if dialect == "postgresql":
        return _pg_triggers()
    if dialect == "sqlite":
        return _sqlite_triggers()
    raise NotImplementedError(f"calendar version triggers for {dialect}")


@event.listens_for(db.metadata, "after_create")
def _create_triggers(_metadata: MetaData, connection: Connection, **_kw: object) -> None:
    for statement in trigger_statements(connection.dialect.name):
        connection.execute(text(statement))


@contextmanager
def bulk_booking_load() -> Iterator[None]:
    """Insert many bookings at once, then raise each resource's version once.

    PostgreSQL runs a statement trigger per inserted row when the driver sends
    an executemany; for a bulk load (the benchmark workload) the insert trigger is
    disabled inside the transaction (ALTER TABLE is transactional: a failed load
    restores it) and every resource is raised once at the end. SQLite's row
    triggers cost little and stay on.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    db.session.execute(text("ALTER TABLE booking DISABLE TRIGGER booking_calendar_insert"))
    yield
    db.session.execute(text("ALTER TABLE booking ENABLE TRIGGER booking_calendar_insert"))
    db.session.execute(
        text(
            "UPDATE resource SET calendar_version = calendar_version + 1, "
            "calendar_changed_at = now()"
        )
    )

"""`/readyz`: the database answers and its schema is at the migrations' head.

`/healthz` says the process is up; `/readyz` says it can serve: a proxy or an
orchestrator sends traffic only to instances that are ready (e.g. after a deploy whose
`flask db upgrade` has not run yet, or while the database is unreachable).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from booking.extensions import db
from config import BASE_DIR

MIGRATIONS = Path(BASE_DIR) / "migrations"


@dataclass(frozen=True)
class Readiness:
    ready: bool
    database: str  # "ok" or what went wrong
    migrations: str  # "ok", "behind", "ahead or unknown", "not applied"
    expected: tuple[str, ...]
    current: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "ready": self.ready,
            "database": self.database,
            "migrations": self.migrations,
            "expected": list(self.expected),
            "current": list(self.current),
        }


@cache
def expected_heads() -> tuple[str, ...]:
    """The revision(s) this code expects; read once per process (files don't change)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def check_readiness() -> Readiness:
    expected = expected_heads()
    try:
        with db.engine.connect() as connection:
            current = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    except SQLAlchemyError as exc:
        return Readiness(False, f"unreachable: {type(exc).__name__}", "unknown", expected, ())
    if current == expected:
        state = "ok"
    elif not current:
        state = "not applied"
    else:
        state = "behind" if _is_ancestor(current, expected) else "ahead or unknown"
    return Readiness(state == "ok", "ok", state, expected, current)


def _is_ancestor(current: tuple[str, ...], expected: tuple[str, ...]) -> bool:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    return all(rev in known for rev in current)

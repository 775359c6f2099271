"""`flask --app wsgi backup PATH` and `restore PATH`.

SQLite: the online backup API (a consistent copy while the app runs and writes).
PostgreSQL: `pg_dump --format=custom` and `pg_restore` (Debian's postgresql-client),
consistent too (pg_dump reads one snapshot). Restore goes into an EMPTY database
(created and not migrated, or a fresh SQLite file) unless forced: a backup never
overwrites live data by mistake.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, Engine, make_url


class BackupError(Exception):
    """What went wrong, for the operator."""


def backup(engine: Engine, path: Path) -> Path:
    url = engine.url
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_file(url), path)
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", _libpq(url)])
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    return path


def restore(engine: Engine, path: Path, *, force: bool = False) -> None:
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    if not force and inspect(engine).get_table_names():
        raise BackupError(
            "the target database is not empty: restore into a new database "
            "(or pass --force to replace its content)"
        )
    url = engine.url
    engine.dispose()  # no pooled connection keeps the old file or tables open
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(path, _sqlite_file(url))
    elif url.get_backend_name() == "postgresql":
        args = ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(url)}"]
        if force:
            args[1:1] = ["--clean", "--if-exists"]
        _run([*args, str(path)])
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Through SQLite's online backup API: safe while others write the source."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.execute("PRAGMA busy_timeout = 10000")
        src.backup(dst)  # one step: a consistent snapshot; WAL lets writers go on meanwhile
    with sqlite3.connect(target) as check:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{target}: the copy failed its integrity check")


def _libpq(url: URL) -> str:
    """The URL for libpq tools: without SQLAlchemy's +psycopg driver name."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str]) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} not found: install Debian's postgresql-client")
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed: {result.stderr.strip()}")

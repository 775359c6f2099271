"""Recording the SQL a piece of code sends, for the no-N+1 and "reads nothing" tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from booking.extensions import db


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """Every statement sent through the app's engine inside the block, in order."""
    statements: list[str] = []

    def _record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


def selects(statements: list[str]) -> list[str]:
    """The reads among `statements` (not BEGIN, SAVEPOINT, INSERT...)."""
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]

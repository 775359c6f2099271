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


@contextmanager
def recorded_executions() -> Iterator[list[tuple[str, list]]]:
    """Every (statement, parameter values) sent through the app's engine inside the block."""
    executions: list[tuple[str, list]] = []

    def _record(_conn, _cursor, statement, parameters, *_args) -> None:
        values = list(parameters.values()) if isinstance(parameters, dict) else list(parameters)
        executions.append((statement, values))

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield executions
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)

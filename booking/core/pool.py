"""PostgreSQL connections checked at checkout without a round trip while they are quiet.

`pool_pre_ping` sends `SELECT 1` at every checkout, so that a connection the server
closed while it sat idle in the pool (a restart, `pg_terminate_backend`, an idle timeout)
is replaced instead of failing the request. That is one database round trip per request,
half of a 304's (issue 19). When the server closes a connection it sends a last message
("terminating connection...") and the end of the stream, so the socket of a dead pooled
connection is readable; the socket of a live idle one has nothing to read. The check
below polls the socket (no round trip) and sends the real ping only when something is
waiting: the replaced connections are the same, the live ones cost nothing.
`read_outside_transaction` spares the two other round trips of a page that only reads a
few rows before answering from a cache (BEGIN, and ROLLBACK at teardown), and on
PostgreSQL sends its statement straight on the driver's connection (`_direct_read`):
compiled once, no SQLAlchemy execution context or result object, which were about two
thirds of a validator read's CPU (issue 19).
(A peer that vanished without closing, a cut cable, is not seen by either check until
the TCP timeout: the ping would have waited for it too.)
"""

from __future__ import annotations

import functools
import select
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import DBAPIError

from booking.extensions import db
from booking.lru import LRUCache


def socket_is_quiet(dbapi_connection: Any) -> bool:
    """True when the connection is open and its socket has nothing waiting to be read."""
    if getattr(dbapi_connection, "closed", True) or getattr(dbapi_connection, "broken", False):
        return False
    try:
        fd = dbapi_connection.fileno()
    except Exception:  # a connection that cannot tell is pinged
        return False
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


def _ping_when_not_quiet(full_ping: Callable[[Any], bool], dbapi_connection: Any) -> bool:
    return True if socket_is_quiet(dbapi_connection) else full_ping(dbapi_connection)


def install_quiet_socket_ping(engine: Engine) -> None:
    """Make the engine's pre-ping poll the socket first (PostgreSQL with psycopg)."""
    dialect = engine.dialect
    if getattr(dialect, "_full_ping", None) is not None:
        return  # installed already (the dialect is shared by the engine's copies)
    dialect._full_ping = dialect.do_ping
    dialect.do_ping = functools.partial(_ping_when_not_quiet, dialect._full_ping)


@functools.lru_cache(maxsize=4)
def _autocommit(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class _Compiled:
    """A statement as the driver takes it: its SQL, its bound values, its type conversions."""

    __slots__ = ("binds", "defaults", "dialect", "results", "row_class", "sql", "types")

    def __init__(self, stmt: Executable, engine: Engine) -> None:
        compiled = stmt.compile(dialect=engine.dialect)
        self.dialect = engine.dialect
        # The statement's own values expanded (an IN list into one parameter a value), as
        # the engine does at each execution; values given at the call are plain ones.
        expanded = compiled.construct_expanded_state(
            dict.fromkeys(compiled.bind_names.values()) | compiled.params
        )
        self.sql: str = expanded.statement
        self.defaults: dict[str, Any] = dict(expanded.parameters)
        self.binds: dict[str, Callable[[Any], Any]] = dict(expanded.processors)
        # Public API only: the selected columns' types and names (a SELECT's).
        columns = stmt.selected_columns  # type: ignore[attr-defined]
        self.types = [column.type for column in columns]
        self.results: list[Callable[[Any], Any] | None] | None = None  # at the first read
        # Rows by position, and by name like the engine's (`row.slug`).
        self.row_class = namedtuple("DirectRow", list(columns.keys()), rename=True)

    def parameters(self, params: dict | None) -> dict[str, Any]:
        values = {**self.defaults, **params} if params else dict(self.defaults)
        for name, process in self.binds.items():
            if name in values:
                values[name] = process(values[name])
        return values

    def read(self, cursor: Any) -> list[tuple]:
        """The cursor's rows converted. The conversions are chosen, as the engine does,
        with the driver's type codes (a NUMERIC's depends on them), at the first read."""
        if self.results is None:
            self.results = [
                type_.dialect_impl(self.dialect).result_processor(self.dialect, column.type_code)
                for type_, column in zip(self.types, cursor.description, strict=True)
            ]
        return [self.row(raw) for raw in cursor.fetchall()]

    def row(self, raw: tuple) -> tuple:
        return self.row_class._make(
            value if process is None or value is None else process(value)
            for process, value in zip(self.results, raw, strict=True)
        )


# Statements compiled for the direct read, by statement object: give it module-level
# statements, or ones the caller memoizes (a statement built at each call is compiled at
# each call, dearer than the engine's own cache). Bounded, so such a one only costs that.
_COMPILED: LRUCache = LRUCache(256)


def _compiled(stmt: Executable, engine: Engine) -> _Compiled:
    key = (stmt, engine.dialect)
    found = _COMPILED.get(key)
    if found is None:
        found = _Compiled(stmt, engine)
        _COMPILED.put(key, found)
    return found


def _direct_read(engine: Engine, stmt: Executable, params: dict | None) -> list[tuple]:
    """`stmt`'s rows read in autocommit on a pooled connection's driver connection: the same
    pool checkout (and quiet-socket ping), the same SQL and type conversions as the engine's
    own execution, without its per-statement machinery. A driver error is raised as the
    engine raises it (`DBAPIError`, the connection invalidated when it is lost), so the
    retry and "database unavailable" handling see the same exceptions."""
    compiled = _compiled(stmt, engine)
    values = compiled.parameters(params)
    pooled = engine.raw_connection()
    try:
        driver = pooled.driver_connection
        try:
            driver.autocommit = True  # no BEGIN, and nothing for the pool to roll back
            try:
                rows = compiled.read(driver.execute(compiled.sql, values))
            finally:
                driver.autocommit = False
        except engine.dialect.loaded_dbapi.Error as error:
            lost = engine.dialect.is_disconnect(error, driver, None)
            if lost:
                pooled.invalidate(error)
            raise DBAPIError.instance(
                compiled.sql,
                values,
                error,
                engine.dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=engine.dialect,
            ) from error
    finally:
        pooled.close()
    return rows


def _observed(engine: Engine) -> bool:
    """Whether something listens to the engine's statements (tests counting them, tracing):
    then reads go through the engine, so that they see every statement."""
    dispatch = engine.dispatch
    return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)


def _session_in_transaction() -> bool:
    """Whether the request's session has a transaction open, without making a session
    for a request that has none yet (a 304 then builds and closes no session at all)."""
    return db.session.registry.has() and db.session().in_transaction()


def read_outside_transaction(stmt: Executable, params: dict | None = None) -> list[Row]:
    """The rows of a read that needs no transaction (each statement sees committed data
    either way at READ COMMITTED). On PostgreSQL, when the request has no transaction open
    yet, it runs in autocommit, so a request whose other work is served from a cache opens
    none; a request already in a transaction reads in it (it may hold its own writes).
    SQLite reads on the request's own deferred transaction, which costs no round trip.
    The rows are named tuples (by position or by column name, like the engine's rows)."""
    engine = db.engine
    if engine.dialect.name == "postgresql" and not _session_in_transaction():
        if not _observed(engine):
            return _direct_read(engine, stmt, params)  # type: ignore[return-value]
        with _autocommit(engine).connect() as connection:
            return list(connection.execute(stmt, params))
    return list(db.session.connection().execute(stmt, params))

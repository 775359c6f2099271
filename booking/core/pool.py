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
few rows before answering from a cache (BEGIN, and ROLLBACK at teardown).
(A peer that vanished without closing, a cut cable, is not seen by either check until
the TCP timeout: the ping would have waited for it too.)
"""

from __future__ import annotations

import functools
import select
from collections.abc import Callable
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.engine import Engine, Row

from booking.extensions import db


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


def read_outside_transaction(stmt: Executable, params: dict | None = None) -> list[Row]:
    """The rows of a read that needs no transaction (each statement sees committed data
    either way at READ COMMITTED). On PostgreSQL, when the request has no transaction open
    yet, it runs in autocommit, so a request whose other work is served from a cache opens
    none; a request already in a transaction reads in it (it may hold its own writes).
    SQLite reads on the request's own deferred transaction, which costs no round trip."""
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        with _autocommit(db.engine).connect() as connection:
            return list(connection.execute(stmt, params))
    return list(db.session.connection().execute(stmt, params))

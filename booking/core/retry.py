"""Deadlocks and serialization failures: the request runs again, then "try again".

The lock order of `booking/bookings/locking.py` keeps the services from
deadlocking each other. A deadlock or a serialization failure that still happens
(a path outside that order, a manual statement in psql, a future isolation
level) is transient: PostgreSQL has rolled the transaction back, nothing was
written. So the whole view runs again from its start, after a rollback and a
short random pause (full jitter, doubling each time), at most
`TRANSACTION_ATTEMPTS` times in all. That is safe because a view is one
transaction (validate, load, call a service, commit) whose side effects are
rows of that transaction (emails are outbox rows), and flash messages are
only added after the commit.

If the failure persists, the visitor gets a 503 page saying nothing was saved
and to try again, with `Retry-After` (a JSON problem for API and JSON clients),
never a 500. The periodic CLI commands run their transaction through the same
`with_retries`.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError

from booking.core.errors import render_error
from booking.extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")

#: PostgreSQL SQLSTATEs worth running again: deadlock_detected, serialization_failure.
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
FIRST_PAUSE = 0.05  # seconds: the longest first pause; doubled at each attempt
RETRY_AFTER = 2  # seconds, told to the client once the attempts are spent


def is_transient(error: BaseException) -> bool:
    """A database error that running the same transaction again may not meet."""
    if not isinstance(error, DBAPIError):
        return False
    orig = error.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return sqlstate in TRANSIENT_SQLSTATES


def busy_response() -> tuple[Any, int, dict[str, str]]:
    """The "try again" answer: nothing was saved."""
    body, code = render_error(
        503,
        _(
            "Several people changed the same thing at the same moment, and your request "
            "could not go through. Nothing was saved: please try again in a moment."
        ),
        title=_("Please try again"),
    )
    return body, code, {"Retry-After": str(RETRY_AFTER)}


def with_retries(work: Callable[[], T], attempts: int) -> T:
    """Run `work`, one whole transaction ending in its commit; after a transient failure,
    roll back, pause (full jitter, doubling) and run it again. The last failure is raised."""
    limit = max(attempts, 1)
    attempt = 1
    while True:
        try:
            return work()
        except DBAPIError as error:
            if not is_transient(error):
                raise
            db.session.rollback()
            if attempt >= limit:
                log.warning("Gave up after %s attempts: %s", attempt, error.orig)
                raise
            log.info("Running again (attempt %s of %s): %s", attempt + 1, limit, error.orig)
            time.sleep(random.uniform(0, FIRST_PAUSE * 2 ** (attempt - 1)))
            attempt += 1


def retrying(view: Callable, attempts: Callable[[], int]) -> Callable:
    """Wrap a view: run again after a transient database error, then answer "try again"."""

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return with_retries(lambda: view(*args, **kwargs), attempts())
        except DBAPIError as error:
            if not is_transient(error):
                raise
            return busy_response()

    return run


def init_retry(app: Flask) -> None:
    """Wrap every view of the app; call once all blueprints are registered."""

    def attempts() -> int:
        return int(app.config.get("TRANSACTION_ATTEMPTS", 4))

    for endpoint, view in list(app.view_functions.items()):
        if endpoint != "static":
            app.view_functions[endpoint] = retrying(view, attempts)

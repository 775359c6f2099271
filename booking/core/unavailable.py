"""The database is busy or gone: a 503 "try again" page that touches no database.

Two failures are not the application's fault and pass by themselves:
- SQLite's write lock held beyond the busy timeout by another process
  ("database is locked");
- a PostgreSQL connection lost under a request (server restart,
  `pg_terminate_backend`): SQLAlchemy invalidates it, the next checkout
  reconnects (`pool_pre_ping` catches the ones that died while idle).

Both are answered 503 with `Retry-After`. The page is rendered straight from
the Jinja environment, without Flask's context processors (Flask-Login's loads
the signed-in user) and with a language chosen without the database, so that
answering never waits for the lock again nor uses the dead connection.

Rolling back and closing the session are made safe too: on a dead connection
they fail, and an exception raised by an error handler or a teardown function
reaches the WSGI server, which answers its own bare "Internal Server Error".
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.base import NO_VALUE

from booking.extensions import db

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# PostgreSQL: connection exceptions (class 08) and operator intervention (57P01 admin
# shutdown, 57P02 crash shutdown, 57P03 cannot connect now).
_PG_CONNECTION_LOST = ("08", "57P01", "57P02", "57P03")
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def is_database_unavailable(error: BaseException) -> bool:
    """A lost connection or SQLite's lock held too long: worth trying again shortly."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    if sqlstate.startswith(_PG_CONNECTION_LOST):
        return True
    message = str(error.orig).lower() if error.orig is not None else ""
    return any(text in message for text in _SQLITE_BUSY)


def safe_rollback() -> None:
    """Roll the session back; on a dead connection, log and drop the session instead."""
    try:
        db.session.rollback()
    except Exception:  # an error page must not fail on the rollback
        log.warning("Rollback failed; the session is discarded", exc_info=True)
        _discard_session()


def _discard_session() -> None:
    try:
        db.session.remove()
    except Exception:
        log.warning("Closing the session failed", exc_info=True)


def _language_without_database() -> str:
    """The visitor's language from what is already in memory: the signed-in user's
    profile only if it is loaded, then the language switch, then the browser."""
    languages = tuple(current_app.config.get("LANGUAGES", ("fr", "en")))
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    if state is not None and "locale" in state.attrs.keys():  # noqa: SIM118
        locale = state.attrs.locale.loaded_value  # never loads: NO_VALUE when expired
        if locale is not NO_VALUE and locale in languages:
            return locale
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def unavailable_response(code: int = 503) -> tuple[str | dict, int, dict[str, str]]:
    """The "busy, try again" answer: an HTML page or a JSON problem, with Retry-After."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    language = _language_without_database()
    with force_locale(language):
        title = _("The service is busy")
        detail = _("The service is busy right now. Please try again in a few seconds.")
        if request.path.startswith("/api/") or (
            request.accept_mimetypes.best_match(["application/json", "text/html"])
            == "application/json"
        ):
            return {"status": code, "title": title, "detail": detail}, code, headers
        template = current_app.jinja_env.get_template("errors/unavailable.html")
        page = template.render(lang=language, title=title, message=detail)
    return page, code, headers


def init_unavailable(app: Flask) -> None:
    """Close each request's session without letting a dead connection escape."""

    # Registered after Flask-SQLAlchemy's, so it runs first (teardowns run in reverse):
    # Flask-SQLAlchemy's own remove() then finds an empty session.
    @app.teardown_appcontext
    def _close_session_safely(_exc: BaseException | None) -> None:
        _discard_session()

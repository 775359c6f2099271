"""Flask-Login wiring: each signed-in request is checked against its server-side session.

The signed session cookie holds the user id and a random session id; the
`user_session` table (booking/auth/user_sessions.py) holds its digest. A
session whose row is gone (logout, password change, "sign out everywhere"),
idle too long or past its lifetime is anonymous. A remembered login is
restored from its own cookie, whose token is rotated on each use.

Requests without a session or remember cookie never reach the database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, Request, Response, current_app, g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_user, logout_user

from booking.auth.models import User
from booking.auth.user_sessions import (
    Lifetimes,
    SignIn,
    end_session,
    find_session,
    restore_session,
    start_session,
)
from booking.core.sessions import COOKIELESS_PREFIXES, reads_no_session
from booking.extensions import db

SESSION_ID_KEY = "_sid"
REMEMBER_COOKIE = "remember_device"
FLASK_LOGIN_COOKIE = "remember_token"  # Flask-Login's own, never set any more: cleared
_NEW_REMEMBER = "_new_remember_token"  # on g: a cookie to set (a token) or to clear ("")


def lifetimes() -> Lifetimes:
    config = current_app.config
    return Lifetimes(
        idle=timedelta(seconds=int(config["SESSION_IDLE_TIMEOUT"])),
        absolute=timedelta(seconds=int(config["SESSION_LIFETIME"])),
        remember=timedelta(seconds=int(config["REMEMBER_LIFETIME"])),
    )


def current_session_id() -> str | None:
    return session.get(SESSION_ID_KEY)


def _adopt(sign_in: SignIn, user: User, *, fresh: bool) -> None:
    session[SESSION_ID_KEY] = sign_in.session_id
    login_user(user, fresh=fresh)
    if sign_in.remember_token:
        setattr(g, _NEW_REMEMBER, sign_in.remember_token)


def sign_in(user: User, *, remember: bool = False) -> None:
    """Log a user in on this browser: a new server-side session (and remember token)."""
    session.pop(SESSION_ID_KEY, None)
    created = start_session(
        user,
        remember=remember,
        lifetimes=lifetimes(),
        user_agent=request.headers.get("User-Agent"),
    )
    _adopt(created, user, fresh=True)
    session["lang"] = user.locale  # the profile's language, until the switch says otherwise


def sign_out() -> None:
    """Log this browser out and end its server-side session (both cookies stop working)."""
    session_id = session.pop(SESSION_ID_KEY, None)
    if session_id:
        end_session(session_id)
    logout_user()
    setattr(g, _NEW_REMEMBER, "")


def _set_remember_cookie(response: Response, value: str) -> None:
    config = current_app.config
    if not value:
        response.delete_cookie(REMEMBER_COOKIE, samesite=config["REMEMBER_COOKIE_SAMESITE"])
        return
    response.set_cookie(
        REMEMBER_COOKIE,
        value,
        max_age=int(config["REMEMBER_LIFETIME"]),
        secure=bool(config.get("REMEMBER_COOKIE_SECURE", False)),
        httponly=bool(config.get("REMEMBER_COOKIE_HTTPONLY", True)),
        samesite=config["REMEMBER_COOKIE_SAMESITE"],
    )


def _without_a_session(update: Callable[[Response], Response]) -> Callable:
    """Flask-Login's after-request step, skipped where the session is never saved (the
    API, the widget, `sessionless` views) and the request brought none: the session is
    then the empty one made for it, so the step had nothing to do, but it read the session
    on every answer, a polled 304's too."""

    @functools.wraps(update)
    def update_when_a_session_came(response: Response) -> Response:
        if _session_cookie_name() not in request.cookies and (
            request.path.startswith(COOKIELESS_PREFIXES) or reads_no_session()
        ):
            return response
        return update(response)

    return update_when_a_session_came


def _session_cookie_name() -> str:
    return current_app.config["SESSION_COOKIE_NAME"]


def init_login(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    hooks = app.after_request_funcs[None]
    hooks[hooks.index(login_manager._update_remember_cookie)] = _without_a_session(
        login_manager._update_remember_cookie
    )
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        session_id = session.get(SESSION_ID_KEY)
        found = None
        if user_id.isdigit() and session_id:
            found = find_session(int(user_id), session_id, lifetimes=lifetimes())
        if found is None:
            # Ended, expired or from before server-side sessions: anonymous from now on.
            session.pop("_user_id", None)
            session.pop(SESSION_ID_KEY, None)
            return None
        if found.touched:
            db.session.commit()
        return found.user

    @login_manager.request_loader
    def load_remembered(req: Request) -> User | None:
        token = req.cookies.get(REMEMBER_COOKIE)
        if not token:
            return None
        restored = restore_session(token, user_agent=req.headers.get("User-Agent"))
        if restored is None:
            setattr(g, _NEW_REMEMBER, "")  # revoked or expired: the browser forgets it
            return None
        db.session.commit()
        user = db.session.get(User, restored.row.user_id)
        _adopt(restored, user, fresh=False)
        session["lang"] = user.locale
        return user

    @app.before_request
    def _check_the_session() -> None:
        # Check the server-side session before the view runs (not lazily in the middle of
        # it: restoring and touching a session commit). Anonymous requests: no query.
        if request.endpoint == "static" or reads_no_session():
            return
        cookies = request.cookies
        if app.config["SESSION_COOKIE_NAME"] in cookies or REMEMBER_COOKIE in cookies:
            current_user._get_current_object()

    @app.after_request
    def _remember_cookie(response: Response) -> Response:
        value = g.pop(_NEW_REMEMBER, None)
        if value is not None:
            _set_remember_cookie(response, value)
        if FLASK_LOGIN_COOKIE in request.cookies:
            response.delete_cookie(FLASK_LOGIN_COOKIE)
        return response

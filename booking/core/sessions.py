"""The session cookie: never written on the API, the widget and the door displays; free
when absent.

Those answers are read by other sites' pages and scripts, or polled by screens
nobody signs in on: whatever happens to the session while they are built
(Flask-Login refreshing a signed-in visitor's session, for one), no `Set-Cookie`
leaves with them. Views marked `sessionless` go further: the session is not
read at all (no server-side session check, no user loaded, the language from
`lang` or the browser), so that a conditional request costs only its own read.

A request without a session cookie (a calendar app polling a feed, a door
display, an API client) gets an empty session without building the cookie's
signing serializer, and leaves one that stayed empty without reading the cookie's
settings; the serializer, when a cookie must be read or written, is built once per
secret key instead of once per request (issue 19).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, has_request_context, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer
from werkzeug.wrappers import Request, Response

COOKIELESS_PREFIXES = ("/api/", "/widget/")

View = TypeVar("View", bound=Callable)


def sessionless(view: View) -> View:
    """Mark a public view that never reads the session or the signed-in user."""
    view.reads_no_session = True  # type: ignore[attr-defined] - kept by functools.wraps
    return view


def reads_no_session() -> bool:
    """Whether the current request is served by a `sessionless` view."""
    if not has_request_context() or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "reads_no_session", False))


class CookielessPathsSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # The same keys make the same serializer: keep it (the keys are the cache key,
        # so changing SECRET_KEY or its fallbacks still takes effect at once).
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()  # what the parent answers, without its serializer
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.path.startswith(COOKIELESS_PREFIXES) or reads_no_session():
            return
        if not session and not session.modified:
            # What the parent does for an empty, untouched session (a feed polled without
            # a cookie), without first reading the cookie's eight settings.
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

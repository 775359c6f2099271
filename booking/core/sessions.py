"""The session cookie, never written on the API, the widget and the door displays.

Those answers are read by other sites' pages and scripts, or polled by screens
nobody signs in on: whatever happens to the session while they are built
(Flask-Login refreshing a signed-in visitor's session, for one), no `Set-Cookie`
leaves with them. Views marked `sessionless` go further: the session is not
read at all (no server-side session check, no user loaded, the language from
`lang` or the browser), so that a conditional request costs only its own read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.wrappers import Response

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
    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.path.startswith(COOKIELESS_PREFIXES) or reads_no_session():
            return
        super().save_session(app, session, response)

"""The session cookie, never written on the API and the widget.

Those answers are read by other sites' pages and scripts: whatever happens to
the session while they are built (Flask-Login refreshing a signed-in visitor's
session, for one), no `Set-Cookie` leaves with them.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.wrappers import Response

COOKIELESS_PREFIXES = ("/api/", "/widget/")


class CookielessPathsSessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if request.path.startswith(COOKIELESS_PREFIXES):
            return
        super().save_session(app, session, response)

"""Bearer authentication of the API with personal access tokens.

The API reads no session cookie: the acting user comes from the token alone,
so a page a partner's browser has open cannot make it act (no CSRF on /api).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import request
from flask_babel import gettext as _

from booking.api.problems import ApiProblem
from booking.api.tokens import ApiToken, token_for_secret
from booking.auth.models import User
from booking.extensions import db

_TOKEN_KEY = "booking.api_token"  # noqa: S105 - a key of the WSGI environ, on the request itself
BEARER_SCHEME = {"type": "http", "scheme": "bearer", "description": "A personal access token"}


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    kind, _sep, value = header.partition(" ")
    if kind.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def current_token(scope: str) -> ApiToken:
    """The request's token, which must grant `scope`; raises a 401 or 403 problem."""
    token: ApiToken | None = request.environ.get(_TOKEN_KEY)
    if token is None:
        secret = _bearer()
        token = token_for_secret(secret, now=datetime.now(UTC)) if secret else None
        if token is None:
            raise ApiProblem(
                401,
                _("Send a valid personal access token as “Authorization: Bearer …”."),
                rule="token",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        if db.session.is_modified(token):
            db.session.commit()  # the last use, recorded even if the rest is refused
        request.environ[_TOKEN_KEY] = token
    if not token.has_scope(scope):
        raise ApiProblem(
            403,
            _("This token does not have the “%(scope)s” scope.", scope=scope),
            rule="scope",
            headers={"WWW-Authenticate": f'Bearer error="insufficient_scope" scope="{scope}"'},
        )
    return token


def token_required(scope: str) -> Callable:
    """Require a token granting `scope`; the view reads the user with `api_user()`."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            current_token(scope)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def api_user() -> User:
    return request.environ[_TOKEN_KEY].user

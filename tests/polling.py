"""A polled conditional GET from an anonymous client (issue 19): its 304 costs one small read,
and touches neither the user nor (where asked) the session."""

from __future__ import annotations

from flask import Flask, g
from flask.globals import request_ctx
from flask.testing import FlaskClient
from flask_login import AnonymousUserMixin
from werkzeug.test import TestResponse

from booking.extensions import db


def polled_304(
    app: Flask, client: FlaskClient, url: str, monkeypatch, *, session_untouched: bool = True
) -> TestResponse:
    """GET `url`, then again with its ETag: the 304, after checking that Flask-Login never
    loaded a user, no cookie was set and (`session_untouched`) the session was not read."""
    db.session.commit()
    etag = client.get(url).headers["ETag"]
    loaded = []
    monkeypatch.setattr(
        app.login_manager, "_load_user", lambda: loaded.append(1) or AnonymousUserMixin()
    )
    with client:
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert "_login_user" not in g  # Flask-Login never asked
        if session_untouched:
            assert not request_ctx._session.accessed  # (the `session` proxy would set it)
    assert loaded == []
    assert "Set-Cookie" not in response.headers
    assert response.headers["ETag"] == etag
    return response

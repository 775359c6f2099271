"""A door screen polling its display costs one small read (issue 19): no session, no user."""

from __future__ import annotations

import pytest
from flask import g
from flask.globals import request_ctx
from flask_login import AnonymousUserMixin

from booking.extensions import db
from tests import factories


@pytest.mark.parametrize("path", ["/rooms/{room}/door", "/sites/{site}/door"])
def test_a_polled_door_display_touches_neither_the_user_nor_the_session(
    app, client, path, monkeypatch
):
    room = factories.make_resource()
    url = path.format(room=room.slug, site=room.site.slug)
    db.session.commit()
    etag = client.get(url).headers["ETag"]
    loaded = []
    monkeypatch.setattr(
        app.login_manager, "_load_user", lambda: loaded.append(1) or AnonymousUserMixin()
    )
    with client:
        response = client.get(url, headers={"If-None-Match": etag})
        assert response.status_code == 304
        assert "_login_user" not in g
        assert not request_ctx._session.accessed  # (the `session` proxy would set it)
    assert loaded == []
    assert "Set-Cookie" not in response.headers

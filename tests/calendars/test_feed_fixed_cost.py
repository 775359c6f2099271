"""A calendar app polling a feed costs one small read (issue 19): no session, no user."""

from __future__ import annotations

import pytest
from flask import g
from flask_login import AnonymousUserMixin

from booking.extensions import db
from tests import factories


@pytest.fixture
def slug(db) -> str:
    return factories.make_resource().slug


@pytest.mark.parametrize("path", ["/feeds/resources/{slug}.ics", "/feeds/public.ics"])
def test_an_anonymous_conditional_get_touches_neither_the_user_nor_the_session(
    app, client, slug, path, monkeypatch
):
    url = path.format(slug=slug)
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
    assert loaded == []
    assert "Set-Cookie" not in response.headers


def test_a_browser_with_a_chosen_language_still_gets_its_language(client, slug):
    """The session is read when there is one: the switch's language names the feed."""
    url = f"/feeds/resources/{slug}.ics"
    db.session.commit()
    english = client.get(url, headers={"Accept-Language": "en"}).headers["ETag"]
    client.get("/lang/fr")  # the switch, for an anonymous browser: kept in its session
    french = client.get(url, headers={"Accept-Language": "en"}).headers["ETag"]
    assert french != english

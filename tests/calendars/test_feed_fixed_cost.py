"""A calendar app polling a feed costs one small read (issue 19): no session, no user."""

from __future__ import annotations

import pytest

from booking.extensions import db
from tests import factories
from tests.polling import polled_304


@pytest.fixture
def slug(db) -> str:
    return factories.make_resource().slug


@pytest.mark.parametrize("path", ["/feeds/resources/{slug}.ics", "/feeds/public.ics"])
def test_an_anonymous_conditional_get_touches_neither_the_user_nor_the_session(
    app, client, slug, path, monkeypatch
):
    url = path.format(slug=slug)
    polled_304(app, client, url, monkeypatch, session_untouched=False)


def test_a_browser_with_a_chosen_language_still_gets_its_language(client, slug):
    """The session is read when there is one: the switch's language names the feed."""
    url = f"/feeds/resources/{slug}.ics"
    db.session.commit()
    english = client.get(url, headers={"Accept-Language": "en"}).headers["ETag"]
    client.get("/lang/fr")  # the switch, for an anonymous browser: kept in its session
    french = client.get(url, headers={"Accept-Language": "en"}).headers["ETag"]
    assert french != english

"""A door screen polling its display costs one small read (issue 19): no session, no user."""

from __future__ import annotations

import pytest

from tests import factories
from tests.polling import polled_304


@pytest.mark.parametrize("path", ["/rooms/{room}/door", "/sites/{site}/door"])
def test_a_polled_door_display_touches_neither_the_user_nor_the_session(
    app, client, path, monkeypatch
):
    room = factories.make_resource()
    url = path.format(room=room.slug, site=room.site.slug)
    polled_304(app, client, url, monkeypatch)

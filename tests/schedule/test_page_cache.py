"""A calendar page shown again is not rendered again (issue 19), and never shown stale."""

from __future__ import annotations

import pytest
from flask import template_rendered
from sqlalchemy import event
from sqlalchemy.orm import Session
from wtforms import Field

from booking.extensions import db as _db
from booking.resources.models import Resource
from tests.schedule.conftest import DAY, at
from tests.schedule.test_grid_cache import PAGES


def rendered_by(client, url: str, **headers: str) -> tuple[str, list[str]]:
    """The page's text and the templates rendered to answer it."""
    names: list[str] = []

    def _note(_app, template, **_extra) -> None:
        names.append(template.name)

    _db.session.expunge_all()
    with template_rendered.connected_to(_note):
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True), names


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_visitor_gets_the_page_again_without_any_rendering(english, scene, url):
    first, cold = rendered_by(english, url)
    again, warm = rendered_by(english, url)
    assert cold  # the first answer renders the page
    assert warm == []
    assert again == first


@pytest.mark.parametrize("url", PAGES)
def test_a_signed_in_visitor_gets_the_calendar_part_from_the_cache_and_their_own_layout(
    english, scene, url, login, make_user, monkeypatch
):
    anonymous, _ = rendered_by(english, url)
    login(make_user(locale="en"))
    first, cold = rendered_by(english, url)
    # The calendar part (its form's fields among it) is not rendered again.
    fields_rendered = []
    render_field = Field.__call__
    monkeypatch.setattr(
        Field, "__call__", lambda f, **kw: fields_rendered.append(f.name) or render_field(f, **kw)
    )
    again, warm = rendered_by(english, url)
    assert fields_rendered == []
    assert again == first
    assert "Log out" in first  # the layout is theirs
    assert "Log out" not in anonymous
    parts = [name for name in cold if "_content" in name]
    assert parts == []  # the calendar part was rendered for the anonymous visitor: kept
    assert warm  # their layout
    assert not any("_content" in name for name in warm)
    # The calendar itself is the same text for both.
    assert anonymous[anonymous.index("<h1>") : anonymous.index("</main>")] in first


def test_another_address_or_language_is_another_page(english, scene):
    url = PAGES[0]
    english_page, _ = rendered_by(english, url)
    french_page, cold = rendered_by(english, url, **{"Accept-Language": "fr"})
    assert cold
    assert french_page != english_page
    other_day, cold = rendered_by(english, url.replace(DAY.isoformat(), "2030-06-19"))
    assert cold
    assert other_day != english_page


def test_a_change_in_the_calendar_shows_at_once(english, scene, make_booking):
    url = PAGES[0]
    room_id = scene["first"].id
    before, _ = rendered_by(english, url)
    rendered_by(english, url)  # kept
    room = _db.session.get(Resource, room_id)
    make_booking(room, at(DAY, 16), at(DAY, 17), title="Nouvelle réunion")
    _db.session.commit()
    after, cold = rendered_by(english, url)
    assert cold  # a new version of the room's calendar: rendered anew
    assert after != before


def test_a_cached_calendar_page_opens_no_transaction_on_postgresql(app, english, scene):
    """Its two reads (the cache key) run outside a transaction: no BEGIN, no ROLLBACK."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite reads on the request's deferred transaction, which costs nothing")
    rendered_by(english, PAGES[0])  # built and kept
    _db.session.commit()
    _db.session.remove()
    begun = []

    def _note(_session, _transaction, _connection) -> None:
        begun.append(1)

    event.listen(Session, "after_begin", _note)
    try:
        rendered_by(english, PAGES[0])
    finally:
        event.remove(Session, "after_begin", _note)
    assert begun == []

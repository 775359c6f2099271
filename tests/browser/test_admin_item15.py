"""Issue 13, item 15, in Chromium: the resource form's checkbox lists filter as one types,
"add another equipment line" adds one in place, the weekly hours form copies Monday to
Monday–Friday then saves; a room without hours says it cannot be booked yet. axe-core
finds nothing on these pages, with and without errors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from booking.extensions import db
from booking.resources.models import OpeningHours, Resource
from tests import factories
from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def new_room(live_app) -> int:
    """A room in a new place without any opening hours."""
    with live_app.app_context():
        site = factories.make_site("Maison sans horaires", hours={})
        room = factories.make_resource(site, name="Salle sans horaires", slug="salle-sans-horaires")
        for n in range(8):
            factories.make_association(f"Club de lecture {n}")
        factories.make_association("Les Vélos du Bouguen")
        db.session.commit()
        return room.id


def _visible_labels(page, list_id: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#{list_id} li", "els => els.filter(e => !e.hidden).map(e => e.textContent.trim())"
    )


def test_checkbox_lists_filter_as_one_types_and_keep_the_choices(page, new_room) -> None:
    log_in(page, "admin@example.org")
    page.goto(f"/admin/resources/{new_room}")
    notice = page.locator("#no-hours")
    assert "Cette salle n'est pas encore réservable : ajoutez ses horaires" in notice.inner_text()
    assert axe_violations(page) == []
    total = len(_visible_labels(page, "trusted_ids"))
    assert total >= 10
    page.fill("#trusted_ids-filter", "velos bouguen")  # no accents needed
    assert _visible_labels(page, "trusted_ids") == ["Les Vélos du Bouguen"]
    assert "1" in page.locator("#trusted_ids-filter ~ .checklist-count").inner_text()
    page.locator("#trusted_ids li:not([hidden]) input").check()
    page.fill("#trusted_ids-filter", "")
    assert len(_visible_labels(page, "trusted_ids")) == total
    assert axe_violations(page) == []


def test_add_another_line_adds_one_in_place_and_the_lines_are_saved(
    page, live_app, new_room
) -> None:
    log_in(page, "admin@example.org")
    page.goto(f"/admin/resources/{new_room}")
    lines = page.locator("li.equipment-line")
    before = lines.count()
    page.click("[data-add-line]")
    assert lines.count() == before + 1
    assert f"/admin/resources/{new_room}" in page.url  # nothing sent
    new = lines.last
    new_select = new.locator("select")
    assert new_select.get_attribute("name") == f"equipment-{before}-equipment_id"
    assert new.locator("label").first.inner_text().endswith(str(before + 1))
    assert page.evaluate("document.activeElement.name") == f"equipment-{before}-equipment_id"
    options = new_select.locator("option").all_inner_texts()
    new_select.select_option(label=options[1])
    new.locator("input[type=number]").fill("2")
    lines.first.locator("select").select_option(label=options[2])
    with page.expect_navigation():
        page.click("main form button[type=submit]:not([data-add-line])")
    assert "/admin/resources/" in page.url
    with live_app.app_context():
        room = db.session.get(Resource, new_room)
        assert sorted((line.equipment.name, line.quantity) for line in room.equipment) == sorted(
            [(options[1], 2), (options[2], 1)]
        )


def test_the_week_is_copied_from_monday_then_saved_and_the_room_becomes_bookable(
    page, live_app, new_room
) -> None:
    log_in(page, "admin@example.org")
    page.goto(f"/admin/resources/{new_room}/hours")
    assert axe_violations(page) == []
    page.fill("#days-0-opens_1", "09:00")
    page.fill("#days-0-closes_1", "12:00")
    page.fill("#days-0-opens_2", "14:00")
    page.fill("#days-0-closes_2", "18:00")
    page.click("[data-copy-weekdays]")
    assert f"/admin/resources/{new_room}/hours" in page.url
    for day in range(1, 5):
        assert page.input_value(f"#days-{day}-opens_2") == "14:00"
    assert page.input_value("#days-5-opens_1") == ""
    assert page.locator("#week-status").inner_text() != ""
    page.fill("#days-6-opens_1", "10:00")  # a wrong Sunday: shown on its field
    with page.expect_navigation():
        page.click("#save_week")
    assert page.locator("#days-6-closes_1-error").is_visible()
    assert axe_violations(page) == []
    page.fill("#days-6-opens_1", "")
    with page.expect_navigation():
        page.click("#save_week")
    with live_app.app_context():
        ranges = db.session.scalars(
            select(OpeningHours).where(OpeningHours.resource_id == new_room)
        ).all()
        assert len(ranges) == 10
    page.goto(f"/admin/resources/{new_room}")
    assert page.locator("#no-hours").count() == 0
    with live_app.app_context():
        slug = db.session.get(Resource, new_room).site.slug
    page.goto(f"/calendar/day?site={slug}")
    assert "Salle sans horaires" in page.locator("#day-grid").inner_text()

"""Issue 13, item 4, in Chromium: the day grid shows 08:00-22:00 at 1280 px without
sideways scrolling, its times and room names stay in view when it scrolls (at 1280 px
with the window, at 360 px inside its own box), its filters work from the keyboard and
follow from day to day; a dozen "find a free room" results fit on one 1280x800 screen.
axe-core finds nothing on any of these pages."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from booking.extensions import db
from booking.timeutil import local_today
from tests import factories
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

SITE = "Maison des Longues Heures"


@pytest.fixture(scope="module")
def long_day(live_app):
    """A place open 08:00-22:00 every day (the demo places open at 09:00), with two rooms."""
    with live_app.app_context():
        hours = {d: [(time(8), time(22))] for d in range(7)}
        site = factories.make_site(SITE, hours=hours, neighbourhood="Quatre-Moulins")
        site.slug = "longues-heures"
        for n in (1, 2):
            factories.make_resource(site, name=f"Salle Longue {n}", slug=f"salle-longue-{n}")
        db.session.commit()
    return (local_today() + timedelta(days=10)).isoformat()


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_whole_day_fits_1280_px_without_sideways_scrolling(page, long_day) -> None:
    page.goto(f"/calendar/day?date={long_day}")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    headers = page.locator("#day-grid thead th")
    assert headers.nth(1).inner_text().strip() == "08:00"
    last = headers.last
    assert last.text_content().strip() == "21:30"  # the half hour that ends at 22:00
    box = last.bounding_box()
    assert box["x"] + box["width"] <= 1280
    assert last.is_visible()
    # The last cell of a row ends on screen too.
    cell = page.locator("#day-grid tbody tr:has(th[scope=row]) td").last.bounding_box()
    assert cell["x"] + cell["width"] <= 1280
    assert axe_violations(page) == []


def test_free_cells_are_plain_and_their_state_is_a_pattern_not_colour_alone(page, long_day) -> None:
    page.goto(f"/calendar/day?date={long_day}&site=longues-heures")
    free = page.locator("#day-grid td.slot-free a").first
    assert free.get_attribute("aria-label").startswith("Libre")
    words = free.locator(".visually-hidden").bounding_box()  # no wall of "Libre": read out only
    assert words["width"] <= 1
    assert words["height"] <= 1
    styles = page.evaluate(
        """() => Object.fromEntries(['slot-busy', 'slot-pending', 'slot-closed', 'slot-off']
            .map(c => { const e = document.querySelector('.legend .' + c);
                        return [c, getComputedStyle(e).backgroundImage]; }))"""
    )
    assert all(value.startswith("repeating-linear-gradient") for value in styles.values())
    assert len(set(styles.values())) == 4  # a different pattern per state


def test_the_times_stay_in_view_when_the_page_scrolls_at_1280_px(page, long_day) -> None:
    page.goto(f"/calendar/day?date={long_day}")
    header = "#day-grid thead th:nth-child(2)"
    start = _box(page, header)["y"]
    page.evaluate("window.scrollTo(0, 900)")
    assert start > 100
    assert abs(_box(page, header)["y"]) <= 1  # stuck to the top of the window
    assert page.locator(header).is_visible()


def test_on_a_phone_the_grid_scrolls_in_its_box_under_its_times_and_room_names(
    page, long_day
) -> None:
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(f"/calendar/day?date={long_day}")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    box = page.locator(".grid-scroll").first
    page.evaluate(
        """() => { const b = document.querySelector('.grid-scroll');
                   b.scrollTop = 500; b.scrollLeft = 400; }"""
    )
    frame = box.bounding_box()
    time_header = _box(page, "#day-grid thead th:nth-child(6)")
    assert abs(time_header["y"] - frame["y"]) <= 2  # the times stay at the top of the box
    room = page.locator("#day-grid tbody th[scope=row]").nth(8)
    room.scroll_into_view_if_needed()
    page.evaluate("document.querySelector('.grid-scroll').scrollLeft = 400")
    assert abs(room.bounding_box()["x"] - frame["x"]) <= 2  # the room names stay at the left
    assert page.evaluate("document.querySelector('.grid-scroll').scrollLeft") > 0
    assert axe_violations(page) == []


def test_the_filters_work_from_the_keyboard_and_follow_to_the_next_day(page, long_day) -> None:
    page.goto(f"/calendar/day?date={long_day}")
    page.focus("#capacity")
    page.keyboard.type("8")
    page.keyboard.press("Tab")  # to the equipment list's summary
    page.keyboard.press("Enter")  # opens it
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first item
    checked = page.locator("input[name=equipment]").first.get_attribute("value")
    page.focus("#capacity")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # submits the GET form
    assert f"date={long_day}" in page.url
    assert "capacity=8" in page.url
    assert f"equipment={checked}" in page.url
    assert page.locator("#capacity").input_value() == "8"
    assert axe_violations(page) == []
    link = page.locator("nav.calendar-nav a[rel=next]")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    following = (local_today() + timedelta(days=11)).isoformat()
    assert f"date={following}" in page.url
    assert page.locator("#capacity").input_value() == "8"
    assert page.locator(f"input[name=equipment][value={checked}]").is_checked()


def test_a_dozen_search_results_fit_on_one_screen_and_say_what_was_searched(page, long_day) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/find?date={long_day}&start=10:00&end=11:00&attendees=1")
    heading = page.locator("#results-heading").inner_text()
    results = page.locator("ul.results > li")
    count = results.count()
    assert count >= 12, count
    assert f"{count} salles" in heading
    assert "de 10:00 à 11:00" in heading
    top = results.nth(0).bounding_box()["y"]
    twelfth = results.nth(11).bounding_box()
    assert twelfth["y"] + twelfth["height"] - top <= 800
    assert axe_violations(page) == []

"""RGAA criteria that axe-core cannot judge, checked in the browser (see docs/rgaa.md).

- 5.7 / 5.6: every grid cell has its column and row headers; a free cell's link names the
  room, the day and the time ("Libre : réserver Salle …, mardi … à 14:00");
- 3.1: the state of a cell is said in words, never by colour alone;
- 7.5: status messages are in live regions (flashes, search results, range picking);
- 11.13: name, email and organisation fields say what they are (autocomplete);
- 10.7: the focused element is visibly outlined;
- 10.11: reflow at 320 px without sideways scrolling on the main pages;
- footer: the accessibility statement and its status on every page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.timeutil import local_today
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

GRID_HEADERS = """() => Array.from(document.querySelectorAll('table.grid')).map(table => {
  const columns = table.querySelectorAll('thead th[scope=col]').length;
  const rows = Array.from(table.querySelectorAll('tbody tr:not(.group)'));
  return {
    columns,
    rows: rows.length,
    rowsWithHeader: rows.filter(r => r.querySelector('th[scope=row]')).length,
    widths: rows.map(r => Array.from(r.cells).reduce((n, c) => n + (c.colSpan || 1), 0)),
  };
})"""

CELL_NAMES = """() => Array.from(document.querySelectorAll('table.grid tbody tr')).flatMap(row => {
  const header = row.querySelector('th[scope=row]');
  return Array.from(row.querySelectorAll('td a')).map(a => ({
    row: header ? header.textContent.trim() : '',
    name: a.getAttribute('aria-label') || a.textContent.trim(),
  }));
})"""


def _future_day() -> str:
    day = local_today() + timedelta(days=9)
    while day.weekday() != 2:  # a Wednesday: the demo places are open
        day += timedelta(days=1)
    return day.isoformat()


def test_every_grid_cell_has_its_column_and_row_headers(page) -> None:
    page.goto(f"/calendar/day?date={_future_day()}")
    tables = page.evaluate(GRID_HEADERS)
    assert tables
    for table in tables:
        assert table["columns"] >= 2
        assert table["rowsWithHeader"] == table["rows"] > 0
        # th + cells cover exactly the header's columns: each cell sits under its time
        assert set(table["widths"]) == {table["columns"]}


def test_a_free_cell_names_the_room_the_day_and_the_time(page) -> None:
    page.goto(f"/calendar/day?date={_future_day()}")
    cells = page.evaluate(CELL_NAMES)
    assert cells
    for cell in cells:
        room = cell["row"].split("\n")[0].strip()
        assert room, cell
        assert room in cell["name"], cell
        assert any(ch.isdigit() for ch in cell["name"]), cell  # the time is said
    assert all(c["name"].startswith(("Libre", "Demande en attente")) for c in cells)


def test_cell_states_are_words_not_colours(page) -> None:
    page.goto(f"/calendar/day?date={_future_day()}")
    empty = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.grid tbody td'))
             .filter(td => !td.textContent.trim()).length"""
    )
    assert empty == 0


def test_status_messages_are_in_live_regions(page) -> None:
    page.goto("/")
    assert page.locator("main .flashes[role=status]").count() == 1
    log_in(page, "association@example.org")
    # the "signed in" message is inside the live region
    assert page.locator(".flashes[role=status] .flash").count() >= 1
    page.goto(f"/find?date={_future_day()}&start=14:00&end=15:00&attendees=2")
    status = page.locator("[role=status] #results-heading")
    assert status.count() == 1
    assert page.title().startswith(status.inner_text().strip()[:10])
    page.goto(f"/calendar/day?date={_future_day()}")
    assert page.locator(".range-status[role=status]").count() >= 1


def test_name_email_and_organisation_fields_say_what_they_are(page) -> None:
    page.goto("/account/signup")
    kinds = page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('main input'))
             .filter(i => i.autocomplete).map(i => [i.name, i.autocomplete]))"""
    )
    assert kinds.get("display_name") == "name"
    assert kinds.get("email") == "email"
    assert kinds.get("association_name") == "organization"


def test_the_focused_element_is_visibly_outlined(page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert outline[0] != "none"
    assert outline[1] >= 2


@pytest.mark.parametrize("path", ["/", "/find", "/account/login", "/accessibilite"])
def test_pages_reflow_at_320_pixels(page, path: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, path


def test_every_page_links_to_the_accessibility_statement(page) -> None:
    for path in ("/", f"/calendar/day?date={_future_day()}", "/account/login", "/nowhere"):
        page.goto(path)
        link = page.locator("footer a[href='/accessibilite']")
        assert link.inner_text() == "Accessibilité : partiellement conforme", path

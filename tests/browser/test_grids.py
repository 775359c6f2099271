"""The calendar grids in a real browser: a range picked from the grid (start, then end) opens
the booking form with both times; without a second choice, a cell books its own slot."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from booking.demo import french_public_holidays
from booking.timeutil import local_today
from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser

# A row's first run of three free cells, as the indexes of its links in the row.
FIND_RUN = """() => {
  for (const row of document.querySelectorAll('#day-grid tbody tr:not([data-single])')) {
    const cells = Array.from(row.cells);
    for (let i = 0; i + 2 < cells.length; i++) {
      const run = cells.slice(i, i + 3);
      if (run.every(c => c.classList.contains('slot-free') && c.querySelector('a'))) {
        const links = Array.from(row.querySelectorAll('td a'));
        return [Array.from(document.querySelectorAll('#day-grid tbody tr')).indexOf(row),
                links.indexOf(run[0].querySelector('a')), links.indexOf(run[2].querySelector('a'))];
      }
    }
  }
  return null;
}"""


def _open_day(after_days: int) -> date:
    """The first Tuesday, Wednesday or Thursday at least `after_days` ahead that is not a
    public holiday: every demo place is open then (a date a fixed number of days ahead
    falls on a Sunday, when the neighbourhood houses are closed, one day a week)."""
    day = local_today() + timedelta(days=after_days)
    holidays = {d for d, _name in french_public_holidays(day.year)}
    while day.weekday() not in (1, 2, 3) or day in holidays:
        day += timedelta(days=1)
    return day


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_a_range_picked_on_the_day_grid_opens_the_form_with_its_start_and_end(page) -> None:
    log_in(page, "association@example.org")
    day = _open_day(14)
    page.goto(f"/calendar/day?date={day.isoformat()}")
    assert page.locator("#day-grid-range-help").is_visible()  # shown by the script
    found = page.evaluate(FIND_RUN)
    assert found is not None, "no three free cells in a row"
    row_index, first, last = found
    links = page.locator("#day-grid tbody tr").nth(row_index).locator("td a")
    start_href = links.nth(first).get_attribute("href")
    end_href = links.nth(last).get_attribute("href")
    links.nth(first).click()
    assert "/calendar/day" in page.url  # the start is marked, nothing opened yet
    status = page.locator("#day-grid-range")
    assert _query(start_href)["start"] in status.inner_text()
    assert axe_violations(page) == []
    links.nth(last).click()
    page.wait_for_url("**/reservations/new?*")
    asked = _query(page.url)
    assert asked["start"] == _query(start_href)["start"]
    assert asked["end"] == _query(end_href)["end"]
    assert page.locator("#start").input_value() == asked["start"]
    assert page.locator("#end").input_value() == asked["end"]


def test_choosing_the_start_again_cancels_it_and_keyboard_works(page) -> None:
    log_in(page, "association@example.org")
    day = _open_day(14)
    page.goto(f"/calendar/day?date={day.isoformat()}")
    row_index, first, _last = page.evaluate(FIND_RUN)
    link = page.locator("#day-grid tbody tr").nth(row_index).locator("td a").nth(first)
    link.focus()
    page.keyboard.press("Enter")
    assert link.get_attribute("aria-current") == "true"
    page.keyboard.press("Enter")
    assert link.get_attribute("aria-current") is None
    assert page.locator("#day-grid-range").inner_text() != ""
    assert "/calendar/day" in page.url


def test_range_then_request_then_change_then_cancel(page) -> None:
    """The journey: a range on the grid, the request, a change of time, the cancellation."""
    log_in(page, "association@example.org")
    day = _open_day(15)
    page.goto(f"/calendar/day?date={day.isoformat()}&site=maison-quartier-bellevue")  # visio rooms
    row_index, first, last = page.evaluate(FIND_RUN)
    links = page.locator("#day-grid tbody tr").nth(row_index).locator("td a")
    links.nth(first).click()
    links.nth(last).click()
    page.wait_for_url("**/reservations/new?*")
    start = page.locator("#start").input_value()
    page.fill("#title", "Réunion choisie sur la grille")
    page.locator("#submit").click()
    page.wait_for_load_state()
    assert "/reservations/new" not in page.url
    page.locator("a[href$='/change']").click()
    page.wait_for_load_state()
    assert page.locator("#start").input_value() == start
    assert axe_violations(page) == []
    end = page.locator("#end").input_value()
    page.fill("#start", end)  # the same length of time, right after
    hours, minutes = map(int, end.split(":"))
    later = f"{hours + (minutes + 30) // 60:02d}:{(minutes + 30) % 60:02d}"
    page.fill("#end", later)
    page.locator("main #submit").click()
    page.wait_for_load_state()
    assert "/change" not in page.url, page.locator("main").inner_text()[:300]
    assert f"{end}–{later}" in page.locator("dl.facts").inner_text()
    page.locator("a[href$='/cancel']").click()
    page.wait_for_load_state()
    page.locator("main form .button.danger").click()
    page.wait_for_load_state()
    assert "annul" in page.locator(".booking-state").inner_text().lower()

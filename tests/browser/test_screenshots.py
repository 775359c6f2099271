"""Screenshots at 1280 and 360 px of the pages people use most: the day grid, the booking
form, the manager's desk and "my bookings" (under test-artifacts/, not committed), each page
checked by axe-core and for sideways scrolling at 360 px. The README gives the command."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, log_in, screenshot

PAGES = [
    (None, "/calendar/day", "screens-day-grid"),
    (
        "association@example.org",
        "/reservations/new?resource=salle-visio-bellevue-1",
        "screens-form",
    ),
    ("gestionnaire@example.org", "/approvals/", "screens-desk"),
    ("association@example.org", "/reservations/mine", "screens-my-bookings"),
    (None, "/rooms/salle-visio-bellevue-1/door", "screens-door"),
    (None, "/sites/mediatheque-capucins/door", "screens-door-kiosk"),
]


@pytest.mark.parametrize(("email", "path", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_screenshot_at_desktop_and_phone_width(page, email: str | None, path: str, name: str):
    if email:
        log_in(page, email)
    response = page.goto(path)
    assert response is not None
    assert response.status == 200
    assert axe_violations(page) == []
    screenshot(page, name)

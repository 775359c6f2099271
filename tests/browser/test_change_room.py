"""Changing the room in a real browser (issue 13, items 5 and 6), axe-core on every page:
find → range → request → change the room → cancel; a conflict in the new room → plan B →
the change; a series preview with a conflict → plan B → a request for that date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from booking.auth.models import Association, user_by_email
from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from booking.resources.models import Resource
from booking.timeutil import local_today, to_local, to_utc
from tests import factories
from tests.browser.conftest import axe_violations, log_in, screenshot
from tests.browser.test_grids import FIND_RUN

MEMBER = "association@example.org"
BELLEVUE_1, BELLEVUE_2 = "salle-visio-bellevue-1", "salle-visio-bellevue-2"


def _checked(page) -> None:
    page.wait_for_load_state()
    assert axe_violations(page) == [], page.url


def _weekday(weeks: int, weekday: int = 2) -> date:
    """A Wednesday `weeks` weeks ahead (the demo's public holidays fall elsewhere)."""
    today = local_today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def _resource(slug: str) -> Resource:
    return db.session.scalar(select(Resource).where(Resource.slug == slug))


def _outsider() -> Association:
    return next(
        iter(
            db.session.scalars(
                select(Association).where(~Association.memberships.any()).order_by(Association.id)
            )
        )
    )


def test_find_range_request_change_the_room_then_cancel(page) -> None:
    log_in(page, MEMBER)
    day = _weekday(3, weekday=1)  # a Tuesday, the place open all afternoon
    page.goto(f"/find?date={day.isoformat()}&start=14:00&end=16:00&attendees=4")
    _checked(page)
    page.goto(f"/calendar/day?date={day.isoformat()}&site=maison-quartier-bellevue")
    row_index, first, last = page.evaluate(FIND_RUN)
    links = page.locator("#day-grid tbody tr").nth(row_index).locator("td a")
    links.nth(first).click()
    links.nth(last).click()
    page.wait_for_url("**/reservations/new?*")
    page.fill("#title", "Réunion qui change de salle")
    page.locator("#submit").click()
    page.wait_for_load_state()
    assert "/reservations/new" not in page.url
    booking_url = page.url
    former = page.locator("main h1").inner_text()
    page.locator("a[href$='/change']").click()
    _checked(page)
    options = page.locator("#resource option")
    assert options.count() >= 2, "no other room offered"
    assert "(sans changement)" in options.nth(0).inner_text()
    for index in range(1, options.count()):  # the first other room free at that time
        chosen = options.nth(index).inner_text().split(" — ")[0]
        page.select_option("#resource", index=index)
        page.locator("main #submit").click()
        page.wait_for_load_state()
        if "/change" not in page.url:
            break
        assert axe_violations(page) == []
    assert page.url == booking_url, page.locator("main").inner_text()[:300]
    assert chosen in page.locator("main").inner_text()
    assert page.locator("main h1").inner_text() == former
    assert axe_violations(page) == []
    page.locator("a[href$='/cancel']").click()
    _checked(page)
    page.locator("main form .button.danger").click()
    page.wait_for_load_state()
    assert "annul" in page.locator(".booking-state").inner_text().lower()


def test_a_conflict_in_the_new_room_offers_plan_b_and_one_click_changes(page, live_app) -> None:
    day = _weekday(3)
    with live_app.app_context():
        member = user_by_email(MEMBER)
        mine = factories.make_booking(
            _resource(BELLEVUE_1),
            to_utc(datetime.combine(day, time(14))),
            to_utc(datetime.combine(day, time(16))),
            association=member.associations[0],
            requester=member,
            title="Atelier vélo",
            attendees=5,
        )
        factories.make_booking(
            _resource(BELLEVUE_2),
            to_utc(datetime.combine(day, time(13))),
            to_utc(datetime.combine(day, time(15))),
            association=_outsider(),
            title="Permanence",
        )
        db.session.commit()
        booking_id = mine.id
    log_in(page, MEMBER)
    page.goto(f"/reservations/{booking_id}/change")
    _checked(page)
    page.select_option("#resource", BELLEVUE_2)
    page.locator("main #submit").click()
    _checked(page)
    assert "/change" in page.url
    plan_b = page.locator("#plan-b")
    assert plan_b.is_visible()
    screenshot(page, "change-room-plan-b")
    plan_b.locator("a").first.click()  # the same room at the nearest free time
    _checked(page)
    assert page.locator("#resource").input_value() == BELLEVUE_2
    start = page.locator("#start").input_value()
    page.locator("main #submit").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/reservations/{booking_id}"), page.locator("main").inner_text()[:300]
    with live_app.app_context():
        moved = db.session.get(Booking, booking_id)
        assert moved.resource.slug == BELLEVUE_2
        assert moved.state in (BookingState.PENDING, BookingState.APPROVED)
        assert to_local(moved.start_at).strftime("%H:%M") == start
        assert moved.start_at != to_utc(datetime.combine(day, time(14))) or start == "14:00"


def test_a_series_conflict_offers_plan_b_and_one_click_requests_that_date(page, live_app) -> None:
    first = _weekday(5, weekday=3)  # a Thursday
    taken = first + timedelta(weeks=1)
    with live_app.app_context():
        factories.make_booking(
            _resource(BELLEVUE_1),
            to_utc(datetime.combine(taken, time(18))),
            to_utc(datetime.combine(taken, time(19))),
            association=_outsider(),
            title="Tournoi",
        )
        db.session.commit()
    log_in(page, MEMBER)
    page.goto(
        f"/reservations/new?resource={BELLEVUE_1}&date={first.isoformat()}&start=18:00&end=20:00"
    )
    page.fill("#title", "Répétition")
    page.check("input[name=repeat][value=weekly]")
    page.check("input[name=ends][value=count]")
    page.fill("#count", "3")
    page.click("#preview")
    _checked(page)
    cell = page.locator("#preview td.plan-b-date a")
    assert cell.count() >= 1, page.locator("#preview").inner_text()
    assert page.locator("#submit_free").is_visible()  # the series without that date
    screenshot(page, "series-preview-plan-b")
    href = cell.first.get_attribute("href")
    assert f"date={taken.isoformat()}" in href
    cell.first.click()
    _checked(page)
    assert page.locator("#date").input_value() == taken.isoformat()
    page.fill("#title", "Répétition déplacée")
    page.locator("#submit").click()
    page.wait_for_load_state()
    assert "/reservations/new" not in page.url, page.locator("main").inner_text()[:300]
    assert axe_violations(page) == []

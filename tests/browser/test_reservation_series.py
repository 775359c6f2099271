"""Journey 4 in a real browser: a weekly series across the October clock change is previewed,
the one conflicting date is skipped, the rest is booked, still at 18:00 local time.
axe-core checks the form, the preview, the booking page and the cancel page."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from booking.auth.models import Association
from booking.bookings.models import Booking
from booking.extensions import db
from booking.resources.models import Resource
from booking.timeutil import to_local, to_utc
from tests import factories
from tests.browser.conftest import axe_violations, log_in, screenshot

ROOM = "salle-visio-bellevue-1"


def _scene(live_app) -> None:
    """The room may be booked years ahead; another association holds Tuesday 2 November 2027."""
    with live_app.app_context():
        room = db.session.scalar(select(Resource).where(Resource.slug == ROOM))
        room.horizon_days = 3650
        others = db.session.scalars(
            select(Association).where(~Association.memberships.any()).order_by(Association.id)
        )
        factories.make_booking(
            room,
            to_utc(datetime(2027, 11, 2, 18, 30)),
            to_utc(datetime(2027, 11, 2, 19, 30)),
            association=next(iter(others)),
            title="Tournoi",
        )
        db.session.commit()


def test_weekly_series_across_the_clock_change_books_the_free_dates(page, live_app) -> None:
    _scene(live_app)
    log_in(page, "association@example.org")
    page.goto(f"/reservations/new?resource={ROOM}&date=2027-10-19&start=18:00&end=20:00")
    assert axe_violations(page) == []
    page.fill("#title", "Répétition de la chorale")
    page.check("input[name=repeat][value=weekly]")
    assert page.is_visible("#interval")
    assert not page.is_visible("#nth")
    page.check("input[name=ends][value=count]")
    page.fill("#count", "4")
    page.click("#preview")
    page.wait_for_load_state()

    rows = page.locator("#preview tbody tr:not(.plan-b-row)")  # plan B rows follow conflicts
    assert rows.count() == 4
    assert page.locator("#preview td.slot-free").count() == 3
    assert (
        "2 novembre 2027" in page.locator("#preview td.slot-busy").locator("xpath=..").inner_text()
    )
    assert all("18:00" in rows.nth(i).inner_text() for i in range(4))
    assert axe_violations(page) == []
    screenshot(page, "reservation-series-preview")

    page.click("#submit_free")
    page.wait_for_load_state()
    assert "/reservations/" in page.url
    assert "3 dates" in page.locator("[role=status]").first.inner_text()
    assert axe_violations(page) == []
    with live_app.app_context():
        booked = list(
            db.session.scalars(
                select(Booking)
                .where(Booking.title == "Répétition de la chorale")
                .order_by(Booking.start_at)
            )
        )
        assert [to_local(b.start_at).date() for b in booked] == [
            date(2027, 10, 19),
            date(2027, 10, 26),
            date(2027, 11, 9),
        ]
        assert {to_local(b.start_at).strftime("%H:%M") for b in booked} == {"18:00"}

    page.click("text=Annuler cette réservation")
    page.wait_for_load_state()
    assert axe_violations(page) == []
    screenshot(page, "reservation-cancel")

"""The door display in a browser: it refreshes itself, can be paused, and rides out blips."""

from __future__ import annotations

import re
import time as pytime
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from booking.auth.models import Association
from booking.bookings.checkin import release_no_shows
from booking.bookings.models import Booking, BookingState
from booking.db import utcnow
from booking.door.qr import qr_svg
from booking.extensions import db
from booking.resources.models import OpeningHours, Resource, ResourceKind, Site
from booking.timeutil import to_local
from tests import factories
from tests.browser.conftest import axe_violations, log_in


def _door_path(live_app) -> str:
    with live_app.app_context():
        slug = db.session.scalars(
            db.select(Resource.slug).where(Resource.is_bookable.is_(True)).order_by(Resource.id)
        ).first()
    return f"/rooms/{slug}/door"


def _fast_polling(page) -> None:
    # The page's poll interval comes from data-poll-seconds: one second for the test.
    page.route(
        "**/rooms/*/door*",
        lambda route: route.fulfill(
            response=(response := route.fetch()),
            body=response.text().replace('data-poll-seconds="30"', 'data-poll-seconds="1"'),
        ),
    )


def test_the_page_polls_keeps_its_content_through_a_blip_and_can_be_paused(page, live_app):
    path = _door_path(live_app)
    _fast_polling(page)
    requests: list[str] = []
    page.on(
        "request", lambda request: requests.append(request.url) if "/door" in request.url else None
    )
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/door" in r.url else None)
    page.goto(f"{path}?lang=en")
    headline = page.locator(".door-headline").first.inner_text()
    page.wait_for_function("() => true")
    page.wait_for_timeout(2500)
    assert len(requests) >= 2  # the first load, then at least one conditional fetch
    assert statuses[0] == 200
    assert 304 in statuses[1:]  # the page's own ETag is asked about: nothing changed

    # The network goes away: the last content stays, with a discreet message.
    page.unroute("**/rooms/*/door*")
    page.route("**/rooms/*/door*", lambda route: route.abort())
    page.wait_for_selector("#door-offline.door-offline-shown", timeout=5000)
    assert "Connection lost" in page.locator("#door-offline").inner_text()
    assert page.locator(".door-headline").first.inner_text() == headline

    # Back: the message goes.
    page.unroute("**/rooms/*/door*")
    page.wait_for_function(
        "() => !document.getElementById('door-offline').classList.contains('door-offline-shown')",
        timeout=5000,
    )

    # Paused: no more requests.
    button = page.locator("#door-pause")
    assert button.inner_text() == "Pause updates"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text() == "Resume updates"
    seen = len(requests)
    page.wait_for_timeout(2500)
    assert len(requests) == seen


JOURNEY_ROOM = "salle-ty-skol"


def _journey_room(live_app, start_at: datetime) -> int:
    """A room needing check-in, open all day, bookable at once, with a booking from `start_at`."""
    with live_app.app_context():
        site = db.session.scalars(select(Site).order_by(Site.id)).first()
        room = Resource(
            site=site,
            kind=ResourceKind.VISIO_ROOM,
            name="Salle Ty Skol",
            slug=JOURNEY_ROOM,
            capacity=8,
            requires_approval=False,
            min_notice_minutes=0,
            slot_step_minutes=5,
            min_duration_minutes=30,
            max_duration_minutes=120,
            horizon_days=30,
            checkin_required=True,
            checkin_grace_minutes=15,
        )
        db.session.add(room)
        db.session.flush()
        for weekday in range(7):
            db.session.add(
                OpeningHours(
                    resource_id=room.id, weekday=weekday, opens_at=time(0), closes_at=time(23, 59)
                )
            )
        association = db.session.scalar(
            select(Association).where(Association.slug == "repair-cafe-bellevue")
        )
        booking = factories.make_booking(
            room,
            start_at,
            start_at + timedelta(minutes=30),
            association=association,
            title="Atelier vélo",
            is_public=True,
        )
        db.session.commit()
        return booking.id


def _clear_of_the_step_boundary() -> datetime:
    """Now, at least 45 s before the next 5-minute boundary (the first slot the door offers
    starts there: the person following its QR code needs a moment to fill in the form)."""
    now = utcnow()
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=5 - now.minute % 5)
    if boundary - now < timedelta(seconds=45):
        pytime.sleep((boundary - now).total_seconds() + 1)
        now = utcnow()
    return now


def test_a_no_show_is_released_and_someone_else_books_it_from_the_door_qr(
    page, browser, live_app, base_url
):
    if not time(0, 10) <= to_local(utcnow()).time() <= time(23, 0):
        pytest.skip("the journey's room closes at 23:59: not run around midnight")
    now = _clear_of_the_step_boundary()
    start_at = now.replace(second=0, microsecond=0) - timedelta(minutes=now.minute % 5)
    booking_id = _journey_room(live_app, start_at)
    public_base = live_app.config["BASE_URL"]
    live_app.config["BASE_URL"] = base_url  # the QR codes' links lead to this test server
    try:
        # The booking has started; the door asks its people to check in.
        page.goto(f"/rooms/{JOURNEY_ROOM}/door")
        deadline = to_local(start_at + timedelta(minutes=15)).strftime("%H:%M")
        assert page.locator(".door-headline").inner_text().startswith("Occupée jusqu’à")
        prompt = page.locator(".door-checkin h2").inner_text()
        assert prompt == f"Présentez-vous : enregistrement avant {deadline}"
        checkin_url = f"{base_url}/reservations/{booking_id}/check-in"
        assert page.locator(".door-checkin a").get_attribute("href") == checkin_url
        assert axe_violations(page) == []

        # Nobody checks in: the grace period passes (the release is run at that instant).
        with live_app.app_context():
            assert release_no_shows(start_at + timedelta(minutes=15)) == 1
            db.session.commit()

        page.reload()
        assert page.locator(".door-headline").inner_text().startswith("Libre")
        assert page.locator(".door-checkin").count() == 0
        assert "Atelier vélo" not in page.locator("#door-content").inner_text()
        book_url = page.locator(".door-book a.door-url").get_attribute("href")
        label = "Code QR du formulaire de réservation de Salle Ty Skol"
        modules = page.locator(".door-book svg path.qrline").get_attribute("d")
        expected = re.search(r'class="qrline"[^>]* d="([^"]+)"', str(qr_svg(book_url, label)))
        assert modules == expected.group(1)  # the code encodes exactly this link
        assert page.locator(".door-book svg").get_attribute("aria-label") == label
        assert axe_violations(page) == []

        # Someone else follows the QR code's link and books the freed slot.
        context = browser.new_context(
            base_url=base_url, locale="fr-FR", viewport={"width": 1280, "height": 900}
        )
        try:
            other = context.new_page()
            log_in(other, "association@example.org")
            other.goto(book_url)
            offered = other.input_value("#start")
            other.fill("#title", "Réunion imprévue")
            other.fill("#attendees", "4")
            with other.expect_navigation():
                other.click("#submit")
            assert "/new" not in other.url
        finally:
            context.close()
        with live_app.app_context():
            taken = db.session.scalar(select(Booking).where(Booking.title == "Réunion imprévue"))
            assert taken.resource.slug == JOURNEY_ROOM
            assert taken.state is BookingState.APPROVED
            assert to_local(taken.start_at).strftime("%H:%M") == offered
            assert taken.start_at < start_at + timedelta(minutes=30)  # inside the freed slot

        page.reload()  # taken again from the offered time
        assert page.locator(".door-headline").inner_text() == f"Libre jusqu’à {offered}"
    finally:
        live_app.config["BASE_URL"] = public_base

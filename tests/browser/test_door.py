"""The door display in a browser: it refreshes itself, can be paused, and rides out blips."""

from __future__ import annotations

from booking.extensions import db
from booking.resources.models import Resource


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
    page.goto(f"{path}?lang=en")
    headline = page.locator(".door-headline").first.inner_text()
    page.wait_for_function("() => true")
    page.wait_for_timeout(2500)
    assert len(requests) >= 2  # the first load, then at least one conditional fetch

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

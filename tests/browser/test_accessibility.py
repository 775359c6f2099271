"""Zero axe-core violations (WCAG 2.0/2.1 A and AA) on every page reached through the links,
anonymous and as each demo role."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import delete, select

from booking.auth.models import User
from booking.bookings.models import Booking, BookingState
from booking.core.unavailable import unavailable_response
from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Resource
from tests.browser.conftest import axe_violations, log_in, screenshot

# Links not to follow: actions, downloads, the other language (checked on its own below).
SKIP = re.compile(r"^/(lang/|feeds/|bookings/\d+\.ics|static/)|\.(ics|csv|json|geojson)$|/logout")
MAX_PAGES = 45


def _page_key(path: str) -> str:
    """Pages differing only by numbers (ids, dates) count once: one calendar day, one booking."""
    return re.sub(r"\d+", "N", path)


def crawl(page, start: str = "/") -> dict[str, list[dict]]:
    """Visit same-site pages breadth first from `start`; return axe violations per URL."""
    origin = urlsplit(page.url or "http://x").netloc
    queue, seen, found = [start], set(), {}
    while queue and len(found) < MAX_PAGES:
        path = queue.pop(0)
        key = _page_key(urlsplit(path).path)
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(path)
        assert response is not None
        assert response.status < 500, f"{path} answered {response.status}"
        violations = axe_violations(page)
        if violations:
            found[path] = violations
        else:
            found.setdefault(path, [])
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.netloc and parts.netloc != origin:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.scheme in ("mailto", "webcal") or SKIP.search(parts.path):
                continue
            if _page_key(parts.path) not in seen:
                queue.append(target)
        origin = urlsplit(page.url).netloc
    return found


@pytest.mark.parametrize(
    "email",
    [None, "association@example.org", "gestionnaire@example.org", "admin@example.org"],
    ids=["anonymous", "association", "manager", "admin"],
)
def test_every_page_has_no_axe_violations(page, email: str | None) -> None:
    if email:
        log_in(page, email)
    page.goto("/")
    results = crawl(page)
    assert len(results) >= 3
    failing = {url: v for url, v in results.items() if v}
    assert failing == {}


def test_english_pages_have_no_axe_violations(page) -> None:
    page.goto("/lang/en?next=/")
    results = crawl(page)
    assert {url: v for url, v in results.items() if v} == {}


def test_main_pages_screenshots_at_desktop_and_phone_width(page) -> None:
    page.goto("/")
    screenshot(page, "home")
    first_resource = page.locator("a[href^='/resources/']").first.get_attribute("href")
    page.goto(first_resource)
    screenshot(page, "resource")
    # At 360 px nothing may scroll sideways but the wide tables.
    page.set_viewport_size({"width": 360, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1


def test_the_busy_page_has_no_axe_violations(page, live_app) -> None:
    """The 503 "service busy" page (booking/core/unavailable.py) is only reached when the
    database is locked or gone: it is rendered here and served at a probe address."""
    with live_app.test_request_context("/", headers={"Accept-Language": "fr"}):
        html, status, headers = unavailable_response()
    page.route(
        "**/busy-probe",
        lambda route: route.fulfill(
            status=status, headers=headers, body=html, content_type="text/html; charset=utf-8"
        ),
    )
    page.goto("/busy-probe")
    assert page.locator("h1").inner_text() == "Le service est occupé"
    assert axe_violations(page) == []


def test_signed_in_devices_and_sign_out_everywhere_have_no_axe_violations(page) -> None:
    """The profile's device list (with its buttons) and the administrator's "sign out everywhere"."""
    log_in(page, "admin@example.org")
    page.goto("/account/profile")
    assert page.locator("#devices-heading").count() == 1
    assert page.locator("form[action^='/account/devices/'] button").count() >= 1
    assert axe_violations(page) == []
    page.goto("/admin/users")
    page.locator("main a[href^='/admin/users/']").first.click()
    page.wait_for_load_state()
    assert page.locator("form[action$='/sign-out'] button").count() == 1
    assert axe_violations(page) == []


def test_the_signed_in_language_switch_is_a_form_without_axe_violations(page) -> None:
    log_in(page, "association@example.org")
    page.goto("/")
    page.locator(".lang-switch form button[lang='en']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert axe_violations(page) == []
    # Back to French: the choice is saved in the demo account the other tests use.
    page.locator(".lang-switch form button[lang='fr']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"


@pytest.fixture
def more_requests(live_app):
    """Three more pending requests of the demo association for a room of the demo manager."""
    with live_app.app_context():
        manager = db.session.scalar(select(User).where(User.email == "gestionnaire@example.org"))
        member = db.session.scalar(select(User).where(User.email == "association@example.org"))
        resource = next(r for r in _all_resources() if r.can_approve(manager))
        start = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=40)
        added = [
            Booking(
                resource=resource,
                association=member.associations[0],
                requester_id=member.id,
                title=f"Demande {n}",
                state=BookingState.PENDING,
                exclusive=resource.is_exclusive,
                start_at=start + timedelta(days=n),
                end_at=start + timedelta(days=n, hours=1),
            )
            for n in range(3)
        ]
        db.session.add_all(added)
        db.session.commit()
        ids = [b.id for b in added]
    yield
    with live_app.app_context():
        db.session.execute(delete(Booking).where(Booking.id.in_(ids)))
        db.session.commit()


def _all_resources() -> list[Resource]:
    return list(db.session.scalars(select(Resource).order_by(Resource.id)))


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        ("gestionnaire@example.org", ["/approvals/", "/approvals/?page=2", "/admin/resources"]),
        ("association@example.org", ["/reservations/mine"]),
    ],
    ids=["manager", "association"],
)
def test_paginated_lists_have_no_axe_violations(
    page, live_app, more_requests, email, paths
) -> None:
    """One row a page, so every list shows its pager (a nav with aria-current)."""
    size = live_app.config["PAGE_SIZE"]
    live_app.config["PAGE_SIZE"] = 1
    try:
        log_in(page, email)
        for path in paths:
            response = page.goto(path)
            assert response is not None
            assert response.status == 200, path
            assert page.locator("nav.pagination [aria-current=page]").count() == 1, path
            assert axe_violations(page) == [], path
    finally:
        live_app.config["PAGE_SIZE"] = size


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_widget_has_no_axe_violations(page, lang: str) -> None:
    page.goto("/")
    resource = page.locator("a[href^='/resources/']").first.get_attribute("href")
    site = page.locator("a[href^='/sites/']").first.get_attribute("href")
    for path in (resource, site):
        page.goto(f"/widget{path}?lang={lang}")
        assert axe_violations(page) == [], path


def test_api_token_pages_and_the_api_documentation_have_no_axe_violations(page) -> None:
    log_in(page, "association@example.org")
    for path in ("/account/profile", "/account/tokens/", "/api/v1/docs"):
        page.goto(path)
        if path == "/api/v1/docs":
            page.wait_for_selector("#swagger-ui .info", timeout=10000)
        assert axe_violations(page) == [], path
    page.goto("/account/tokens/")
    page.fill("#name", "Site web")
    page.click("main form[action='/account/tokens/'] button[type=submit]")
    assert page.locator("#new-token").input_value().startswith("so_")
    assert axe_violations(page) == []


# The statistics and open-data pages (issue 14), checked on their own in both languages
# whatever the crawl's page budget reaches.
STATS_PAGES = ("/stats/", "/stats/?period=year", "/stats/report", "/open-data/")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_statistics_and_open_data_pages_have_no_axe_violations(page, lang: str) -> None:
    log_in(page, "admin@example.org")
    page.goto("/")
    switch = page.locator(f".lang-switch form button[lang='{lang}']")
    if switch.count():  # only the other language has a button
        switch.click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang
    failing = {}
    for path in STATS_PAGES:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
        violations = axe_violations(page)
        if violations:
            failing[path] = violations
    # The admin's language back to the demo's default.
    if lang != "fr":
        page.locator(".lang-switch form button[lang='fr']").click()
        page.wait_for_load_state()
    assert failing == {}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_door_displays_have_no_axe_violations(page, lang: str) -> None:
    page.goto("/")
    resource = page.locator("a[href^='/resources/']").first.get_attribute("href")
    site = page.locator("a[href^='/sites/']").first.get_attribute("href")
    room_door = resource.replace("/resources/", "/rooms/") + "/door"
    for path in (room_door, f"{site}/door", f"{room_door}?pause=1"):
        separator = "&" if "?" in path else "?"
        page.goto(f"{path}{separator}lang={lang}")
        assert page.locator(".door-headline").first.is_visible(), path
        assert axe_violations(page) == [], path

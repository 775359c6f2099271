"""Zero axe-core violations (WCAG 2.0/2.1 A and AA) on every page reached through the links,
anonymous and as each demo role."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

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


# The statistics and open-data pages (issue 14), checked on their own in both languages
# whatever the crawl's page budget reaches.
STATS_PAGES = ("/stats/", "/stats/?period=year", "/stats/report", "/open-data/")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_statistics_and_open_data_pages_have_no_axe_violations(page, lang: str) -> None:
    log_in(page, "admin@example.org")
    page.goto("/")
    page.locator(f".lang-switch form button[lang='{lang}']").click()
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
    page.locator(".lang-switch form button[lang='fr']").click()
    page.wait_for_load_state()
    assert failing == {}

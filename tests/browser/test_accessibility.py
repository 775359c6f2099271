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


# The statistics and open-data pages (issue 14), checked on their own in both languages
# whatever the crawl's page budget reaches.
STATS_PAGES = ("/stats/", "/stats/?period=year", "/stats/report", "/open-data/")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_statistics_and_open_data_pages_have_no_axe_violations(page, lang: str) -> None:
    log_in(page, "admin@example.org")
    page.goto(f"/lang/{lang}?next=/")
    failing = {}
    for path in STATS_PAGES:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, path
        violations = axe_violations(page)
        if violations:
            failing[path] = violations
    page.goto("/lang/fr?next=/")  # the admin's language back to the demo's default
    assert failing == {}

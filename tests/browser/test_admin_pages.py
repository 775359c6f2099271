"""The administration in a real browser: no axe-core violations on any admin page (as the
administrator and as a manager), also with form errors shown, and usable at 360 px."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import axe_violations, log_in, screenshot

MAX_PAGES = 60


def crawl_admin(page) -> dict[str, list[dict]]:
    """Visit the admin pages reachable from /admin/ (one per shape of address)."""
    queue, seen, found = ["/admin/"], set(), {}
    while queue and len(found) < MAX_PAGES:
        path = queue.pop(0)
        key = re.sub(r"\d+", "N", path)
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(path)
        assert response is not None
        assert response.status < 500, f"{path} answered {response.status}"
        found[path] = axe_violations(page)
        for href in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if parts.path.startswith("/admin/"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.mark.parametrize(
    "email", ["admin@example.org", "gestionnaire@example.org"], ids=["admin", "manager"]
)
def test_admin_pages_have_no_axe_violations(page, email: str) -> None:
    log_in(page, email)
    results = crawl_admin(page)
    assert len(results) >= 5
    assert {url: v for url, v in results.items() if v} == {}


def test_admin_forms_with_errors_have_no_axe_violations(page) -> None:
    log_in(page, "admin@example.org")
    page.goto("/admin/resources/new")
    page.fill("#name", "Salle d'essai")
    page.fill("#capacity", "0")
    page.fill("#min_duration_minutes", "120")
    page.fill("#max_duration_minutes", "60")
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#capacity-error").is_visible()
    assert page.locator("#max_duration_minutes-error").is_visible()
    assert axe_violations(page) == []
    page.goto("/admin/closures/new")
    page.fill("#label", "Essai")
    page.fill("#start_at", "2030-01-15T18:00")
    page.fill("#end_at", "2030-01-15T09:00")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#end_at-error").is_visible()
    assert axe_violations(page) == []


def test_admin_pages_fit_a_phone_screen(page) -> None:
    log_in(page, "admin@example.org")
    for path, name in (
        ("/admin/", "admin"),
        ("/admin/resources", "admin-resources"),
        ("/admin/users", "admin-users"),
    ):
        page.goto(path)
        screenshot(page, name)
        page.set_viewport_size({"width": 360, "height": 800})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, path
        page.set_viewport_size({"width": 1280, "height": 900})

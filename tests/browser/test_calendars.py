"""The calendars area (feeds engineer) in a real browser: the subscribe and private-feed
partials and the closure import page, with no axe-core violations, usable at 360 px."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser


@pytest.fixture(params=[1280, 360], ids=["desktop", "phone"])
def tab(request, browser, base_url: str) -> Iterator:
    context = browser.new_context(
        base_url=base_url,
        locale="fr-FR",
        viewport={"width": request.param, "height": 900},
        bypass_csp=True,  # lets axe-core be injected; the pages themselves run under the CSP
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _check(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, path
    assert axe_violations(page) == [], path
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, f"{path} scrolls sideways"


def test_subscribe_partial_on_resource_and_site_pages(tab) -> None:
    tab.goto("/")
    resource = tab.locator("a[href^='/resources/']").first.get_attribute("href")
    _check(tab, resource)
    assert tab.locator(".feed-subscribe a[href^='webcal://']").count() == 1
    copy = tab.locator("button[data-copy-target]")
    assert copy.is_visible()  # shown by the script, hidden without it
    site = tab.locator("a[href^='/sites/']").first.get_attribute("href")
    _check(tab, site)


def test_private_feed_page_before_and_after_making_an_address(tab) -> None:
    log_in(tab, "association@example.org")
    _check(tab, "/account/calendar-feed")
    tab.locator("form[action='/account/calendar-feed/new'] button").click()
    tab.wait_for_load_state()
    assert tab.locator("input[value*='/feeds/private/']").count() == 1
    assert axe_violations(tab) == []


def test_closure_import_page(tab) -> None:
    log_in(tab, "gestionnaire@example.org")
    _check(tab, "/manage/closures/import")
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_load_state()
    assert tab.locator(".error").count() >= 1
    assert axe_violations(tab) == []

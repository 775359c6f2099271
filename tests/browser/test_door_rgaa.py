"""RGAA criteria on the door displays (`/rooms/<slug>/door`, `/sites/<slug>/door`), see docs/rgaa.md.

- axe-core, French and English, room and kiosk (contrast 3.2, names, landmarks);
- 1.1 / 1.2: each QR code is an image named in words, its link printed next to it;
- 3.1: the state is said in words, the pictogram is hidden from assistive technologies;
- 8.3 / 8.7: the page's language, and the other language's link marked as such;
- 9.1: one h1 (the room or place), then h2;
- 13.1 (WCAG 2.2.1 / 2.2.2): the pause control is the first focusable element, with or
  without JavaScript; paused, the page no longer refreshes itself;
- 10.7: the focused control is visibly outlined; 10.11: reflow at 320 px.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from booking.extensions import db
from booking.resources.models import Resource, Site
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

FIRST_FOCUS = """() => { const s = getComputedStyle(document.activeElement);
  return {id: document.activeElement.id, text: document.activeElement.textContent.trim(),
          href: document.activeElement.getAttribute('href'),
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""


@pytest.fixture(scope="module")
def door_paths(live_app) -> list[str]:
    with live_app.app_context():
        room = db.session.scalars(
            select(Resource.slug).where(Resource.is_bookable.is_(True)).order_by(Resource.id)
        ).first()
        site = db.session.scalars(select(Site.slug).order_by(Site.id)).first()
    return [f"/rooms/{room}/door", f"/sites/{site}/door"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_door_displays_have_no_axe_violation_and_say_their_language(page, door_paths, lang):
    for path in door_paths:
        page.goto(f"{path}?lang={lang}")
        assert page.evaluate("document.documentElement.lang") == lang
        assert axe_violations(page) == [], path
        other = page.locator(".door-langs a")
        assert other.get_attribute("lang") == other.get_attribute("hreflang") != lang


def test_door_headings_start_with_one_h1_then_h2(page, door_paths):
    for path in door_paths:
        page.goto(path)
        levels = page.eval_on_selector_all("h1, h2, h3", "els => els.map(e => e.tagName)")
        assert levels[0] == "H1", path
        assert levels.count("H1") == 1, path
        assert set(levels[1:]) <= {"H2"}, path


def test_qr_codes_are_named_images_with_their_link_printed(page, door_paths):
    page.goto(door_paths[0])
    codes = page.locator("svg.door-qr-code")
    assert codes.count() >= 1
    for i in range(codes.count()):
        code = codes.nth(i)
        assert code.get_attribute("role") == "img"
        assert code.get_attribute("aria-label").startswith("Code QR ")
        link = code.locator("xpath=../figcaption/a")
        assert link.inner_text() == link.get_attribute("href")
    assert page.locator("svg.door-icon[aria-hidden=true]").count() >= 1
    assert page.locator(".door-headline").first.inner_text().strip() != ""


def test_the_pause_button_is_the_first_focus_and_visibly_outlined(page, door_paths):
    for path in door_paths:
        page.goto(f"{path}?lang=en")
        page.keyboard.press("Tab")
        focused = page.evaluate(FIRST_FOCUS)
        assert focused["id"] == "door-pause", path
        assert focused["text"] == "Pause updates"
        assert focused["outline"] != "none"
        assert focused["width"] >= 2


def test_without_javascript_a_pause_link_comes_first_and_stops_the_refresh(
    browser, base_url, door_paths
):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    try:
        tab = context.new_page()
        for path in door_paths:
            tab.goto(f"{path}?lang=en")
            assert tab.locator('meta[http-equiv="refresh"]').count() == 1
            tab.keyboard.press("Tab")
            focused = tab.evaluate(FIRST_FOCUS)
            assert focused["text"] == "Pause updates", path
            assert focused["href"] == f"{path}?pause=1&lang=en"
            assert focused["outline"] != "none"
            assert focused["width"] >= 2
            tab.goto(f"{path}?pause=1&lang=en")
            assert tab.locator('meta[http-equiv="refresh"]').count() == 0
            tab.keyboard.press("Tab")
            assert tab.evaluate(FIRST_FOCUS)["text"] == "Resume updates"
    finally:
        context.close()


@pytest.mark.parametrize("which", [0, 1])
def test_door_displays_reflow_at_320_pixels(page, door_paths, which):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(door_paths[which])
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, door_paths[which]

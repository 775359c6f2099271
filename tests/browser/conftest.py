"""Browser fixtures: the app served on 127.0.0.1 in a thread, Debian's Chromium, axe-core.

Chromium is Debian's (`/usr/bin/chromium`), driven by Playwright; no browser
is downloaded. Without it these tests are skipped, unless REQUIRE_BROWSER=1
(CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from booking import create_app
from booking.demo import seed_demo
from booking.extensions import db as _db
from config import TestConfig
from tests.conftest import empty_all_tables

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests/js/node_modules/axe-core/axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=fr-FR",  # native date and time inputs in French format
]


def _missing(what: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} is required (REQUIRE_BROWSER=1) but missing")
    pytest.skip(f"{what} not installed: browser tests skipped")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        _missing("Chromium (/usr/bin/chromium)")
    if not AXE.exists():
        _missing("axe-core (tests/js/node_modules, run `make js-deps`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def live_app(app: Flask) -> Iterator[Flask]:
    """A second app on the test database, with CSRF on as in production, and the demo data."""

    class _LiveConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        MAIL_OUTBOX_DIR = app.config["MAIL_OUTBOX_DIR"]
        WTF_CSRF_ENABLED = True
        PROPAGATE_TEST_ERRORS = False
        TESTING = False

    live = create_app(_LiveConfig)
    with live.app_context():
        empty_all_tables()
        seed_demo()
        _db.session.commit()
    yield live
    with live.app_context():
        _db.session.remove()
        empty_all_tables()
        _db.engine.dispose()


@pytest.fixture(scope="module")
def base_url(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, base_url: str) -> Iterator:
    # bypass_csp: the test injects axe-core into pages whose policy forbids inline scripts.
    context = browser.new_context(
        base_url=base_url,
        locale="fr-FR",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page, email: str, password: str = "demo-password") -> None:
    page.goto("/account/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/account/login" not in page.url, f"could not log in as {email}"


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the current page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return result


def screenshot(page, name: str) -> None:
    """Save the page at 1280 px and at 360 px wide under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

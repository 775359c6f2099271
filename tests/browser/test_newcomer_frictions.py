"""Issue 13, items 8–19, in a real browser on the demo data, with axe-core on every page:
an association awaiting validation, a machine without training, an open-lab session
filling up, and the pages that follow."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from booking.auth.models import Association, user_by_email
from booking.extensions import db
from booking.outbox import OutboxMessage
from booking.resources.models import Resource
from booking.timeutil import local_today
from tests import factories
from tests.browser.conftest import axe_violations, log_in, screenshot
from tests.browser.test_journeys import go, sign_in, submit, utc

ROOM = "salle-visio-bellevue-1"
MEMBER = "association@example.org"
CNC = "fraiseuse-numerique-des-fabriques"
LAB = "atelier-ouvert-du-jeudi-tyfab"


def next_thursday(weeks_later: int = 0) -> date:
    today = local_today()
    ahead = (3 - today.weekday()) % 7
    return today + timedelta(days=(ahead if ahead >= 2 else ahead + 7) + 7 * weeks_later)


def test_a_member_of_an_association_awaiting_validation_reads_it_and_is_emailed_when_validated(
    page, browser, base_url, live_app
) -> None:
    with live_app.app_context():
        waiting = factories.make_association("Les Voileux du Moulin Blanc", is_active=False)
        newcomer = factories.make_user("voileux@example.org", password_hash="", locale="fr")
        newcomer.set_password("demo-password")
        factories.add_member(newcomer, waiting, role="admin")
        db.session.commit()
        association_id = waiting.id

    sign_in(page, "voileux@example.org")
    go(page, f"/reservations/new?resource={ROOM}")
    notice = page.locator("#cannot-book")
    assert "Les Voileux du Moulin Blanc" in notice.inner_text()
    assert "attend la validation" in notice.inner_text()
    # The notice comes before the form, and the form cannot be sent.
    assert notice.bounding_box()["y"] < page.locator("#title").bounding_box()["y"]
    assert page.locator("#submit").is_disabled()
    screenshot(page, "issue13-8-awaiting-validation")

    admin = browser.new_context(base_url=base_url, locale="fr-FR", bypass_csp=True)
    try:
        tab = admin.new_page()
        log_in(tab, "admin@example.org")
        tab.goto(f"/admin/associations/{association_id}")
        assert axe_violations(tab) == []
        with tab.expect_navigation():
            tab.click(f"form[action$='/associations/{association_id}/validate'] button")
    finally:
        admin.close()
    with live_app.app_context():
        sent = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "association_validated",
                OutboxMessage.recipients == "voileux@example.org",
            )
        ).all()
        assert len(sent) == 1
    go(page, f"/reservations/new?resource={ROOM}")
    assert page.locator("#cannot-book").count() == 0
    assert page.locator("#submit").is_enabled()


def test_date_inputs_stop_at_the_horizon(page, live_app) -> None:
    with live_app.app_context():
        horizon = db.session.scalar(select(Resource.horizon_days).where(Resource.slug == ROOM))
    sign_in(page, MEMBER)
    go(page, f"/reservations/new?resource={ROOM}")
    assert (
        page.get_attribute("#date", "max") == (local_today() + timedelta(days=horizon)).isoformat()
    )
    assert page.get_attribute("#date", "min") >= local_today().isoformat()


def test_a_machine_without_training_says_so_up_front_and_speaks_of_a_machine(page) -> None:
    sign_in(page, MEMBER)
    go(page, f"/reservations/new?resource={CNC}")
    status = page.locator("#training-status").inner_text()
    assert "que vous n’avez pas encore" in status
    assert "Pour l’obtenir" in status
    assert page.locator("#attendees").count() == 0
    assert page.locator("input[name=repeat]").count() == 0
    assert "conseil" not in page.locator("form.reservation-form").inner_text().lower()
    screenshot(page, "issue13-11-machine-without-training")
    page.fill("#date", next_thursday(weeks_later=1).isoformat())
    page.fill("#start", "14:00")
    page.fill("#end", "15:00")
    page.fill("#title", "Pièces pour le repair café")
    submit(page, "#submit")
    problems = page.locator("#form-problems").inner_text()
    assert "formation" in problems


def test_an_open_lab_session_fills_up_and_the_next_person_joins_the_waiting_list(
    page, browser, base_url, live_app
) -> None:
    day = next_thursday(weeks_later=2)
    with live_app.app_context():
        lab = db.session.scalar(select(Resource).where(Resource.slug == LAB))
        start, end = (
            utc(day, lab.opening_hours[0].opens_at),
            utc(day, lab.opening_hours[0].closes_at),
        )
        for _ in range(lab.capacity - 1):
            factories.make_booking(lab, start, end, state="approved", title="Atelier")
        db.session.commit()

    sign_in(page, MEMBER)
    go(page, f"/calendar/resources/{LAB}/week?date={day.isoformat()}")
    row = page.locator("#sessions tbody tr").filter(has_text="1 place restante")
    assert row.count() == 1
    screenshot(page, "issue13-12-sessions")
    submit(page, "#sessions tbody tr:has-text('1 place restante') a")
    assert "1 place restante" in page.locator("#slot option:checked").inner_text()
    page.fill("#title", "Ma lampe")
    submit(page, "#submit")
    assert "/new" not in page.url

    with browser.new_context(base_url=base_url, locale="fr-FR", bypass_csp=True) as other:
        tab = other.new_page()
        with live_app.app_context():
            late = factories.make_user("retard@example.org", locale="fr")
            late.set_password("demo-password")
            assoc = db.session.scalar(
                select(Association).where(Association.slug == "repair-cafe-bellevue")
            )
            factories.add_member(late, assoc)
            db.session.commit()
        log_in(tab, "retard@example.org")
        tab.goto(f"/calendar/resources/{LAB}/week?date={day.isoformat()}")
        assert axe_violations(tab) == []
        full = tab.locator("#sessions tbody tr").filter(has_text="Complet")
        assert full.count() == 1
        with tab.expect_navigation():
            full.locator("a").click()
        assert axe_violations(tab) == []
        assert tab.locator("#session-full").is_visible()
        assert tab.input_value("#submit") == "Rejoindre la liste d’attente"
        tab.fill("#title", "Ma lampe aussi")
        with tab.expect_navigation():
            tab.click("#submit")
        assert "liste d" in tab.locator("[role=status]").first.inner_text()
    with live_app.app_context():
        assert user_by_email("retard@example.org") is not None


def test_my_bookings_and_the_menu_fit_a_phone(page) -> None:
    sign_in(page, MEMBER)
    page.set_viewport_size({"width": 360, "height": 800})
    go(page, "/reservations/mine")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    menu = page.locator(".main-nav").bounding_box()
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.main-nav a')).lineHeight) || 24"
    )
    assert menu["height"] <= 2 * line + 40  # at most two lines
    screenshot(page, "issue13-18-mine")

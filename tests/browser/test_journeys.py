"""The issue's journeys 1–5 in a real browser, on the demo data, with axe-core on every page.

Each test sets up what it needs (in the `live_app` context, committed) on its own
Tuesday afternoon of Salle visio Bellevue 1 (12 people, a camera, run by the demo
manager), so the tests do not depend on one another's order.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from babel.dates import format_date
from icalendar import Calendar
from sqlalchemy import select

from booking.auth.models import Association, user_by_email
from booking.bookings.models import Booking, BookingState
from booking.bookings.services import BookingRequest, approve, request_booking
from booking.db import utcnow
from booking.demo import french_public_holidays
from booking.extensions import db
from booking.outbox import OutboxMessage
from booking.resources.models import Resource
from booking.timeutil import local_today, to_local, to_utc
from tests import factories
from tests.browser.conftest import axe_violations, log_in, screenshot

ROOM = "salle-visio-bellevue-1"
ROOM_NAME = "Salle visio Bellevue 1"
MEMBER = "association@example.org"
MANAGER = "gestionnaire@example.org"
ASSOCIATION = "repair-cafe-bellevue"
TWO_PM, FOUR_PM = time(14), time(16)


def next_tuesday(weeks_later: int = 0) -> date:
    """The first Tuesday at least 2 days ahead in Paris (then `weeks_later` weeks on),
    skipping public holidays, when the room is closed."""
    today = local_today()
    ahead = (1 - today.weekday()) % 7
    day = today + timedelta(days=ahead if ahead >= 2 else ahead + 7)
    day += timedelta(weeks=weeks_later)
    while day in {d for d, _label in french_public_holidays(day.year)}:
        day += timedelta(weeks=1)
    return day


def utc(day: date, at: time) -> datetime:
    return to_utc(datetime.combine(day, at))


def french_date(day: date) -> str:
    """As the pages write it: "mardi 1 décembre 2026"."""
    return format_date(day, "full", locale="fr")


@contextmanager
def tab(browser, base_url: str) -> Iterator:
    """A second browser (its own cookies) for a second person."""
    context = browser.new_context(
        base_url=base_url, locale="fr-FR", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def go(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, path
    assert axe_violations(page) == [], path


def sign_in(page, email: str, password: str = "demo-password") -> None:
    """Log in through the login page, checked by axe-core first."""
    go(page, "/account/login")
    log_in(page, email, password)
    assert axe_violations(page) == [], page.url


def submit(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)
    assert axe_violations(page) == [], page.url


def room() -> Resource:
    return db.session.scalar(select(Resource).where(Resource.slug == ROOM))


def repair_cafe() -> Association:
    return db.session.scalar(select(Association).where(Association.slug == ASSOCIATION))


def requested(live_app, day: date, title: str, *, approved: bool = False) -> Booking:
    """A request of the Repair Café for `day` 14:00–16:00, made through the booking service
    as the member would, approved by the room's manager when asked."""
    with live_app.app_context():
        booking = request_booking(
            user_by_email(MEMBER),
            BookingRequest(
                resource=room(),
                association=repair_cafe(),
                start_at=utc(day, TWO_PM),
                end_at=utc(day, FOUR_PM),
                title=title,
                attendees=8,
                is_public=True,
            ),
        )
        assert booking.state is BookingState.PENDING
        if approved:
            approve(user_by_email(MANAGER), booking)
        db.session.commit()
        db.session.refresh(booking)
        db.session.expunge(booking)
        return booking


def test_member_finds_a_free_room_with_a_camera_from_the_home_page_and_requests_it(
    page, live_app
) -> None:
    day = next_tuesday()
    sign_in(page, MEMBER)
    go(page, "/")
    page.fill("#date", day.isoformat())
    page.fill("#start", "14:00")
    page.fill("#end", "16:00")
    page.fill("#attendees", "8")
    page.check("input[name=equipment][value=camera]")
    page.select_option("#kind", "visio")
    page.select_option("#neighbourhood", "Bellevue")
    screenshot(page, "journey-1-search")
    submit(page, "form.find-form button[type=submit]")

    assert "/find?" in page.url
    results = page.locator("ul.results > li")
    assert results.count() == 1  # Bellevue 2 seats only 6
    assert results.locator("h3").inner_text() == ROOM_NAME
    why = results.locator("ul.why").inner_text()
    assert "Caméra grand angle" in why
    screenshot(page, "journey-1-results")

    submit(page, "ul.results a.button")
    assert "/reservations/new?" in page.url
    assert page.locator("h1").inner_text() == f"Réserver {ROOM_NAME}"
    assert page.input_value("#date") == day.isoformat()
    assert page.input_value("#start") == "14:00"
    assert page.input_value("#end") == "16:00"
    page.fill("#title", "Atelier réparation en visio")
    page.fill("#attendees", "8")
    screenshot(page, "journey-1-form")
    submit(page, "#submit")

    assert "/reservations/" in page.url
    assert "/new" not in page.url
    assert "en attente" in page.locator("[role=status]").first.inner_text()
    assert "en attente" in page.locator(".booking-state").inner_text().lower()
    assert "14:00–16:00" in page.locator("dl.facts").inner_text()
    screenshot(page, "journey-1-pending")

    submit(page, "a[href='/reservations/mine']")
    row = page.locator("table.bookings tbody tr", has_text="Atelier réparation en visio")
    assert row.count() == 1
    assert "en attente" in row.locator(".state").inner_text().lower()
    with live_app.app_context():
        booking = db.session.scalar(
            select(Booking).where(Booking.title == "Atelier réparation en visio")
        )
        assert booking.state is BookingState.PENDING
        assert booking.attendees == 8
        assert to_local(booking.start_at).replace(tzinfo=None) == datetime.combine(day, TWO_PM)


def test_manager_approves_from_the_queue_and_the_member_sees_it_approved_and_is_emailed(
    page, browser, base_url, live_app
) -> None:
    day = next_tuesday(weeks_later=1)
    booking = requested(live_app, day, "Réunion mensuelle du Repair Café")

    sign_in(page, MANAGER)
    submit(page, "a[href='/approvals/']")
    request = page.locator("article.desk-request", has_text="Réunion mensuelle du Repair Café")
    assert request.count() == 1
    assert french_date(day) in request.inner_text()
    screenshot(page, "journey-2-queue")
    submit(page, f"form[action='/approvals/{booking.id}/approve'] button[type=submit]")
    assert (
        "Demande acceptée : Réunion mensuelle du Repair Café"
        in page.locator("[role=status]").first.inner_text()
    )
    assert page.locator("article.desk-request", has_text="Réunion mensuelle").count() == 0

    with tab(browser, base_url) as member:
        sign_in(member, MEMBER)
        go(member, f"/reservations/{booking.id}")
        assert "acceptée" in member.locator(".booking-state").inner_text().lower()
        screenshot(member, "journey-2-approved")
        go(member, "/reservations/mine")
        row = member.locator("table.bookings tbody tr", has_text="Réunion mensuelle")
        assert "acceptée" in row.locator(".state").inner_text().lower()

    with live_app.app_context():
        assert db.session.get(Booking, booking.id).state is BookingState.APPROVED
        emails = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "approved")
        ).all()
        mine = [e for e in emails if MEMBER in e.recipients.split(",")]
        subjects = [str(e.message()["Subject"]) for e in mine]
        assert any(
            s.startswith(f"Réservation acceptée : {ROOM_NAME}") and str(day.day) in s
            for s in subjects
        ), subjects


def test_same_slot_for_another_association_is_refused_naming_the_conflict(page, live_app) -> None:
    day = next_tuesday(weeks_later=2)
    requested(live_app, day, "Permanence du Repair Café", approved=True)
    with live_app.app_context():
        other = factories.make_association(
            "Jardins partagés de Bellevue", validated_at=utcnow(), registration_number="W2910099"
        )
        person = factories.make_user("jardins@example.org", email_confirmed_at=utcnow())
        factories.add_member(person, other, "admin")
        db.session.commit()
        other_id = other.id

    sign_in(page, "jardins@example.org", factories.PASSWORD)
    go(page, f"/reservations/new?resource={ROOM}&date={day.isoformat()}&start=14:00&end=16:00")
    page.fill("#title", "Assemblée des jardiniers")
    page.fill("#attendees", "8")
    submit(page, "#submit")

    assert "/reservations/new" in page.url  # still on the form
    refusal = page.locator("#start-error").inner_text()
    assert "Créneau déjà réservé" in refusal
    assert f"le {french_date(day)} de 14:00 à 16:00" in refusal
    assert ROOM_NAME in refusal
    assert page.locator("#start").get_attribute("aria-describedby").count("start-error") == 1
    screenshot(page, "journey-3-conflict")
    with live_app.app_context():
        assert not db.session.scalars(
            select(Booking).where(Booking.association_id == other_id)
        ).all()


def last_sunday_of_october(year: int) -> date:
    day = date(year, 10, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def october_series() -> list[date]:
    """Six Tuesdays from three weeks before the October clock change (31 October 2027,
    03:00 CEST -> 02:00 CET), or of a later year once that one is near or past; never
    one with a public holiday (11 November)."""
    year = 2027
    while True:
        change = last_sunday_of_october(year)
        first = change - timedelta(weeks=3) + timedelta(days=2)  # a Tuesday
        dates = [first + timedelta(weeks=n) for n in range(6)]
        if first > local_today() + timedelta(days=2) and date(year, 11, 11) not in dates:
            return dates
        year += 1


def test_weekly_series_across_the_october_clock_change_books_the_free_dates_at_18h(
    page, live_app
) -> None:
    dates = october_series()
    first = dates[0]
    busy = dates[3]  # the first Tuesday after the change
    with live_app.app_context():
        room().horizon_days = (dates[-1] - local_today()).days + 30
        factories.make_booking(
            room(),
            utc(busy, time(18, 30)),
            utc(busy, time(19, 30)),
            association=db.session.scalar(
                select(Association).where(Association.slug == "wiki-brest")
            ),
            title="Atelier contributif",
            is_public=True,
        )
        db.session.commit()

    sign_in(page, MEMBER)
    go(page, f"/reservations/new?resource={ROOM}&date={first.isoformat()}&start=18:00&end=20:00")
    page.fill("#title", "Chorale du mardi")
    page.check("input[name=repeat][value=weekly]")
    page.check("input[name=ends][value=count]")
    page.fill("#count", "6")
    submit(page, "#preview")

    rows = page.locator("#preview tbody tr:not(.plan-b-row)")  # one row a date, plan B below
    assert rows.count() == 6
    assert page.locator("#preview tbody tr.plan-b-row").count() == 1  # under the busy date
    summary = page.locator("#preview [role=status]").inner_text()
    assert "6 dates" in summary
    assert "5 sont libres" in summary
    for n, day in enumerate(dates):
        text = rows.nth(n).inner_text()
        assert format_date(day, "long", locale="fr") in text
        assert "18:00–20:00" in text  # the same local time before and after the change
    conflict = page.locator("#preview td.slot-busy")
    assert conflict.count() == 1
    conflict_row = conflict.locator("xpath=..").inner_text()
    assert format_date(busy, "long", locale="fr") in conflict_row
    assert "Créneau déjà réservé" in conflict_row
    assert "de 18:30 à 19:30" in conflict_row
    screenshot(page, "journey-4-preview")

    submit(page, "#submit_free")
    assert "5 dates" in page.locator("[role=status]").first.inner_text()
    series_dates = page.locator("ul.series-dates li")
    assert series_dates.count() == 4  # the other dates, this page shows the first
    assert "18:00–20:00" in page.locator("dl.facts").inner_text()
    for n in range(4):
        assert "18:00–20:00" in series_dates.nth(n).inner_text()
    screenshot(page, "journey-4-series")
    with live_app.app_context():
        booked = db.session.scalars(
            select(Booking).where(Booking.title == "Chorale du mardi").order_by(Booking.start_at)
        ).all()
        assert [to_local(b.start_at).date() for b in booked] == [d for d in dates if d != busy]
        assert {to_local(b.start_at).time() for b in booked} == {time(18)}
        assert {b.end_at - b.start_at for b in booked} == {timedelta(hours=2)}
        # in UTC the time moves by the hour of the clock change
        assert {b.start_at.hour for b in booked} == {16, 17}
        assert {b.state for b in booked} == {BookingState.PENDING}


def test_visitor_finds_the_approved_booking_in_the_room_feed(page, live_app, base_url) -> None:
    day = next_tuesday(weeks_later=3)
    booking = requested(live_app, day, "Café numérique de Bellevue", approved=True)

    go(page, "/")
    submit(page, "a[href='/sites/maison-quartier-bellevue']")
    submit(page, f"main a[href='/resources/{ROOM}']")
    assert page.locator("h1").inner_text() == ROOM_NAME
    screenshot(page, "journey-5-resource")
    https = page.input_value(".feed-subscribe input[readonly]")
    webcal = page.get_attribute(".feed-subscribe a[href^='webcal://']", "href")
    public = live_app.config["BASE_URL"].rstrip("/")
    assert https == f"{public}/feeds/resources/{ROOM}.ics"
    assert webcal == "webcal://" + https.split("://", 1)[1]

    response = page.request.get(base_url + https.removeprefix(public))  # the same path, here
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    events = [
        e
        for e in Calendar.from_ical(response.body()).walk("VEVENT")
        if str(e["UID"]).startswith(booking.uid)
    ]
    assert len(events) == 1
    event = events[0]
    assert event.decoded("DTSTART") == utc(day, TWO_PM)
    assert event.decoded("DTEND") == utc(day, FOUR_PM)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Café numérique de Bellevue" in str(event["SUMMARY"])

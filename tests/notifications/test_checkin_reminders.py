"""The day-of check-in reminder: once, when the check-in window opens, with the link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.bookings.models import BookingState
from booking.extensions import db
from booking.notifications.reminders import periodic_jobs, send_checkin_reminders
from tests.notifications.conftest import END, START
from tests.notifications.helpers import by_recipient, emails, html_part, text_part
from tests.statements import recorded_statements

OPENS = START - timedelta(minutes=15)  # 17:45 in Brest, for an 18:00 booking
CLOSES = START + timedelta(minutes=15)


@pytest.fixture
def room(scene):
    scene.resource.checkin_required = True
    return scene.resource


def _book(scene, make_booking, start=START, end=END, **fields):
    fields.setdefault("association", scene.association)
    fields.setdefault("requester", scene.requester)
    return make_booking(scene.resource, start, end, **fields)


def test_the_requester_is_reminded_once_when_the_check_in_window_opens(
    app, scene, room, make_booking
):
    booking = _book(scene, make_booking)

    assert send_checkin_reminders(OPENS - timedelta(seconds=1)) == 0
    assert emails("checkin_reminder") == []

    assert send_checkin_reminders(OPENS) == 1
    sent = by_recipient("checkin_reminder")
    assert set(sent) == {"requester@example.org"}  # not the association's contact address
    message = sent["requester@example.org"]
    assert message["Subject"] == "Pointez votre arrivée à Salle Iroise avant 18:15"
    text = text_part(message)
    assert (
        "Votre réservation de Salle Iroise commence à 18:00 : pointez votre arrivée "
        "avant 18:15, sinon la réservation sera libérée pour d’autres." in " ".join(text.split())
    )
    assert "Le pointage ferme 15 minutes après le début." in text
    link = f"{app.config['BASE_URL'].rstrip('/')}/reservations/{booking.id}/check-in"
    assert link in text
    assert f'<a href="{link}">Pointer mon arrivée maintenant</a>' in html_part(message)
    assert booking.checkin_reminder_sent_at == OPENS

    assert send_checkin_reminders(OPENS + timedelta(minutes=5)) == 0
    assert len(emails("checkin_reminder")) == 1


def test_an_english_requester_is_reminded_in_english_with_the_grace_of_the_room(
    scene, room, make_booking
):
    scene.requester.locale = "en"
    room.checkin_grace_minutes = 30
    _book(scene, make_booking)
    assert send_checkin_reminders(OPENS + timedelta(minutes=2)) == 1
    message = by_recipient("checkin_reminder")["requester@example.org"]
    assert message["Subject"] == "Check in for Salle Iroise before 6:30\u202fPM"
    text = text_part(message).replace("\n", " ")
    assert "starts at 6:00\u202fPM: check in before 6:30\u202fPM, otherwise" in text
    assert "Check-in closes 30 minutes after the start." in text


@pytest.mark.parametrize(
    "fields",
    [
        {"checked_in_at": START - timedelta(minutes=20)},
        {"state": "released"},
        {"state": "cancelled"},
        {"state": "pending"},
    ],
    ids=["checked-in", "released", "cancelled", "pending"],
)
def test_no_reminder_for_a_booking_that_needs_no_check_in(scene, room, make_booking, fields):
    booking = _book(scene, make_booking, **fields)
    assert send_checkin_reminders(OPENS + timedelta(minutes=1)) == 0
    assert emails("checkin_reminder") == []
    assert booking.checkin_reminder_sent_at is None


def test_no_reminder_on_a_room_without_check_in(scene, make_booking):
    _book(scene, make_booking)
    assert send_checkin_reminders(OPENS + timedelta(minutes=1)) == 0
    assert emails("checkin_reminder") == []


def test_no_reminder_once_the_window_has_closed(scene, room, make_booking):
    booking = _book(scene, make_booking)  # e.g. no request served between 17:45 and 18:15
    assert send_checkin_reminders(CLOSES) == 0
    assert emails("checkin_reminder") == []
    assert booking.checkin_reminder_sent_at is None
    assert booking.state is BookingState.APPROVED  # releasing it is the release job's work


def test_a_requester_who_turned_reminders_off_is_not_reminded(scene, room, make_booking):
    scene.requester.notify_reminders = False
    booking = _book(scene, make_booking)
    send_checkin_reminders(OPENS)
    assert emails("checkin_reminder") == []
    assert booking.checkin_reminder_sent_at == OPENS  # decided once, not asked every minute


def test_the_window_of_a_morning_booking_on_the_day_clocks_go_forward(scene, room, make_booking):
    # Sunday 28 March 2027, 02:00 CET becomes 03:00 CEST: 09:00 in Brest is 07:00 UTC.
    start = datetime(2027, 3, 28, 9, 0, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
    assert start == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    booking = _book(scene, make_booking, start, start + timedelta(hours=2))

    assert send_checkin_reminders(datetime(2027, 3, 28, 6, 44, tzinfo=UTC)) == 0
    assert send_checkin_reminders(datetime(2027, 3, 28, 6, 45, tzinfo=UTC)) == 1  # 08:45
    text = " ".join(text_part(by_recipient("checkin_reminder")["requester@example.org"]).split())
    assert "commence à 09:00 : pointez votre arrivée avant 09:15" in text
    assert booking.checkin_reminder_sent_at == datetime(2027, 3, 28, 6, 45, tzinfo=UTC)


def test_each_booking_of_the_day_is_reminded_at_its_own_window(scene, room, make_booking):
    first = _book(scene, make_booking)
    later = _book(scene, make_booking, START + timedelta(hours=3), END + timedelta(hours=3))
    assert send_checkin_reminders(OPENS) == 1
    assert first.checkin_reminder_sent_at == OPENS
    assert later.checkin_reminder_sent_at is None
    assert send_checkin_reminders(OPENS + timedelta(hours=3)) == 1
    assert later.checkin_reminder_sent_at == OPENS + timedelta(hours=3)
    assert len(emails("checkin_reminder")) == 2


def test_the_reminder_job_runs_with_the_release_job_unless_left_to_cron(app):
    assert [(job.name, job.interval) for job in periodic_jobs(app)] == [
        ("send-checkin-reminders", timedelta(seconds=60))
    ]
    app.config["CHECKIN_RELEASE_SECONDS"] = 0
    try:
        assert periodic_jobs(app) == []
    finally:
        app.config["CHECKIN_RELEASE_SECONDS"] = 60


def test_sending_is_cheap_when_nothing_is_due(scene, room, make_booking):
    _book(scene, make_booking)
    db.session.flush()
    with recorded_statements() as statements:
        assert send_checkin_reminders(OPENS - timedelta(hours=1)) == 0
    assert len(statements) == 1

"""The engine's transitions, end to end: the right emails land in the outbox."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from booking.bookings.models import BookingState
from booking.bookings.moves import reschedule
from booking.bookings.services import add_comment, approve, cancel
from booking.extensions import db
from booking.notifications.reminders import send_day_before_reminders, send_pending_reminders
from tests import factories
from tests.approvals.conftest import at
from tests.notifications.helpers import (
    by_recipient,
    calendar,
    emails,
    outbox,
    text_part,
    to_address,
)


def test_approve_then_cancel_moves_the_event_in_and_out_of_the_calendar(desk, request_for):
    booking = request_for()
    approve(desk.manager_a, booking)
    invitation = calendar(by_recipient("approved")["membre@example.org"])
    cancel(desk.manager_a, booking, "Panne de chauffage")
    cancellation = calendar(by_recipient("cancelled")["membre@example.org"])

    (before,), (after,) = invitation.walk("VEVENT"), cancellation.walk("VEVENT")
    assert str(invitation["METHOD"]) == "REQUEST"
    assert str(cancellation["METHOD"]) == "CANCEL"
    assert str(before["UID"]) == str(after["UID"]) == f"{booking.uid}@salles.test"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_the_association_cancelling_tells_the_managers_not_itself(desk, request_for):
    booking = request_for(state="approved")
    cancel(desk.member, booking, "Concert reporté")
    assert set(by_recipient("cancelled_by_association")) == {
        "a@example.org",
        "site@example.org",
    }
    assert not by_recipient("cancelled")


def test_comments_go_to_the_other_side(desk, request_for):
    booking = request_for()
    add_comment(desk.manager_a, booking, "Faut-il le piano ?")
    assert set(by_recipient("comment")) == {"membre@example.org", "chorale@example.org"}
    for row in outbox():
        db.session.delete(row)
    db.session.flush()
    add_comment(desk.member, booking, "Oui, merci.")
    sent = by_recipient("comment")
    assert set(sent) == {"a@example.org", "site@example.org"}
    assert "Oui, merci." in text_part(sent["a@example.org"])


def test_cli_expire_pending_expires_and_tells_the_requester(app, desk, request_for):
    started = request_for(start=at(0, 0) - timedelta(hours=2))
    future = request_for(start=at(5, 10))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["expire-pending"])
    assert result.exit_code == 0, result.output
    assert "Requests expired: 1" in result.output
    db.session.expire_all()
    assert started.state is BookingState.EXPIRED
    assert future.state is BookingState.PENDING
    assert set(by_recipient("expired")) == {"membre@example.org", "chorale@example.org"}


def test_cli_send_reminders_then_send_mail_writes_eml_files(app, desk, request_for, tmp_path):
    tomorrow = request_for(start=at(1, 18), state="approved")
    db.session.commit()
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 bookings tomorrow" in result.output
    assert "Emails sent: 2" in result.output
    assert len(list(Path(tmp_path).glob("*.eml"))) == 2
    db.session.expire_all()
    assert tomorrow.reminder_sent_at is not None
    again = runner.invoke(args=["send-reminders"])
    assert "0 bookings tomorrow" in again.output
    assert runner.invoke(args=["send-mail"]).output.startswith("Emails sent: 0")


def test_a_manager_moving_an_approved_booking_updates_the_calendar(desk, request_for):
    booking = request_for()
    approve(desk.manager_a, booking)
    first = calendar(by_recipient("approved")["membre@example.org"]).walk("VEVENT")[0]
    reschedule(desk.manager_a, booking, at(10, 14), at(10, 16))
    message = by_recipient("rescheduled")["membre@example.org"]
    assert message["Subject"].startswith("Réservation déplacée : Salle Abers")
    (moved,) = calendar(message).walk("VEVENT")
    assert str(moved["UID"]) == str(first["UID"])
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
    assert moved.decoded("DTSTART") == at(10, 14)


def test_an_association_moving_its_request_asks_the_managers_again(desk, request_for):
    booking = request_for(state="approved")
    reschedule(desk.member, booking, at(10, 14), at(10, 16))
    assert booking.state is BookingState.PENDING
    assert set(by_recipient("new_request")) == {"a@example.org", "site@example.org"}
    assert not by_recipient("rescheduled")


def test_a_freed_open_lab_seat_goes_to_the_first_waiting_with_an_invitation(desk, make_booking):
    session = factories.make_resource(
        desk.room_a.site,
        kind="open_lab",
        name="Fablab ouvert",
        capacity=1,
        managers=[desk.manager_a],
    )
    start, end = at(10, 14), at(10, 17)
    seated = make_booking(session, start, end, association=desk.association, requester=desk.member)
    waiting = make_booking(
        session,
        start,
        end,
        association=desk.rival,
        requester=desk.rival_member,
        state="waitlisted",
    )
    cancel(desk.member, seated)
    assert waiting.state is BookingState.APPROVED
    sent = by_recipient("promoted")
    assert set(sent) == {"joueur@example.org", "echecs@example.org"}
    message = sent["joueur@example.org"]
    assert message["Subject"].startswith("A seat is yours: Fablab ouvert")
    assert str(calendar(message).walk("VEVENT")[0]["UID"]) == f"{waiting.uid}@salles.test"


def test_a_moved_booking_gets_its_day_before_reminder_again(desk, request_for):
    booking = request_for(state="approved")
    booking.reminder_sent_at = at(9, 18)  # reminded already, for its former date
    db.session.flush()
    reschedule(desk.manager_a, booking, at(12, 14), at(12, 16))
    assert booking.state is BookingState.APPROVED
    assert booking.reminder_sent_at is None
    day_before = at(11, 18)
    assert send_day_before_reminders(now=day_before) == 1
    assert booking.reminder_sent_at == day_before


def test_a_moved_request_pending_again_gets_the_managers_reminder_again(desk, request_for):
    booking = request_for(state="approved", created_at=at(-10, 9))
    booking.manager_reminder_sent_at = at(-5, 9)  # nudged while it was pending before
    db.session.flush()
    reschedule(desk.member, booking, at(12, 14), at(12, 16))
    assert booking.state is BookingState.PENDING
    assert booking.manager_reminder_sent_at is None
    assert send_pending_reminders(now=at(1, 9), days=3) == 1


def test_an_approved_booking_moved_back_to_pending_leaves_the_requesters_calendar(
    desk, request_for
):
    booking = request_for()
    approve(desk.manager_a, booking)
    (invited,) = calendar(by_recipient("approved")["membre@example.org"]).walk("VEVENT")
    reschedule(desk.member, booking, at(12, 14), at(12, 16))
    assert booking.state is BookingState.PENDING
    sent = by_recipient("rescheduled_pending")
    assert set(sent) == {"membre@example.org", "chorale@example.org"}
    message = sent["membre@example.org"]
    assert message["Subject"].startswith("Réservation déplacée, à nouveau en attente")
    assert "nouvelle invitation suivra" in text_part(message)
    cancellation = calendar(message)
    (cancelled,) = cancellation.walk("VEVENT")
    assert str(cancellation["METHOD"]) == "CANCEL"
    assert str(cancelled["UID"]) == str(invited["UID"])
    assert int(cancelled["SEQUENCE"]) > int(invited["SEQUENCE"])
    assert cancelled.decoded("DTSTART") == at(10, 18)  # the time the calendar shows
    # The managers are asked again; once approved, a new invitation outranks the CANCEL.
    assert set(by_recipient("new_request")) >= {"a@example.org"}
    approve(desk.manager_a, booking)
    (reinvited,) = [
        e
        for m in emails("approved")
        if to_address(m) == "membre@example.org"
        for e in calendar(m).walk("VEVENT")
        if e.decoded("DTSTART") == at(12, 14)
    ]
    assert int(reinvited["SEQUENCE"]) > int(cancelled["SEQUENCE"])


def test_a_french_email_follows_french_typography(desk, request_for):
    booking = request_for()
    desk.member.locale = "fr"
    approve(desk.manager_a, booking)
    text = text_part(by_recipient("approved")["membre@example.org"])
    assert "Titre : " in text
    assert "Lieu : " in text
    assert "Association : " in text
    assert "Date :" in text
    assert "Titre:" not in text

"""Day-before reminders to requesters, and the nudge about requests waiting too long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from booking.extensions import db
from booking.notifications.reminders import send_day_before_reminders, send_pending_reminders
from tests import factories
from tests.notifications.conftest import END, START
from tests.notifications.helpers import by_recipient, emails, text_part

EVE = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # the evening before START, 18:00 in Brest


def test_requesters_are_reminded_once_the_day_before(scene, make_booking):
    booking = make_booking(
        scene.resource, START, END, association=scene.association, requester=scene.requester
    )
    make_booking(scene.resource, START + timedelta(days=1), END + timedelta(days=1))  # day after
    make_booking(
        scene.resource, START + timedelta(hours=3), END + timedelta(hours=3), state="pending"
    )

    assert send_day_before_reminders(now=EVE) == 1
    sent = by_recipient("reminder")
    assert set(sent) == {"requester@example.org", "contact@velo.example.org"}
    message = sent["requester@example.org"]
    assert message["Subject"].startswith("Rappel : Salle Iroise demain")
    assert "vous avez réservé Salle Iroise demain à 18:00" in text_part(message)
    assert booking.reminder_sent_at == EVE

    assert send_day_before_reminders(now=EVE + timedelta(hours=2)) == 0
    assert len(emails("reminder")) == 2


def test_a_requester_who_turned_reminders_off_is_not_reminded(scene, make_booking):
    scene.requester.notify_reminders = False
    make_booking(
        scene.resource, START, END, association=scene.association, requester=scene.requester
    )
    assert send_day_before_reminders(now=EVE) == 1
    assert set(by_recipient("reminder")) == {"contact@velo.example.org"}


def test_managers_get_one_nudge_listing_the_requests_waiting_too_long(app, scene, make_booking):
    created = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    old = [
        make_booking(
            scene.resource,
            START + timedelta(days=i),
            END + timedelta(days=i),
            association=scene.association,
            state="pending",
            created_at=created,
        )
        for i in range(2)
    ]
    recent = make_booking(
        scene.resource, START, END, state="pending", created_at=created + timedelta(days=3)
    )
    other_manager = factories.make_user("elsewhere@example.org")
    factories.make_resource(managers=[other_manager])
    now = created + timedelta(days=3, hours=1)  # PENDING_REMINDER_DAYS is 3

    assert send_pending_reminders(now=now) == 2
    sent = by_recipient("pending_reminder")
    assert set(sent) == {"manager@example.org", "site@example.org"}
    english = sent["manager@example.org"]
    assert english["Subject"] == "2 requests have been waiting for your decision"
    assert "These requests have been waiting" in text_part(english)
    assert sent["site@example.org"]["Subject"] == "2 demandes attendent votre décision"
    assert all(b.manager_reminder_sent_at == now for b in old)
    assert recent.manager_reminder_sent_at is None

    db.session.commit()
    assert send_pending_reminders(now=now + timedelta(days=3)) == 1  # only the recent one now
    assert len(emails("pending_reminder")) == 4


def test_the_reminder_of_a_room_requiring_check_in_links_to_the_check_in_page(scene, make_booking):
    scene.resource.checkin_required = True
    booking = make_booking(
        scene.resource, START, END, association=scene.association, requester=scene.requester
    )
    send_day_before_reminders(now=EVE)
    text = text_part(by_recipient("reminder")["requester@example.org"])
    assert f"/reservations/{booking.id}/check-in" in text
    assert "Pointez votre arrivée" in text

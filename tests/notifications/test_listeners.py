"""Each booking event becomes the right emails, to the right people, in their language."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import vobject
from icalendar import Calendar
from sqlalchemy import event

from booking.bookings import events
from booking.bookings.models import BookingEquipment, BookingState, Comment
from booking.extensions import db
from booking.notifications.emails import managers_of
from booking.resources.models import Equipment
from tests import factories
from tests.notifications.conftest import END, START
from tests.notifications.helpers import (
    by_recipient,
    calendar,
    emails,
    html_part,
    outbox,
    text_part,
    to_address,
)

REQUESTER_SIDE = {"requester@example.org", "contact@velo.example.org"}
MANAGERS = {"manager@example.org", "site@example.org"}


def test_new_request_goes_to_resource_and_site_managers_each_in_their_language(scene, pending):
    kit = Equipment(name="Visio kit", slug="visio-kit")
    db.session.add(kit)
    db.session.flush()
    db.session.add(BookingEquipment(booking=pending, equipment=kit, quantity=2))
    db.session.flush()

    events.request_created.send(None, bookings=[pending], actor=scene.requester)

    sent = by_recipient("new_request")
    assert set(sent) == MANAGERS
    english, french = sent["manager@example.org"], sent["site@example.org"]
    # Babel writes a narrow no-break space before PM.
    assert (
        english["Subject"] == "New request for Salle Iroise: Dec 2, 2026, 6:00\u202fPM–8:00\u202fPM"
    )
    assert french["Subject"] == "Nouvelle demande pour Salle Iroise : 2 déc. 2026, 18:00–20:00"
    assert english["Content-Language"] == "en"
    assert french["Content-Language"] == "fr"
    body = text_part(french)
    assert "Les Amis du Vélo demande Salle Iroise" in body
    assert "Réparer des vélos" in body
    assert "Visio kit × 2" in body
    assert "mercredi 2 décembre 2026, 18:00–20:00" in body
    assert f"http://salles.test/reservations/{pending.id}" in body
    assert "http://salles.test/approvals" in body
    assert '<html lang="fr">' in html_part(french)
    assert "Wednesday, December 2, 2026, 6:00\u202fPM–8:00\u202fPM" in text_part(english)
    assert calendar(english) is None


def test_request_approved_on_arrival_sends_the_invitation_and_does_not_ask_managers(scene, pending):
    pending.state = BookingState.APPROVED
    events.request_created.send(None, bookings=[pending], actor=scene.requester)
    assert not by_recipient("new_request")
    assert set(by_recipient("approved")) == REQUESTER_SIDE
    assert str(calendar(emails("approved")[0])["METHOD"]) == "REQUEST"


def test_managers_who_are_the_actor_are_not_told_of_their_own_request(scene, pending):
    events.request_created.send(None, bookings=[pending], actor=scene.room_manager)
    assert set(by_recipient("new_request")) == {"site@example.org"}


def test_without_any_manager_the_administrators_are_told(db, make_booking):
    admin = factories.make_user("admin@example.org", is_admin=True, locale="en")
    resource = factories.make_resource()
    booking = make_booking(resource, START, END, state="pending")
    events.request_created.send(None, bookings=[booking], actor=None)
    assert set(by_recipient("new_request")) == {admin.email}


def test_approval_tells_requester_and_contact_with_an_ics_request(scene, pending):
    pending.state = BookingState.APPROVED
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)

    sent = by_recipient("approved")
    assert set(sent) == REQUESTER_SIDE
    message = sent["requester@example.org"]
    assert message["Subject"] == "Réservation acceptée : Salle Iroise, 2 déc. 2026, 18:00–20:00"
    assert "votre réservation est acceptée" in text_part(message)
    assert "votre réservation est acceptée" in html_part(message)
    cal = calendar(message)
    assert str(cal["METHOD"]) == "REQUEST"
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"{pending.uid}@salles.test"
    assert int(event["SEQUENCE"]) == pending.sequence
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == END
    assert str(event["STATUS"]) == "CONFIRMED"
    # Wall-clock time with its zone, as in the feeds; the VTIMEZONE travels along.
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART").astimezone(ZoneInfo("Europe/Paris")).hour == 18
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_contact_address_of_a_known_english_user_gets_english(scene, pending):
    factories.make_user("contact@velo.example.org", name="Contact", locale="en")
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    message = by_recipient("approved")["contact@velo.example.org"]
    assert message["Subject"].startswith("Booking approved: Salle Iroise")


def test_contact_address_that_is_the_requester_gets_one_email(scene, pending):
    scene.association.contact_email = "REQUESTER@example.org"
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    assert [to_address(m) for m in emails("approved")] == ["requester@example.org"]


def test_refusal_gives_the_reason(scene, pending):
    events.booking_refused.send(
        None, bookings=[pending], actor=scene.room_manager, reason="Salle en travaux"
    )
    sent = by_recipient("refused")
    assert set(sent) == REQUESTER_SIDE
    message = sent["requester@example.org"]
    assert message["Subject"].startswith("Demande refusée : Salle Iroise")
    assert "Motif : Salle en travaux" in text_part(message)
    assert "Une autre demande" not in text_part(message)
    assert calendar(message) is None


def test_automatic_refusal_says_another_request_was_approved(scene, pending):
    scene.requester.locale = "en"
    events.booking_refused.send(
        None,
        bookings=[pending],
        actor=scene.room_manager,
        reason="Another request was approved for this time.",
        automatic=True,
    )
    body = text_part(by_recipient("refused")["requester@example.org"])
    assert "Another request for the same time was approved first." in body
    assert "Reason: Another request was approved for this time." in body


def test_cancellation_by_a_manager_sends_ics_cancel_with_same_uid_higher_sequence(scene, pending):
    pending.state = BookingState.APPROVED
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    approved = calendar(by_recipient("approved")["requester@example.org"])
    pending.state = BookingState.CANCELLED
    pending.sequence += 1  # as the engine does on every change
    events.booking_cancelled.send(
        None,
        bookings=[pending],
        actor=scene.room_manager,
        reason="Dégât des eaux",
        was_approved=True,
    )

    sent = by_recipient("cancelled")
    assert set(sent) == REQUESTER_SIDE
    message = sent["requester@example.org"]
    assert message["Subject"].startswith("Réservation annulée : Salle Iroise")
    assert "Motif : Dégât des eaux" in text_part(message)
    cancel = calendar(message)
    assert str(cancel["METHOD"]) == "CANCEL"
    (before,), (after,) = approved.walk("VEVENT"), cancel.walk("VEVENT")
    assert str(after["UID"]) == str(before["UID"]) == f"{pending.uid}@salles.test"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert str(after["STATUS"]) == "CANCELLED"
    assert not by_recipient("cancelled_by_association")


def test_cancelling_a_pending_request_as_manager_has_no_ics(scene, pending):
    events.booking_cancelled.send(
        None, bookings=[pending], actor=scene.site_manager, reason="Doublon", was_approved=False
    )
    message = by_recipient("cancelled")["requester@example.org"]
    assert calendar(message) is None
    assert "supprime de votre agenda" not in text_part(message)


def test_association_cancelling_an_approved_booking_tells_the_managers(scene, pending):
    events.booking_cancelled.send(
        None, bookings=[pending], actor=scene.other_member, reason="Plus besoin", was_approved=True
    )
    sent = by_recipient("cancelled_by_association")
    assert set(sent) == MANAGERS
    body = text_part(sent["manager@example.org"])
    assert "Les Amis du Vélo cancelled its approved booking" in body
    assert "Reason: Plus besoin" in body
    assert not by_recipient("cancelled")


def test_association_withdrawing_a_pending_request_sends_nothing(scene, pending):
    events.booking_cancelled.send(
        None, bookings=[pending], actor=scene.requester, reason=None, was_approved=False
    )
    assert outbox() == []


def test_series_approval_is_one_email_listing_every_date(scene, make_booking):
    week = timedelta(days=7)
    bookings = [
        make_booking(
            scene.resource,
            START + i * week,
            END + i * week,
            association=scene.association,
            requester=scene.requester,
        )
        for i in range(3)
    ]
    events.booking_approved.send(None, bookings=bookings, actor=scene.room_manager)
    sent = by_recipient("approved")
    assert len(emails("approved")) == 2  # requester + contact, not six
    message = sent["requester@example.org"]
    assert (
        message["Subject"] == "Réservation acceptée : Salle Iroise, 3 dates à partir du 2 déc. 2026"
    )
    body = text_part(message)
    for day in ("2 décembre", "9 décembre", "16 décembre"):
        assert day in body
    vevents = calendar(message).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in vevents) == sorted(
        f"{b.uid}@salles.test" for b in bookings
    )


def test_manager_comment_goes_to_the_requester_side_only_if_they_want_comments(scene, pending):
    scene.requester.notify_comments = False
    comment = Comment(booking=pending, author=scene.room_manager, body="Combien de tables ?")
    db.session.add(comment)
    events.comment_added.send(None, bookings=[pending], actor=scene.room_manager, comment=comment)
    sent = by_recipient("comment")
    assert set(sent) == {"contact@velo.example.org"}
    body = text_part(sent["contact@velo.example.org"])
    assert "Morgan" in body
    assert "a écrit au sujet de cette réservation" in body
    assert "Combien de tables ?" in body


def test_member_comment_goes_to_the_managers_who_want_comments(scene, pending):
    scene.site_manager.notify_comments = False
    comment = Comment(booking=pending, author=scene.requester, body="Douze tables, merci.")
    db.session.add(comment)
    events.comment_added.send(None, bookings=[pending], actor=scene.requester, comment=comment)
    sent = by_recipient("comment")
    assert set(sent) == {"manager@example.org"}
    assert "Douze tables, merci." in html_part(sent["manager@example.org"])
    assert sent["manager@example.org"]["Subject"] == "New message about “Atelier réparation”"


def test_decisions_are_sent_even_to_those_who_turned_optional_emails_off(scene, pending):
    scene.requester.notify_comments = False
    scene.requester.notify_reminders = False
    events.booking_refused.send(None, bookings=[pending], actor=scene.room_manager, reason="Non")
    assert "requester@example.org" in by_recipient("refused")


def test_promotion_from_the_waiting_list_sends_an_invitation(scene, pending):
    pending.state = BookingState.APPROVED
    events.seat_promoted.send(None, bookings=[pending])
    sent = by_recipient("promoted")
    assert set(sent) == REQUESTER_SIDE
    message = sent["requester@example.org"]
    assert message["Subject"].startswith("Une place est à vous : Salle Iroise")
    assert str(calendar(message)["METHOD"]) == "REQUEST"


def test_expiry_tells_the_requester(scene, pending):
    events.booking_expired.send(None, bookings=[pending])
    message = by_recipient("expired")["requester@example.org"]
    assert "a expiré" in text_part(message)


def test_a_rolled_back_change_leaves_nothing_to_send(scene, pending):
    db.session.commit()
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    assert len(outbox()) == 2
    db.session.rollback()
    assert outbox() == []


def test_a_name_with_a_comma_does_not_split_the_recipient(scene, pending):
    scene.association.name = "Wiki-Brest, la mémoire du pays de Brest"
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    rows = {row.recipients for row in outbox()}
    assert rows == {"requester@example.org", "contact@velo.example.org"}
    message = by_recipient("approved")["contact@velo.example.org"]
    assert "Bonjour Wiki-Brest, la mémoire du pays de Brest," in text_part(message)


def test_the_invitation_is_strict_icalendar_for_another_parser(scene, pending):
    pending.sequence = 2
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    message = by_recipient("approved")["requester@example.org"]
    part = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    parsed = vobject.readOne(part.get_content())
    assert parsed.method.value == "REQUEST"
    assert parsed.vevent.uid.value == f"{pending.uid}@salles.test"
    assert parsed.vevent.sequence.value == "2"
    assert parsed.vevent.dtstart.value == START
    assert parsed.vevent.organizer.value == "mailto:no-reply@salles-ouvertes.example.org"


def test_the_emailed_invitation_and_the_room_feed_share_the_event_uid(scene, pending, client):
    pending.state = BookingState.APPROVED
    events.booking_approved.send(None, bookings=[pending], actor=scene.room_manager)
    db.session.commit()
    (invited,) = calendar(by_recipient("approved")["requester@example.org"]).walk("VEVENT")
    feed = Calendar.from_ical(client.get(f"/feeds/resources/{pending.resource.slug}.ics").data)
    assert [str(e["UID"]) for e in feed.walk("VEVENT")] == [str(invited["UID"])]


def test_managers_are_read_in_one_query_resource_managers_first_once_each(scene, pending):
    """Both manager lists in one statement (not two lazy loads); someone managing both the
    room and its site is told once; inactive accounts are left out."""
    both = factories.make_user("both@example.org")
    gone = factories.make_user("gone@example.org", is_active_account=False)
    scene.resource.managers.append(both)
    scene.resource.site.managers.extend([both, gone])
    db.session.commit()
    db.session.expire_all()
    booking = db.session.get(type(pending), pending.id)
    resource = booking.resource
    assert resource.site is not None  # loaded before counting
    statements: list[str] = []

    def _count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _count)
    try:
        found = managers_of(booking)
    finally:
        event.remove(db.engine, "before_cursor_execute", _count)
    assert len([s for s in statements if s.startswith("SELECT")]) == 1
    emails_found = [u.email for u in found]
    direct = sorted([scene.room_manager, both], key=lambda u: u.id)
    assert emails_found == [u.email for u in direct] + ["site@example.org"]

"""A person with a trail: bookings asked and decided, a comment, audit events, emails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from booking.audit import record
from booking.auth.models import User
from booking.bookings.models import Booking, Comment
from booking.extensions import db as _db
from booking.outbox import OutboxMessage
from tests import factories


@dataclass
class Trail:
    person: User
    manager: User
    booking: Booking
    comment: Comment
    email: OutboxMessage
    other_email: OutboxMessage


@pytest.fixture
def trail(db) -> Trail:
    association = factories.make_association("Repair Café de Bellevue")
    confirmed = datetime(2026, 1, 5, tzinfo=UTC)
    person = factories.make_user(
        "camille@example.org", name="Camille Le Gall", email_confirmed_at=confirmed
    )
    factories.add_member(person, association)
    manager = factories.make_user(
        "gestion@example.org", name="Yann Gestion", email_confirmed_at=confirmed
    )
    room = factories.make_resource(name="Salle Iroise", managers=[manager])
    booking = factories.make_booking(
        room,
        datetime(2030, 3, 5, 13, tzinfo=UTC),
        datetime(2030, 3, 5, 15, tzinfo=UTC),
        association=association,
        requester=person,
        decided_by=manager,
        title="Atelier réparation",
    )
    comment = Comment(booking=booking, author=person, body="Je serai là à 14 h, Camille")
    _db.session.add(comment)
    record("booking", booking.id, "request", actor_id=person.id, to_state="pending")
    record("booking", booking.id, "approve", actor_id=manager.id, to_state="approved")
    email = OutboxMessage(recipients="camille@example.org", subject="Demande reçue", raw="x")
    other = OutboxMessage(recipients="gestion@example.org", subject="Nouvelle demande", raw="y")
    _db.session.add_all([email, other])
    person.new_feed_token()
    _db.session.commit()
    return Trail(person, manager, booking, comment, email, other)

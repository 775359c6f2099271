"""Deleting an account: the person goes; the association's bookings stay, anonymised."""

from __future__ import annotations

from sqlalchemy import func, select

from booking.audit import AuditEvent
from booking.auth.models import Membership, User
from booking.bookings.models import Booking, Comment
from booking.extensions import db
from booking.outbox import OutboxMessage
from tests import factories
from tests.auth.conftest import PASSWORD


def _delete(client, password=PASSWORD, confirm="y"):
    return client.post("/account/delete", data={"password": password, "confirm": confirm})


def test_deleting_my_account_anonymises_what_stays_and_removes_the_rest(client, login, trail):
    login(trail.person)
    person_id = trail.person.id
    response = _delete(client)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person_id) is None
    booking = db.session.get(Booking, trail.booking.id)
    assert booking is not None
    assert booking.requester_id is None
    assert booking.title == "Atelier réparation"  # the association's booking stays
    assert booking.decided_by_id == trail.manager.id  # others keep their names
    comment = db.session.get(Comment, trail.comment.id)
    assert comment.author_id is None
    assert comment.body == ""
    actors = db.session.scalars(select(AuditEvent.actor_id).order_by(AuditEvent.id)).all()
    assert actors == [None, trail.manager.id]
    recipients = db.session.scalars(select(OutboxMessage.recipients)).all()
    assert recipients == ["gestion@example.org"]
    assert db.session.scalar(select(func.count(Membership.id))) == 0


def test_after_deletion_the_session_and_the_private_feed_are_dead(client, login, trail):
    token = trail.person.new_feed_token()
    db.session.commit()
    login(trail.person)
    assert client.get(f"/feeds/private/{token}.ics").status_code == 200
    _delete(client)
    assert client.get("/account/profile").status_code == 302  # signed out
    assert client.get(f"/feeds/private/{token}.ics").status_code == 404


def test_the_booking_page_shows_a_removed_message_after_deletion(client, login, trail):
    login(trail.person)
    _delete(client)
    login(trail.manager)
    text = client.get(f"/reservations/{trail.booking.id}").get_data(as_text=True)
    assert "Camille Le Gall" not in text
    assert "Message effacé avec les données personnelles de son auteur." in text


def test_deletion_needs_the_right_password_and_the_box(client, login, trail):
    login(trail.person)
    wrong = _delete(client, password="not it")
    assert wrong.status_code == 200
    assert "The password is not correct." in wrong.get_data(as_text=True) or (
        "Le mot de passe n’est pas le bon." in wrong.get_data(as_text=True)
    )
    unticked = _delete(client, confirm="")
    assert "Cochez la case" in unticked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, trail.person.id) is not None


def test_the_only_administrator_cannot_delete_their_account(client, login, db):
    admin = factories.make_user(is_admin=True)
    db.session.commit()
    login(admin)
    response = _delete(client)
    assert response.status_code == 200
    assert "seul administrateur" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id) is not None


def test_an_administrator_may_go_when_another_remains(client, login, db):
    admin = factories.make_user(is_admin=True)
    factories.make_user(is_admin=True)
    db.session.commit()
    login(admin)
    assert _delete(client).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin.id) is None

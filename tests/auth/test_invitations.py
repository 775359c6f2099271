"""Invitations: sent by email, accepted once, before they expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.auth.models import Invitation, MembershipRole, hash_token, user_by_email
from booking.auth.services import INVITATION_VALID_DAYS, AccountError, accept_invitation, invite
from booking.db import utcnow
from tests.auth.conftest import PASSWORD, link_in, outbox, page
from tests.factories import add_member


@pytest.fixture
def assoc_admin(db, make_user, make_association):
    user = make_user("chef@example.org", name="Morgane", locale="fr")
    add_member(user, make_association("Radio Brest"), "admin")
    db.session.commit()
    return user


def invite_by_form(client, login, admin, email):
    association = admin.memberships[0].association
    login(admin)
    return client.post(
        f"/account/associations/{association.slug}/invitations", data={"email": email}
    )


def test_inviting_emails_a_link_and_stores_only_a_hash(client, db, login, assoc_admin):
    response = invite_by_form(client, login, assoc_admin, "  Nolwenn@Example.org ")
    assert response.status_code == 302
    invitation = db.session.scalar(select(Invitation))
    assert invitation.email == "nolwenn@example.org"
    assert invitation.invited_by_id == assoc_admin.id
    (row,) = outbox("invitation")
    assert row.recipients == "nolwenn@example.org"
    assert "Radio Brest" in row.subject
    path = link_in(row)
    token = path.rsplit("/", 1)[1]
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash


def test_invitation_email_is_in_the_invitees_language(client, db, login, assoc_admin, make_user):
    make_user("bob@example.org", locale="en")
    db.session.commit()
    invite_by_form(client, login, assoc_admin, "bob@example.org")
    (row,) = outbox("invitation")
    assert row.subject == "Invitation to join Radio Brest on Salles Ouvertes"


def test_new_person_signs_up_from_the_invitation_and_joins(client, db, login, assoc_admin):
    invite_by_form(client, login, assoc_admin, "nolwenn@example.org")
    path = link_in(outbox("invitation")[0])
    client.post("/account/logout")

    html = page(client.get(path))
    assert "Radio Brest" in html
    assert 'value="nolwenn@example.org"' in html
    response = client.post(
        path,
        data={
            "display_name": "Nolwenn",
            "email": "nolwenn@example.org",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "locale": "fr",
        },
    )
    assert response.status_code == 302
    user = user_by_email("nolwenn@example.org")
    (membership,) = user.memberships
    assert membership.association.name == "Radio Brest"
    assert membership.role == MembershipRole.MEMBER
    assert user.email_confirmed_at is not None  # the link reached that address
    assert db.session.scalar(select(Invitation)).accepted_at is not None


def test_existing_user_logs_in_and_accepts(client, db, login, assoc_admin, make_user):
    invitee = make_user("bob@example.org")
    db.session.commit()
    invite_by_form(client, login, assoc_admin, "bob@example.org")
    path = link_in(outbox("invitation")[0])

    client.post("/account/logout")
    anonymous = page(client.get(path))
    assert f"/account/login?next={path}" in anonymous.replace("%2F", "/")

    login(invitee)
    assert "Radio Brest" in page(client.get(path))
    assert client.post(path).status_code == 302
    db.session.refresh(invitee)
    assert [m.association.name for m in invitee.memberships] == ["Radio Brest"]


def test_used_invitation_is_refused(client, db, login, assoc_admin, make_user):
    invite_by_form(client, login, assoc_admin, "bob@example.org")
    path = link_in(outbox("invitation")[0])
    first, second = make_user(), make_user()
    db.session.commit()
    login(first)
    client.post(path)
    login(second)
    client.get("/lang/en")
    response = client.get(path)
    assert response.status_code == 410
    assert "already been used" in page(response)
    assert client.post(path).status_code == 410
    db.session.refresh(second)
    assert second.memberships == []


def test_expired_invitation_is_refused(client, db, login, assoc_admin, make_user):
    association = assoc_admin.memberships[0].association
    sent = utcnow() - timedelta(days=INVITATION_VALID_DAYS, minutes=1)
    _invitation, token = invite(assoc_admin, association, "late@example.org", now=sent)
    late = make_user("late@example.org")
    db.session.commit()
    login(late)
    client.get("/lang/en")
    response = client.get(f"/account/invitations/{token}")
    assert response.status_code == 410
    assert "expired" in page(response)


def test_unknown_invitation_token_is_refused(client):
    client.get("/lang/en")
    response = client.get("/account/invitations/not-a-token")
    assert response.status_code == 410
    assert "not valid" in page(response)


def test_invitation_expiry_boundary(db, assoc_admin, make_user, request_ctx):
    association = assoc_admin.memberships[0].association
    sent = utcnow()
    _inv, token = invite(assoc_admin, association, "x@example.org", now=sent)
    user = make_user()
    late = sent + timedelta(days=INVITATION_VALID_DAYS)
    with pytest.raises(AccountError, match="expired"):
        accept_invitation(user, token, now=late)
    accept_invitation(user, token, now=late - timedelta(seconds=1))
    assert user.is_member_of(association)


def test_inviting_again_replaces_the_pending_invitation(db, assoc_admin, request_ctx):
    association = assoc_admin.memberships[0].association
    _first, old_token = invite(assoc_admin, association, "x@example.org")
    _second, _new_token = invite(assoc_admin, association, "X@example.org")
    assert len(db.session.scalars(select(Invitation)).all()) == 1
    with pytest.raises(AccountError, match="not valid"):
        accept_invitation(assoc_admin, old_token)


def test_inviting_a_member_is_refused_next_to_the_field(client, db, login, assoc_admin):
    assoc_admin.locale = "en"
    db.session.commit()
    response = invite_by_form(client, login, assoc_admin, assoc_admin.email)
    assert response.status_code == 400
    assert "already a member" in page(response)
    assert outbox("invitation") == []


def test_cancelled_invitation_no_longer_works(client, db, login, assoc_admin):
    invite_by_form(client, login, assoc_admin, "bob@example.org")
    path = link_in(outbox("invitation")[0])
    invitation = db.session.scalar(select(Invitation))
    association = assoc_admin.memberships[0].association
    url = f"/account/associations/{association.slug}/invitations/{invitation.id}/cancel"
    assert client.post(url).status_code == 302
    assert db.session.scalar(select(Invitation)) is None
    assert client.get(path).status_code == 410


def test_pending_invitations_are_listed_for_the_admin(client, db, login, assoc_admin):
    invite_by_form(client, login, assoc_admin, "bob@example.org")
    association = assoc_admin.memberships[0].association
    html = page(client.get(f"/account/associations/{association.slug}"))
    assert "bob@example.org" in html

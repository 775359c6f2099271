"""Sign-up: declaring a new association, or waiting for an invitation; refused input."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from booking.auth import services
from booking.auth.models import Association, MembershipRole, User, user_by_email
from booking.auth.services import AccountError, luhn_valid, normalize_registration_number
from tests.auth.conftest import link_in, outbox, page, text_body

VALID = {
    "display_name": "Anne Le Gall",
    "email": "Anne.LeGall@example.org",
    "password": "un mot de passe solide",
    "password_confirm": "un mot de passe solide",
    "locale": "fr",
    "association_choice": "new",
    "association_name": "Les Amis du Vélo",
    "registration_number": "",
    "contact_email": "contact@amis-velo.example.org",
}


def signup(client, **changes):
    return client.post("/account/signup", data={**VALID, **changes})


def test_signup_page_offers_both_ways(client):
    html = page(client.get("/account/signup"))
    assert 'name="association_choice"' in html
    assert 'value="new"' in html
    assert 'value="invited"' in html
    assert 'autocomplete="new-password"' in html


def test_declaring_an_association_creates_it_inactive_with_me_as_its_admin(client, db):
    response = signup(client, registration_number="w 291 000 123")
    assert response.status_code == 302
    assert response.location == "/account/login"

    user = user_by_email("anne.legall@example.org")
    assert user is not None
    assert user.email == "anne.legall@example.org"
    assert user.check_password(VALID["password"])
    association = db.session.scalar(select(Association))
    assert association.name == "Les Amis du Vélo"
    assert association.slug == "les-amis-du-velo"
    assert association.registration_number == "W291000123"
    assert association.is_active is False
    assert [(m.user, m.role) for m in association.memberships] == [(user, MembershipRole.ADMIN)]

    client.post("/account/login", data={"email": user.email, "password": VALID["password"]})
    html = page(client.get("/account/associations"))
    assert "en attente de validation" in html or "awaiting validation" in html


def test_signing_up_sends_a_confirmation_link_that_confirms_then_the_user_logs_in(client, db):
    signup(client)
    user = user_by_email(VALID["email"])
    assert client.get("/account/profile").status_code == 302  # not logged in by the sign-up
    (row,) = outbox("email_confirmation")
    assert row.recipients == user.email
    assert user.email_confirmed_at is None
    response = client.get(link_in(row))
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed_at is not None


def test_bad_confirmation_link_is_refused_politely(client):
    response = client.get("/account/confirm/not-a-real-token", follow_redirects=True)
    assert response.status_code == 200
    assert "not valid" in page(response) or "pas valide" in page(response)


def test_signing_up_to_wait_for_an_invitation_creates_no_association(client, db):
    response = signup(client, association_choice="invited", association_name="", contact_email="")
    assert response.status_code == 302
    assert db.session.scalar(select(Association)) is None
    assert user_by_email(VALID["email"]).memberships == []


def test_two_associations_with_the_same_name_get_distinct_slugs(client, db, make_association):
    make_association("Les Amis du Vélo").slug = "les-amis-du-velo"
    db.session.flush()
    signup(client)
    slugs = sorted(db.session.scalars(select(Association.slug)))
    assert slugs == ["les-amis-du-velo", "les-amis-du-velo-2"]


def _answer(client, response) -> tuple:
    with client.session_transaction() as session:
        shown = [m.replace(VALID["email"].lower(), "<email>") for _c, m in session["_flashes"]]
        session.pop("_flashes")
    return response.status_code, response.location, shown


def test_a_known_email_gets_the_same_answer_as_a_new_one_and_an_email_instead(
    client, db, make_user
):
    """Sign-up must not tell who has an account (issue 12, item 6): fails on the old code."""
    new = _answer(client, signup(client, association_choice="invited"))
    db.session.execute(delete(User))
    owner = make_user(VALID["email"].lower(), locale="en")
    db.session.commit()
    known = _answer(client, signup(client))
    assert known == new
    assert db.session.scalar(select(Association)) is None
    assert db.session.scalars(select(User)).all() == [owner]
    (row,) = outbox("account_exists")
    assert row.recipients == owner.email
    assert "you already have one" in text_body(row.message())
    assert "/account/password/forgot" in text_body(row.message())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "court", "password_confirm": "court"}, "10"),
        ({"password_confirm": "un autre mot de passe"}, "not the same"),
        ({"registration_number": "12345678901234"}, "SIRET number is not valid"),
        ({"registration_number": "W12"}, "RNA"),
        ({"association_name": ""}, "association's name"),
        ({"contact_email": "pas-une-adresse"}, "valid email address"),
        ({"contact_email": ""}, "association's contact email"),
    ],
)
def test_refused_signups_say_why_and_create_nothing(client, db, changes, message):
    client.get("/lang/en")
    response = signup(client, **changes)
    assert response.status_code == 200
    assert message in page(response)
    assert "The form has" in page(response)
    assert db.session.scalar(select(User)) is None


def test_a_registration_number_already_used_is_refused(client, db, make_association):
    make_association(registration_number="W291000123")
    db.session.commit()
    client.get("/lang/en")
    response = signup(client, registration_number="W291000123")
    assert "already registered" in page(response)
    assert user_by_email(VALID["email"]) is None


def test_logged_in_user_declares_another_association(client, login, db, member):
    login(member)
    response = client.post(
        "/account/associations/new",
        data={"association_name": "Repair Café Bellevue", "contact_email": "rc@example.org"},
    )
    assert response.status_code == 302
    association = db.session.scalar(select(Association).where(Association.name.like("Repair%")))
    assert not association.is_active
    assert member.is_association_admin(association)


def test_logged_in_visitor_is_sent_from_signup_to_their_account(client, login, member):
    login(member)
    assert client.get("/account/signup").location == "/account/profile"


@pytest.mark.parametrize(
    "number",
    [
        "W291000123",
        "w291000123",
        "73282932000074",
        "732 829 320 00074",
        "35600000000048",
        "35600000049837",
    ],
)
def test_valid_registration_numbers_are_accepted_and_cleaned(number, request_ctx):
    cleaned = normalize_registration_number(number)
    assert cleaned == cleaned.upper().replace(" ", "")


@pytest.mark.parametrize(
    "number", ["73282932000075", "W29100012", "W2910001234", "X291000123", "1234", "W29100012A"]
)
def test_invalid_registration_numbers_are_refused(number, request_ctx):
    with pytest.raises(AccountError) as caught:
        normalize_registration_number(number)
    assert caught.value.field == "registration_number"


def test_empty_registration_number_means_none():
    assert normalize_registration_number("  ") is None
    assert normalize_registration_number(None) is None


def test_luhn():
    assert luhn_valid("73282932000074")
    assert not luhn_valid("73282932000075")


def test_two_signups_racing_for_one_address_end_in_a_message_not_a_500(
    client, db, make_user, monkeypatch
):
    make_user("anne.legall@example.org")
    db.session.commit()
    # The other sign-up committed between our check and our insert.
    monkeypatch.setattr(services, "user_by_email", lambda _email: None)
    client.get("/lang/en")
    response = signup(client)
    assert response.status_code == 302
    assert len(db.session.scalars(select(User)).all()) == 1
    assert len(outbox("account_exists")) == 1


def test_an_association_named_new_does_not_hide_behind_the_declare_page(client, db, login, member):
    login(member)
    client.post(
        "/account/associations/new",
        data={"association_name": "New", "contact_email": "new@example.org"},
    )
    association = db.session.scalar(select(Association).where(Association.name == "New"))
    assert association.slug == "new-2"
    assert client.get("/account/associations/new-2").status_code == 200

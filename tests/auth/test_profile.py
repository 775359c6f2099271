"""Profile, language, email preferences and changing the password."""

from __future__ import annotations

from booking.auth.services import reset_password
from tests.auth.conftest import NEW_PASSWORD, PASSWORD, outbox, page


def test_profile_saves_name_language_and_email_preferences(client, db, login, member):
    login(member)
    response = client.post(
        "/account/profile",
        data={"display_name": "  Yann  ", "locale": "en", "notify_comments": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.display_name == "Yann"
    assert member.locale == "en"
    assert member.notify_reminders is False
    assert member.notify_comments is True


def test_language_change_applies_at_once(client, db, login, member):
    member.locale = "fr"
    db.session.commit()
    login(member)
    assert '<html lang="fr">' in page(client.get("/account/profile"))
    response = client.post(
        "/account/profile",
        data={"display_name": member.display_name, "locale": "en", "notify_reminders": "y"},
        follow_redirects=True,
    )
    html = page(response)
    assert '<html lang="en">' in html
    assert "Your profile is saved." in html


def test_profile_shows_email_and_its_confirmation_state(client, login, member):
    login(member)
    html = page(client.get("/account/profile"))
    assert member.email in html
    assert 'action="/account/confirm"' in html


def test_resending_the_confirmation_link(client, db, login, member):
    login(member)
    assert client.post("/account/confirm").status_code == 302
    assert [row.recipients for row in outbox("email_confirmation")] == [member.email]


def test_change_password_needs_the_current_one(client, db, login, member):
    login(member)
    client.get("/lang/en")
    response = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Your current password is not this one." in page(response)
    db.session.refresh(member)
    assert member.check_password(PASSWORD)


def test_change_password(client, db, login, member):
    login(member)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.check_password(NEW_PASSWORD)


def test_change_password_refuses_weak_or_mismatched(client, db, login, member):
    login(member)
    client.get("/lang/en")
    weak = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "123", "new_password_confirm": "123"},
    )
    assert "10 to 200 characters" in page(weak)
    mismatched = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD + "!",
        },
    )
    assert "The two passwords are not the same." in page(mismatched)
    db.session.refresh(member)
    assert member.check_password(PASSWORD)


def _login_by_form(client, email: str, password: str = PASSWORD) -> None:
    response = client.post("/account/login", data={"email": email, "password": password})
    assert response.status_code == 302


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(app, db, member):
    db.session.commit()
    here, elsewhere = app.test_client(), app.test_client()
    _login_by_form(here, member.email)
    _login_by_form(elsewhere, member.email)
    response = here.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert here.get("/account/profile").status_code == 200
    assert elsewhere.get("/account/profile").status_code == 302


def test_a_password_reset_ends_existing_sessions(app, db, member):
    db.session.commit()
    browser = app.test_client()
    _login_by_form(browser, member.email)
    assert browser.get("/account/profile").status_code == 200
    reset_password(member, NEW_PASSWORD)  # as the reset link's page does
    db.session.commit()
    assert browser.get("/account/profile").status_code == 302
    _login_by_form(browser, member.email, NEW_PASSWORD)
    assert browser.get("/account/profile").status_code == 200

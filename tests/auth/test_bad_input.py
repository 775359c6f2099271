"""Bad input on every account form: a clear message next to the field, never a 500."""

from __future__ import annotations

import pytest

from booking.auth.services import invite, password_reset_token
from tests.auth.conftest import page
from tests.factories import add_member

LONG = "x" * 300
LONG_EMAIL = "a" * 250 + "@example.org"
GOOD_PASSWORD = "a good long password"


@pytest.fixture
def setting(db, make_user, make_association, app):
    """A logged-in association admin, a reset token and an invitation token."""
    user = make_user("boss@example.org")
    association = make_association()
    add_member(user, association, "admin")
    with app.test_request_context():
        _inv, invitation_token = invite(user, association, "guest@example.org")
    db.session.commit()
    return {"user": user, "association": association, "invitation": invitation_token}


def _signup(**changes):
    data = {
        "display_name": "Anne",
        "email": "anne@example.org",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
        "locale": "fr",
        "association_choice": "new",
        "association_name": "Asso",
        "registration_number": "",
        "contact_email": "asso@example.org",
    }
    data.update(changes)
    return data


def _profile(**changes):
    return {"display_name": "Anne", "locale": "en", **changes}


def _password(**changes):
    return {
        "current_password": "correct horse battery",
        "new_password": GOOD_PASSWORD,
        "new_password_confirm": GOOD_PASSWORD,
        **changes,
    }


# (form, anonymous?, data, message expected on the page)
CASES = [
    ("login", True, {}, "Enter your email address."),
    ("login", True, {"email": "not-an-email", "password": "x"}, "Enter a valid email address"),
    ("login", True, {"email": LONG_EMAIL, "password": "x"}, "at most 254 characters"),
    ("login", True, {"email": "a@example.org", "password": LONG}, "at most 200 characters"),
    ("login", True, {"email": "a\x00@example.org", "password": "x"}, "Enter a valid email"),
    ("signup", True, {}, "Enter a name."),
    ("signup", True, _signup(display_name=LONG), "Use at most 120 characters."),
    ("signup", True, _signup(display_name="An\x00ne"), "on one line"),
    ("signup", True, _signup(email="@@"), "Enter a valid email address"),
    ("signup", True, _signup(locale="de"), "Choose French or English."),
    ("signup", True, _signup(locale=""), "Choose a language."),
    ("signup", True, _signup(association_choice="both"), "Choose one of the options."),
    ("signup", True, _signup(association_name=LONG), "Use at most 200 characters."),
    ("signup", True, _signup(association_name="A\tB"), "on one line"),
    ("signup", True, _signup(registration_number=LONG), "Use at most 30 characters."),
    ("signup", True, _signup(registration_number="W2910\x0001"), "RNA number"),
    ("signup", True, _signup(contact_email=LONG_EMAIL), "at most 254 characters"),
    ("signup", True, _signup(password=LONG, password_confirm=LONG), "10 to 200 characters"),
    ("invitation", True, {}, "Enter a name."),
    ("invitation", True, _signup(password_confirm="other password!!"), "not the same"),
    ("invitation", True, _signup(email="guest@"), "Enter a valid email address"),
    ("forgot", True, {}, "Enter an email address."),
    ("forgot", True, {"email": "nope"}, "Enter a valid email address"),
    ("forgot", True, {"email": LONG_EMAIL}, "at most 254 characters"),
    ("reset", True, {}, "Choose a password."),
    ("reset", True, {"password": "short", "password_confirm": "short"}, "10 to 200 characters"),
    ("reset", True, {"password": GOOD_PASSWORD}, "Type the password a second time."),
    ("profile", False, _profile(display_name="   "), "Enter a name."),
    ("profile", False, _profile(display_name=LONG), "Use at most 120 characters."),
    ("profile", False, _profile(locale="klingon"), "Choose French or English."),
    ("profile", False, _profile(display_name="Anne\r\nBcc: x"), "on one line"),
    ("password", False, {}, "Enter your current password."),
    ("password", False, _password(current_password=LONG), "at most 200 characters"),
    ("password", False, _password(new_password="tiny"), "10 to 200 characters"),
    ("password", False, _password(new_password_confirm=""), "Type the password a second time."),
    ("invite", False, {}, "Enter an email address."),
    ("invite", False, {"email": "someone"}, "Enter a valid email address"),
    ("invite", False, {"email": LONG_EMAIL}, "at most 254 characters"),
    ("declare", False, {}, "Enter the association's name."),
    ("declare", False, {"association_name": "X", "contact_email": "x"}, "Enter a valid email"),
    (
        "declare",
        False,
        {"association_name": "X", "contact_email": "x@example.org", "registration_number": "99"},
        "RNA number",
    ),
]


def _path(form: str, setting: dict) -> str:
    slug = setting["association"].slug
    return {
        "login": "/account/login",
        "signup": "/account/signup",
        "invitation": f"/account/invitations/{setting['invitation']}",
        "forgot": "/account/password/forgot",
        "reset": "/account/password/reset/"
        + password_reset_token(setting["user"], secret_key="test-secret-key"),
        "profile": "/account/profile",
        "password": "/account/password",
        "invite": f"/account/associations/{slug}/invitations",
        "declare": "/account/associations/new",
    }[form]


@pytest.mark.parametrize(("form", "anonymous", "data", "message"), CASES)
def test_bad_input_gets_a_clear_message(client, login, setting, form, anonymous, data, message):
    if not anonymous:
        login(setting["user"])
    client.get("/lang/en")
    setting["user"].locale = "en"
    response = client.post(_path(form, setting), data=data)
    assert response.status_code in (200, 400)
    html = page(response)
    assert message in html
    assert 'role="alert"' in html  # the summary at the top of the form
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/account/associations/x/members/not-a-number/remove",
        "/account/associations/x/invitations/1.5/cancel",
        "/account/password/reset/",
        "/account/invitations/",
    ],
)
def test_malformed_urls_are_not_found(client, login, setting, path):
    login(setting["user"])
    assert client.post(path).status_code == 404


def test_repeated_fields_and_odd_types_do_not_break_the_forms(client, setting):
    response = client.post(
        "/account/signup",
        data={
            "display_name": ["Anne", "Bob"],
            "email": ["anne@example.org", "bob@example.org"],
            "password": [GOOD_PASSWORD, "x"],
            "password_confirm": GOOD_PASSWORD,
            "locale": ["fr", "en"],
            "association_choice": ["invited", "new"],
        },
    )
    assert response.status_code == 302  # the first value of each wins


def test_garbage_reset_tokens_send_back_to_the_request_form(client):
    for token in ["x", "a.b.c", "%00", "é" * 50, "." * 400]:
        response = client.get(f"/account/password/reset/{token}")
        assert response.status_code == 302, token

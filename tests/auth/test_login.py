"""Logging in and out."""

from __future__ import annotations

import pytest

from booking.auth import services
from tests.auth.conftest import PASSWORD, page


def post_login(client, email, password=PASSWORD, next_=None):
    url = "/account/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password})


def test_login_with_the_right_password_records_the_time_and_redirects_home(client, db, make_user):
    user = make_user("lea@example.org")
    db.session.commit()
    response = post_login(client, "LEA@example.org ")
    assert response.status_code == 302
    assert response.location == "/"
    db.session.refresh(user)
    assert user.last_login_at is not None
    assert client.get("/account/profile").status_code == 200


def test_wrong_password_is_refused_without_saying_which_part_is_wrong(client, db, make_user):
    make_user("lea@example.org")
    db.session.commit()
    client.get("/lang/en")
    wrong_password = post_login(client, "lea@example.org", "not the password")
    unknown_email = post_login(client, "nobody@example.org")
    assert wrong_password.status_code == unknown_email.status_code == 200
    message = "This email address and password do not match an active account."
    assert message in page(wrong_password)
    assert message in page(unknown_email)
    assert client.get("/account/profile").status_code == 302


def test_inactive_account_cannot_log_in(client, db, make_user):
    make_user("gone@example.org", is_active_account=False)
    db.session.commit()
    response = post_login(client, "gone@example.org")
    assert response.status_code == 200
    assert client.get("/account/profile").status_code == 302


def test_deactivated_user_is_logged_out_on_the_next_request(client, db, login, make_user):
    user = make_user()
    db.session.commit()
    login(user)
    assert client.get("/account/profile").status_code == 200
    user.is_active_account = False
    db.session.commit()
    login(user)  # same session cookie; the loader now refuses the user
    assert client.get("/account/profile").status_code == 302


def test_login_follows_a_local_next(client, db, make_user):
    make_user("lea@example.org")
    db.session.commit()
    response = post_login(client, "lea@example.org", next_="/account/associations")
    assert response.location == "/account/associations"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.org/",
        "//evil.example.org/",
        "/\\evil.example.org",
        "http:/evil.example.org",
        "javascript:alert(1)",
        "evil.example.org",
    ],
)
def test_login_refuses_to_redirect_outside_the_site(client, db, make_user, target):
    make_user("lea@example.org")
    db.session.commit()
    response = client.post(
        "/account/login",
        query_string={"next": target},
        data={"email": "lea@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_logout_is_post_only(client, login, member):
    login(member)
    assert client.get("/account/logout").status_code == 405
    assert client.get("/account/profile").status_code == 200
    response = client.post("/account/logout")
    assert response.status_code == 302
    assert client.get("/account/profile").status_code == 302


def test_logout_when_not_logged_in_goes_to_login(client):
    response = client.post("/account/logout")
    assert response.status_code == 302
    assert response.location.startswith("/account/login")


def test_login_page_links_to_reset_and_signup(client):
    html = page(client.get("/account/login"))
    assert 'href="/account/password/forgot"' in html
    assert 'href="/account/signup"' in html


def test_unknown_email_costs_a_password_check_too(db, monkeypatch):
    """Answering faster for unknown addresses would tell who has an account."""
    checked = []
    real_check = services.check_password_hash

    def counting_check(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real_check(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counting_check)
    assert services.authenticate("nobody@example.org", "a guess") is None
    assert len(checked) == 1

"""Forms refuse posts without their CSRF token; login and reset requests are rate-limited."""

from __future__ import annotations

import re

import pytest

from tests.auth.conftest import PASSWORD, page
from tests.factories import make_user, sign_in

FORMS = [
    "/account/login",
    "/account/signup",
    "/account/password/forgot",
    "/account/password/reset/some-token",
    "/account/invitations/some-token",
]


@pytest.mark.parametrize("path", FORMS)
def test_post_without_csrf_token_gets_the_400_page(csrf_app, path):
    client = csrf_app.test_client()
    client.get("/lang/en")
    response = client.post(path, data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    html = page(response)
    assert "Your form had expired or was sent from elsewhere." in html
    assert "<h1>" in html


def test_logged_in_post_without_csrf_token_is_refused(csrf_app, db):
    client = csrf_app.test_client()
    sign_in(client, make_user())
    db.session.commit()  # and no more reads here: SQLite would hold the other app's writes
    for path in ("/account/logout", "/account/profile", "/account/password"):
        assert client.post(path, data={}).status_code == 400, path
    assert client.get("/account/profile").status_code == 200  # still logged in


def test_post_with_the_csrf_token_is_accepted(csrf_app, db):
    make_user("lea@example.org")
    db.session.commit()
    client = csrf_app.test_client()
    html = page(client.get("/account/login"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/account/login",
        data={"csrf_token": token, "email": "lea@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302


def test_login_is_rate_limited(limited_app, db):
    client = limited_app.test_client()
    statuses = [
        client.post(
            "/account/login", data={"email": f"someone{i}@example.org", "password": "guess"}
        ).status_code
        for i in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert client.get("/account/login").status_code == 200  # reading the page stays free


def test_limited_pages_send_retry_after_only_on_the_429(limited_app, db):
    client = limited_app.test_client()
    answers = [
        client.post("/account/login", data={"email": f"p{i}@example.org", "password": "guess"})
        for i in range(11)
    ]
    assert answers[0].status_code == 200
    assert "Retry-After" not in answers[0].headers
    assert 0 <= int(answers[0].headers["RateLimit-Reset"]) <= 61  # seconds, not a Unix time
    assert answers[10].status_code == 429
    assert int(answers[10].headers["Retry-After"]) > 0


def test_password_reset_requests_are_rate_limited(limited_app, db):
    client = limited_app.test_client()
    client.get("/lang/en")
    statuses = [
        client.post("/account/password/forgot", data={"email": f"n{i}@example.org"}).status_code
        for i in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    assert "Too many attempts" in page(
        client.post("/account/password/forgot", data={"email": "x@example.org"})
    )


def test_the_test_config_has_limits_off(client):
    statuses = {
        client.post("/account/login", data={"email": "a@example.org", "password": "x"}).status_code
        for _ in range(12)
    }
    assert statuses == {200}

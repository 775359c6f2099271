"""Personal access tokens: made on the account page and shown once, stored hashed,
scoped, expiring, revocable; the API reads no session cookie."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from booking.api.tokens import ApiToken, token_for_secret
from booking.auth.models import hash_token
from booking.extensions import db


def test_a_token_is_made_on_the_account_page_and_shown_once(login, member_a):
    client = login(member_a)
    assert b"api-tokens-heading" in client.get("/account/profile").data
    response = client.post(
        "/account/tokens/", data={"name": "Our website", "scopes": ["read", "book"]}
    )
    assert response.status_code == 201
    token = db.session.scalar(select(ApiToken))
    page = response.get_data(as_text=True)
    secret = re.search(r'id="new-token"[^>]*value="(so_[\w-]+)"', page).group(1)
    assert token.token_hash == hash_token(secret)  # only the digest is stored
    assert secret not in (token.name, token.prefix)
    listing = client.get("/account/tokens/").get_data(as_text=True)
    assert "Our website" in listing
    assert secret not in listing
    assert "Set-Cookie" not in response.headers or secret not in response.headers["Set-Cookie"]


def test_a_token_needs_a_name_and_a_scope(login, member_a):
    response = login(member_a).post("/account/tokens/", data={"name": " ", "scopes": []})
    assert response.status_code == 422
    assert db.session.scalar(select(ApiToken)) is None


def test_an_expiry_in_the_past_is_refused(login, member_a):
    response = login(member_a).post(
        "/account/tokens/", data={"name": "old", "scopes": ["read"], "expires_on": "2001-01-01"}
    )
    assert response.status_code == 422


def test_a_revoked_token_stops_working(client, login, member_a, bearer):
    headers = bearer(member_a, "read")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = db.session.scalar(select(ApiToken))
    response = login(member_a).post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_someone_else_cannot_revoke_my_token(login, member_a, member_b, bearer):
    bearer(member_a, "read")
    token = db.session.scalar(select(ApiToken))
    assert login(member_b).post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_an_expired_token_is_refused(client, member_a, bearer):
    headers = bearer(member_a, "read", expires_at=datetime.now(UTC) + timedelta(seconds=1))
    secret = headers["Authorization"].split()[1]
    assert token_for_secret(secret, now=datetime.now(UTC)) is not None
    assert token_for_secret(secret, now=datetime.now(UTC) + timedelta(seconds=2)) is None
    db.session.rollback()


def test_the_last_use_is_recorded(client, member_a, bearer):
    headers = bearer(member_a, "read")
    assert db.session.scalar(select(ApiToken)).last_used_at is None
    client.get("/api/v1/me", headers=headers)
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_the_api_ignores_the_session_cookie(login, member_a):
    client = login(member_a)  # signed in on the site, no token
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_token_answers_set_no_cookie_and_allow_no_other_origin(client, member_a, bearer):
    response = client.get("/api/v1/me", headers=bearer(member_a, "read"))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_garbage_authorization_header_is_a_401_problem(client, db):
    for value in ("Bearer", "Basic abc", "Bearer so_nope", "Bearer " + "x" * 500):
        response = client.get("/api/v1/me", headers={"Authorization": value})
        assert response.status_code == 401
        assert response.json["rule"] == "token"


def test_me_lists_associations_and_managed_rooms(client, manager, room, member_a, bearer):
    mine = client.get("/api/v1/me", headers=bearer(member_a, "read")).json
    assert [a["name"] for a in mine["associations"]] == ["Repair Café"]
    assert mine["manages"] == []
    theirs = client.get("/api/v1/me", headers=bearer(manager, "decide", "read")).json
    assert theirs["manages"] == ["salle-iroise"]
    assert theirs["scopes"] == ["decide", "read"]

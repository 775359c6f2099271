"""Server-side sessions and remember-me tokens (issue 12, items 1, 2 and 12).

Every test here fails on the code before `user_session`: the remember cookie
was the same HMAC for every login and the session lived only in its cookie.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from booking.auth.models import hash_token
from booking.auth.services import reset_password
from booking.auth.session import REMEMBER_COOKIE
from booking.auth.user_sessions import UserSession, summarize_user_agent
from booking.db import utcnow
from booking.extensions import db as _db
from tests.auth.conftest import NEW_PASSWORD, PASSWORD, page
from tests.factories import make_user, sign_in
from tests.statements import recorded_statements, selects

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def _login(client, email: str, *, remember: bool = False, password: str = PASSWORD) -> None:
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/account/login", data=data, headers={"User-Agent": FIREFOX})
    assert response.status_code == 302


def _signed_in(client) -> bool:
    return client.get("/account/profile").status_code == 200


def _rows(user) -> list[UserSession]:
    stmt = select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    _db.session.expire_all()
    return list(_db.session.scalars(stmt))


def _remember_cookie(client) -> str | None:
    cookie = client.get_cookie(REMEMBER_COOKIE)
    return cookie.value if cookie else None


def _forget_session_cookie(client) -> None:
    """As a browser does when it is closed: the session cookie goes, the remember one stays."""
    client.delete_cookie("session")


def test_each_login_gets_its_own_random_remember_token_stored_hashed(app, db):
    user = make_user("lea@example.org")
    db.session.commit()
    first, second = app.test_client(), app.test_client()
    _login(first, user.email, remember=True)
    _login(second, user.email, remember=True)
    tokens = [_remember_cookie(first), _remember_cookie(second)]
    assert None not in tokens
    assert tokens[0] != tokens[1]
    rows = _rows(user)
    assert [row.remember_hash for row in rows] == [hash_token(t) for t in tokens]
    assert "|" not in tokens[0]  # not the old "user id|HMAC" cookie
    assert rows[0].user_agent == "Firefox, Linux"
    assert rows[0].created_at == rows[0].last_used_at


def test_a_login_without_remember_sets_no_remember_cookie(app, db):
    user = make_user()
    db.session.commit()
    client = app.test_client()
    _login(client, user.email)
    assert _remember_cookie(client) is None
    assert _rows(user)[0].remember_hash is None


def test_the_remember_token_signs_in_again_and_is_rotated_on_use(app, db):
    user = make_user()
    db.session.commit()
    client = app.test_client()
    _login(client, user.email, remember=True)
    old = _remember_cookie(client)
    _forget_session_cookie(client)
    assert _signed_in(client)
    new = _remember_cookie(client)
    assert new
    assert new != old
    # A copy of the old token (stolen before the rotation) no longer signs in.
    thief = app.test_client()
    thief.set_cookie(REMEMBER_COOKIE, old)
    assert not _signed_in(thief)
    assert thief.get_cookie(REMEMBER_COOKIE) is None  # and is cleared
    # The new one does, once.
    _forget_session_cookie(client)
    assert _signed_in(client)


def test_the_remember_cookie_is_http_only_and_same_site_lax(app, db):
    user = make_user()
    db.session.commit()
    response = app.test_client().post(
        "/account/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    header = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER_COOKIE)
    )
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_logout_ends_the_session_and_the_remember_token_even_for_copies(app, db):
    user = make_user()
    db.session.commit()
    client = app.test_client()
    _login(client, user.email, remember=True)
    session_copy = client.get_cookie("session").value
    remember_copy = _remember_cookie(client)
    assert client.post("/account/logout").status_code == 302
    assert not _signed_in(client)
    replay = app.test_client()
    replay.set_cookie("session", session_copy)
    assert not _signed_in(replay)
    replay = app.test_client()
    replay.set_cookie(REMEMBER_COOKIE, remember_copy)
    assert not _signed_in(replay)
    assert _rows(user) == []


def test_a_password_change_revokes_the_other_devices_remember_tokens(app, db):
    user = make_user()
    db.session.commit()
    here, elsewhere = app.test_client(), app.test_client()
    _login(here, user.email, remember=True)
    _login(elsewhere, user.email, remember=True)
    here.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    _forget_session_cookie(elsewhere)
    assert not _signed_in(elsewhere)
    assert _signed_in(here)
    assert len(_rows(user)) == 1


def test_a_password_reset_revokes_every_remember_token(app, db):
    user = make_user()
    db.session.commit()
    client = app.test_client()
    _login(client, user.email, remember=True)
    reset_password(user, NEW_PASSWORD)
    db.session.commit()
    assert not _signed_in(client)
    _forget_session_cookie(client)
    assert not _signed_in(client)


def test_a_session_ends_after_the_idle_timeout(app, db):
    user = make_user()
    db.session.commit()
    client = app.test_client()
    _login(client, user.email)
    idle = timedelta(seconds=app.config["SESSION_IDLE_TIMEOUT"])
    db.session.execute(update(UserSession).values(last_used_at=utcnow() - idle * 0.9))
    db.session.commit()
    assert _signed_in(client)  # still within the timeout: and the use is recorded
    assert utcnow() - _rows(user)[0].last_used_at < timedelta(minutes=1)
    db.session.execute(update(UserSession).values(last_used_at=utcnow() - idle * 1.1))
    db.session.commit()
    assert not _signed_in(client)


def test_a_plain_session_ends_at_its_absolute_lifetime_even_when_used(app, db):
    user = make_user()
    db.session.commit()
    client = app.test_client()
    _login(client, user.email)
    row = _rows(user)[0]
    assert row.expires_at - row.created_at == timedelta(seconds=app.config["SESSION_LIFETIME"])
    db.session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert not _signed_in(client)


def test_a_remembered_login_outlives_the_idle_timeout_but_not_its_lifetime(app, db):
    user = make_user()
    db.session.commit()
    client = app.test_client()
    _login(client, user.email, remember=True)
    row = _rows(user)[0]
    assert row.expires_at - row.created_at == timedelta(seconds=app.config["REMEMBER_LIFETIME"])
    long_ago = utcnow() - timedelta(days=3)
    db.session.execute(update(UserSession).values(last_used_at=long_ago))
    db.session.commit()
    assert _signed_in(client)  # the session went idle; the remember token restored it
    db.session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert not _signed_in(client)


def test_the_profile_lists_the_devices_and_signs_one_out(app, db):
    user = make_user()
    db.session.commit()
    here, elsewhere = app.test_client(), app.test_client()
    _login(here, user.email)
    _login(elsewhere, user.email, remember=True)
    here.get("/lang/en")
    html = page(here.get("/account/profile"))
    assert "Your signed-in devices" in html
    assert html.count("Firefox, Linux") >= 2
    assert "(this device)" in html
    other = next(row for row in _rows(user) if row.remember_hash is not None)
    response = here.post(f"/account/devices/{other.id}/sign-out")
    assert response.status_code == 302
    assert not _signed_in(elsewhere)
    _forget_session_cookie(elsewhere)
    assert not _signed_in(elsewhere)
    assert _signed_in(here)


def test_a_device_of_someone_else_cannot_be_signed_out(app, db):
    owner, intruder = make_user(), make_user()
    db.session.commit()
    victim = app.test_client()
    _login(victim, owner.email)
    attacker = app.test_client()
    _login(attacker, intruder.email)
    row = _rows(owner)[0]
    attacker.post(f"/account/devices/{row.id}/sign-out")
    assert _signed_in(victim)


def test_signing_out_this_device_from_the_list_logs_out(app, db):
    user = make_user()
    db.session.commit()
    client = app.test_client()
    _login(client, user.email)
    row = _rows(user)[0]
    client.post(f"/account/devices/{row.id}/sign-out")
    assert not _signed_in(client)


def test_an_administrator_signs_a_user_out_everywhere(app, db):
    admin, user = make_user(is_admin=True), make_user()
    db.session.commit()
    phone, laptop = app.test_client(), app.test_client()
    _login(phone, user.email, remember=True)
    _login(laptop, user.email)
    desk = app.test_client()
    _login(desk, admin.email)
    response = desk.post(f"/admin/users/{user.id}/sign-out")
    assert response.status_code == 302
    assert not _signed_in(phone)
    assert not _signed_in(laptop)
    _forget_session_cookie(phone)
    assert not _signed_in(phone)
    assert _signed_in(desk)
    _login(laptop, user.email)  # the password still works
    assert _signed_in(laptop)


def test_only_administrators_sign_others_out(app, db):
    user, other = make_user(), make_user()
    db.session.commit()
    victim = app.test_client()
    _login(victim, user.email)
    client = app.test_client()
    _login(client, other.email)
    assert client.post(f"/admin/users/{user.id}/sign-out").status_code in (302, 403)
    assert _signed_in(victim)


def test_a_deactivated_account_is_signed_out_at_once(client, db, login):
    user = make_user()
    login(user)
    assert _signed_in(client)
    user.is_active_account = False
    db.session.commit()
    assert not _signed_in(client)


def test_an_anonymous_request_does_not_touch_the_database(client, db):
    client.get("/account/login")  # warm up
    with recorded_statements() as statements:
        assert client.get("/account/login").status_code == 200
    assert statements == []


def test_a_signed_in_request_checks_the_session_in_the_users_one_query(client, db, login):
    user = make_user()
    login(user)
    db.session.commit()
    with recorded_statements() as statements:
        assert client.get("/account/password").status_code == 200
    reads = selects(statements)
    assert len(reads) == 1, reads
    assert "user_session" in reads[0]


def test_a_session_cookie_from_before_server_side_sessions_is_anonymous(client, db):
    user = make_user()
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not _signed_in(client)


def test_the_test_helper_signs_in_through_a_server_side_session(client, db):
    user = make_user()
    sign_in(client, user)
    assert _signed_in(client)
    assert len(_rows(user)) == 1


def test_user_agents_are_summarised():
    assert summarize_user_agent(FIREFOX) == "Firefox, Linux"
    chrome_android = (
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0 Mobile Safari/537.36"
    )
    assert summarize_user_agent(chrome_android) == "Chrome, Android"
    assert summarize_user_agent("curl/8.5.0") == "curl/8.5.0"
    assert summarize_user_agent(None) == ""
    assert len(summarize_user_agent("x" * 500)) <= 60

"""Password reset by an emailed, signed, expiring, single-use link."""

from __future__ import annotations

from datetime import timedelta

from booking.auth.services import password_reset_token, user_for_reset_token
from booking.db import utcnow
from tests.auth.conftest import NEW_PASSWORD, PASSWORD, flashes, link_in, outbox, page, text_body

SECRET = "test-secret-key"


def request_reset(client, email):
    return client.post("/account/password/forgot", data={"email": email})


def choose(client, path, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"password": password, "password_confirm": confirm or password})


def test_reset_link_is_emailed_in_the_users_language_and_works_once(client, db, make_user):
    user = make_user("lea@example.org", locale="en")
    db.session.commit()
    response = request_reset(client, "lea@example.org")
    assert response.status_code == 302
    (row,) = outbox("password_reset")
    assert row.recipients == "lea@example.org"
    assert row.subject == "Reset your Salles Ouvertes password"
    path = link_in(row)
    assert path.startswith("/account/password/reset/")
    message = row.message()
    assert message.get_body(preferencelist=("html",)) is not None

    assert client.get(path).status_code == 200
    response = choose(client, path)
    assert response.status_code == 302
    assert response.location == "/account/login"
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)

    # The link is used: the password hash changed, so its signature no longer matches.
    again = client.get(path)
    assert again.status_code == 302
    assert again.location == "/account/password/forgot"
    reused = choose(client, path, password="yet another passphrase")
    assert reused.status_code == 302
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)


def test_unknown_email_gets_the_same_answer_and_the_same_work(client, db, make_user):
    """The same page and one email either way, so the timing matches too (issue 12, item 6)."""
    make_user("lea@example.org")
    db.session.commit()
    known = request_reset(client, "lea@example.org")
    known_flashes = flashes(client)
    client.get("/")  # consume the flash
    unknown = request_reset(client, "nobody@example.org")
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location)
    assert flashes(client) == known_flashes
    to_known, to_unknown = outbox("password_reset")
    assert to_known.subject == to_unknown.subject
    assert "/account/password/reset/" in text_body(to_known.message())
    assert "/account/password/reset/" not in text_body(to_unknown.message())
    assert "aucun compte actif ne l’utilise" in text_body(to_unknown.message())


def test_inactive_account_gets_no_reset_link(client, db, make_user):
    make_user("gone@example.org", is_active_account=False)
    db.session.commit()
    assert request_reset(client, "gone@example.org").status_code == 302
    (row,) = outbox("password_reset")
    assert "/account/password/reset/" not in text_body(row.message())


def test_expired_link_is_refused(client, db, make_user):
    user = make_user()
    db.session.commit()
    two_hours_ago = utcnow() - timedelta(hours=2)
    token = password_reset_token(user, secret_key=SECRET, now=two_hours_ago)
    response = client.get(f"/account/password/reset/{token}")
    assert response.status_code == 302
    assert response.location == "/account/password/forgot"
    response = choose(client, f"/account/password/reset/{token}")
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_token_lives_exactly_its_max_age(db, make_user):
    user = make_user()
    signed_at = utcnow() - timedelta(hours=1)
    token = password_reset_token(user, secret_key=SECRET, now=signed_at)
    just_in_time = signed_at + timedelta(seconds=3600)
    too_late = signed_at + timedelta(seconds=3601)
    assert user_for_reset_token(token, secret_key=SECRET, max_age=3600, now=just_in_time) is user
    assert user_for_reset_token(token, secret_key=SECRET, max_age=3600, now=too_late) is None


def test_forged_or_foreign_tokens_are_refused(db, make_user):
    user = make_user()
    token = password_reset_token(user, secret_key="another-secret")
    assert user_for_reset_token(token, secret_key=SECRET, max_age=3600) is None
    assert user_for_reset_token("garbage", secret_key=SECRET, max_age=3600) is None
    assert user_for_reset_token("", secret_key=SECRET, max_age=3600) is None
    good = password_reset_token(user, secret_key=SECRET)
    assert user_for_reset_token(good[:-2] + "xx", secret_key=SECRET, max_age=3600) is None


def test_link_dies_when_the_password_changes_another_way(db, make_user):
    user = make_user()
    token = password_reset_token(user, secret_key=SECRET)
    user.set_password("changed some other way")
    assert user_for_reset_token(token, secret_key=SECRET, max_age=3600) is None


def test_new_password_must_be_long_enough_and_typed_twice(client, db, make_user):
    user = make_user()
    db.session.commit()
    path = f"/account/password/reset/{password_reset_token(user, secret_key=SECRET)}"
    client.get("/lang/en")
    short = choose(client, path, password="short")
    assert short.status_code == 200
    assert "10 to 200 characters" in page(short)
    mismatch = choose(client, path, confirm="something else entirely")
    assert "The two passwords are not the same." in page(mismatch)
    db.session.refresh(user)
    assert user.check_password(PASSWORD)

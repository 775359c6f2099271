"""The gaps a probe found (issue 12): each test here fails on the code before the fix."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from wtforms.validators import ValidationError

from booking import create_app
from booking.auth import throttle
from booking.calendars.forms import MAX_ICS_BYTES, SmallerThan
from booking.extensions import db as _db
from booking.extensions import limiter
from config import BASE_DIR, ProductionConfig, TestConfig
from tests.auth.conftest import NEW_PASSWORD, PASSWORD, _app_with, link_in, outbox, page
from tests.factories import make_user, sign_in

WRONG = "not the password"


def _post_login(client, email: str, password: str, address: str, **kwargs):
    return client.post(
        "/account/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        **kwargs,
    )


# --- 3. Failed logins per account and per address ----------------------------------------


def test_failed_logins_for_one_account_are_throttled_whatever_the_address(limited_app, db):
    make_user("lea@example.org")
    make_user("noe@example.org")
    db.session.commit()
    client = limited_app.test_client()
    client.get("/lang/en")
    statuses = [
        _post_login(client, "lea@example.org", WRONG, f"10.0.0.{i}").status_code for i in range(13)
    ]
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
    response = _post_login(client, "lea@example.org", PASSWORD, "10.0.1.1")
    assert response.status_code == 429  # even the right password waits: no oracle
    html = page(response)
    assert "Too many failed attempts for this account" in html
    assert "Try again in 1 minute" in html
    assert "Forgot your password?" in html
    # Another account is not concerned.
    assert _post_login(client, "noe@example.org", PASSWORD, "10.0.1.2").status_code == 302


def test_the_waits_grow_with_the_failures_and_stay_under_asvs_limit(limited_app, db):
    with limited_app.test_request_context():
        email, digest = "lea@example.org", throttle._digest("lea@example.org")

        def fail(times: int) -> None:
            for i in range(times):
                throttle.record_failed_login(email, f"10.1.{times}.{i}")

        fail(5)
        first = throttle.seconds_before_next_login(email, "10.9.9.9")
        assert 0 < first <= 60
        limiter.limiter.clear(throttle.ACCOUNT_FAILURES[0], "login-account", digest)  # a minute
        fail(10)
        second = throttle.seconds_before_next_login(email, "10.9.9.9")
        assert 60 < second <= 15 * 60
        for item in throttle.ACCOUNT_FAILURES[:2]:
            limiter.limiter.clear(item, "login-account", digest)  # a quarter of an hour
        fail(35)
        third = throttle.seconds_before_next_login(email, "10.9.9.9")
        assert 15 * 60 < third <= 3600
    # ASVS 2.2.1: no more than 100 failed attempts an hour for one account.
    hourly = [item for item in throttle.ACCOUNT_FAILURES if item.get_expiry() == 3600]
    assert [item.amount for item in hourly] == [50]


def test_failed_logins_from_one_address_are_throttled_across_accounts(limited_app, db):
    with limited_app.test_request_context():
        for i in range(30):
            throttle.record_failed_login(f"guess{i}@example.org", "192.0.2.7")
        assert throttle.seconds_before_next_login("fresh@example.org", "192.0.2.7") > 0
        assert throttle.seconds_before_next_login("fresh@example.org", "192.0.2.8") == 0


def test_a_password_reset_lets_the_locked_out_owner_in_at_once(limited_app, db):
    make_user("lea@example.org")
    db.session.commit()
    client = limited_app.test_client()
    for i in range(6):
        _post_login(client, "lea@example.org", WRONG, f"10.0.0.{i}")
    assert _post_login(client, "lea@example.org", PASSWORD, "10.0.0.99").status_code == 429
    client.post("/account/password/forgot", data={"email": "lea@example.org"})
    (row,) = outbox("password_reset")
    reset = link_in(row)
    _db.session.rollback()  # SQLite: this session must not hold the write lock
    response = client.post(reset, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert _post_login(client, "lea@example.org", NEW_PASSWORD, "10.0.0.99").status_code == 302


# --- 5. Reset emails per recipient -------------------------------------------------------


def test_reset_emails_to_one_mailbox_are_limited_whoever_asks(limited_app, db):
    make_user("lea@example.org")
    db.session.commit()
    client = limited_app.test_client()
    answers = {
        (r.status_code, r.location)
        for r in (
            client.post(
                "/account/password/forgot",
                data={"email": "lea@example.org"},
                environ_base={"REMOTE_ADDR": f"10.2.0.{i}"},
            )
            for i in range(5)
        )
    }
    assert answers == {(302, "/account/login")}  # the same answer every time
    assert len(outbox("password_reset")) == 3


# --- 7. The language switch changes no stored state on GET -------------------------------


def test_the_language_link_does_not_change_the_stored_language(client, db, login):
    user = make_user(locale="fr")
    login(user)
    response = client.get("/lang/en?next=/")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.locale == "fr"
    assert 'lang="en">English' in page(client.get("/"))  # the page is in English though


def test_a_signed_in_user_switches_language_with_a_post_form_that_saves_it(client, db, login):
    user = make_user(locale="fr")
    login(user)
    html = page(client.get("/"))
    assert '<form method="post" action="/lang/en?next=/"' in html
    response = client.post("/lang/en?next=/")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.locale == "en"


def test_the_language_post_needs_its_csrf_token(csrf_app, db):
    client = csrf_app.test_client()
    sign_in(client, make_user(locale="fr"))
    assert client.post("/lang/en").status_code == 400


# --- 8. CR/LF in next= --------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/%0d%0aX:1", "/%0aSet-Cookie:%20a=b", "/%09x", "/%7f"])
def test_control_characters_in_next_are_ignored_not_a_500(client, db, target):
    response = client.get(f"/lang/en?next={target}")
    assert response.status_code == 302
    assert response.location == "/"
    user = make_user()
    db.session.commit()
    response = client.post(
        f"/account/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/"


# --- 9. Request size --------------------------------------------------------------------


def test_a_too_large_request_gets_a_translated_413_before_the_csrf_check(csrf_app, db):
    client = csrf_app.test_client()
    client.get("/lang/fr")
    body = b"x" * (csrf_app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/account/login", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "Votre envoi dépasse 3 Mo" in page(response)


class _Unreadable(io.BytesIO):
    def read(self, *_args):
        raise AssertionError("read to be measured")


def test_the_import_size_is_checked_without_reading_the_file():
    check = SmallerThan(MAX_ICS_BYTES, "too large")
    stream = _Unreadable(b"x" * (MAX_ICS_BYTES + 1))
    field = type("Field", (), {"data": FileStorage(stream, filename="big.ics")})()
    with pytest.raises(ValidationError):
        check(None, field)
    field.data = FileStorage(_Unreadable(b"BEGIN:VCALENDAR"), filename="small.ics")
    check(None, field)


# --- 10. No caching of signed-in pages --------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/account/profile", "/reservations/mine", "/account/calendar-feed", "/admin/"]
)
def test_pages_for_a_signed_in_user_are_not_stored(client, db, login, path):
    login(make_user(is_admin=True))
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_for_visitors_keep_their_caching(client, db):
    assert "Cache-Control" not in client.get("/").headers


# --- 11. HSTS in production ---------------------------------------------------------------


@pytest.fixture
def production_app(app: Flask, database_url: str, db) -> Iterator[Flask]:
    config = type(
        "_Production",
        (ProductionConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "production-test-key",
            "RATELIMIT_ENABLED": False,
            "MAIL_SEND_AFTER_REQUEST": False,
        },
    )
    application = create_app(config)
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_production_sends_hsts(production_app):
    response = production_app.test_client().get("/healthz", base_url="https://salles.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_production_cookies_are_secure_and_same_site(production_app):
    config = production_app.config
    assert config["SESSION_COOKIE_SECURE"]
    assert config["REMEMBER_COOKIE_SECURE"]
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


# --- Behind a reverse proxy ---------------------------------------------------------------


def _logins_from_clients_behind_one_proxy(application: Flask) -> list[int]:
    client = application.test_client()
    return [
        client.post(
            "/account/login",
            data={"email": f"someone{i}@example.org", "password": WRONG},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ).status_code
        for i in range(11)
    ]


@pytest.fixture
def proxied_app(app: Flask, database_url: str, db) -> Iterator[Flask]:
    application = _app_with(
        database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", TRUSTED_PROXIES=1
    )
    limiter.reset()
    yield application
    limiter.reset()
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_behind_a_trusted_proxy_each_client_has_its_own_address(proxied_app):
    assert 429 not in _logins_from_clients_behind_one_proxy(proxied_app)


def test_without_trusted_proxies_forwarded_addresses_are_ignored(limited_app):
    assert _logins_from_clients_behind_one_proxy(limited_app)[-1] == 429


def test_trusted_proxies_are_off_by_default():
    assert TestConfig.TRUSTED_PROXIES == 0


# --- The README lists every setting -------------------------------------------------------


def test_the_readme_configuration_table_lists_every_variable_config_reads():
    source = (Path(BASE_DIR) / "config.py").read_text()
    names = set(re.findall(r'(?:environ\.get|_bool|_int)\(\s*"([A-Z_0-9]+)"', source))
    names -= {"TEST_DATABASE_URL"}  # the test suite's, documented under Tests
    readme = (Path(BASE_DIR) / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    listed = set(re.findall(r"`([A-Z_0-9]+)`", "\n".join(row.split(" | ")[0] for row in rows)))
    assert names - listed == set()
    assert {"SESSION_COOKIE_SECURE", "TRUSTED_PROXIES", "RATELIMIT_STORAGE_URI"} <= names


def test_the_readme_has_a_security_section():
    readme = (Path(BASE_DIR) / "README.md").read_text()
    section = readme.split("## Security", 1)[1].split("\n## ", 1)[0]
    for words in ("Redis", "TRUSTED_PROXIES", "HSTS", "SECRET_KEY", "Reporting a vulnerability"):
        assert words in section

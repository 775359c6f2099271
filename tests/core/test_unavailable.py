"""A busy or lost database answers 503 "try again", never a 500 nor the server's bare page."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask
from sqlalchemy import select, text

from booking import create_app
from booking.auth.models import User
from booking.extensions import db as _db
from config import TestConfig
from tests import factories
from tests.statements import recorded_statements


@pytest.fixture
def busy_app(app: Flask, tmp_path) -> Iterator[tuple[Flask, str]]:
    """An app on its own SQLite file with a short busy timeout."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite's write lock: PostgreSQL locks rows, not the database")
    path = tmp_path / "busy.db"

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        SQLITE_BUSY_TIMEOUT_MS = 200

    busy = create_app(_Config)
    with busy.app_context():
        _db.create_all()
        yield busy, str(path)
        _db.session.remove()
        _db.engine.dispose()


def test_sqlite_locked_beyond_busy_timeout_answers_503_without_touching_the_database(busy_app):
    busy, path = busy_app
    user = factories.make_user(locale="en")
    _db.session.commit()
    client = busy.test_client()
    factories.sign_in(client, user)
    _db.session.commit()
    _db.session.remove()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with recorded_statements() as statements:
            response = client.post(
                "/account/profile",
                data={"display_name": "Camille"},
                headers={"Accept-Language": "fr"},
            )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "Le service est occupé" in page
    assert '<html lang="fr">' in page
    # One attempt to take the lock, then nothing: the error page waits for no lock.
    assert statements == ["BEGIN IMMEDIATE"]


def test_busy_json_clients_get_a_problem_with_retry_after(busy_app):
    busy, path = busy_app
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        response = busy.test_client().post(
            "/account/login",
            data={"email": "a@example.org", "password": "x"},
            headers={"Accept": "application/json", "Accept-Language": "en"},
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["title"] == "The service is busy"


@pytest.fixture
def postgres(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")


def _terminate(url: str, pid: int) -> None:
    """End a backend from outside the pool, as an administrator or a restart would; wait
    until it is gone."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _attempt in range(100):
            gone = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
            if gone.fetchone()[0] == 0:
                return
            time.sleep(0.02)


def test_connection_killed_while_idle_in_the_pool_is_replaced(postgres, client, make_resource):
    slug = make_resource().slug
    _db.session.commit()
    _db.session.close()
    _db.engine.dispose()
    with _db.engine.connect() as connection:  # the pool's only connection
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    url = _db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    _terminate(url, pid)
    response = client.get(f"/resources/{slug}")
    assert response.status_code == 200


def test_connection_killed_during_a_request_gives_the_apps_own_page(
    postgres, client, login, make_user, monkeypatch
):
    user = make_user()
    _db.session.commit()
    login(user)

    def _connection_lost(_user):  # the server goes away in the middle of the request
        _db.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return []

    monkeypatch.setattr("booking.auth.views.associations.memberships_of", _connection_lost)
    response = client.get("/account/associations", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "The service is busy" in response.get_data(as_text=True)
    # The next statement gets a fresh connection.
    assert _db.session.scalar(select(User.id).where(User.id == user.id)) == user.id


def test_closing_a_session_on_a_dead_connection_does_not_escape_the_request(postgres, app):
    """Flask-SQLAlchemy closes the session at teardown; a failure there reaches the server."""
    with app.app_context():
        url = _db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        pid = _db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        _terminate(url, pid)
    with app.app_context():  # the next request works on a fresh connection
        assert _db.session.execute(text("SELECT 1")).scalar_one() == 1

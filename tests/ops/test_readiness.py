"""/healthz says the process is up; /readyz that the database answers at the migrations' head."""

from __future__ import annotations

from alembic.command import stamp, upgrade
from alembic.script import ScriptDirectory

from booking import create_app
from booking.extensions import db
from booking.ops.readiness import expected_heads
from config import TestConfig


def _app_on(url: str):
    return create_app(type("_Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


def test_healthz_touches_no_database(client, db):
    assert client.get("/healthz").get_data(as_text=True) == "ok"


def test_readyz_refuses_a_database_without_migrations(client, db):
    """The test database is made by create_all(), not by the migrations: not ready."""
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["migrations"] == "not applied"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_at_head_and_not_one_revision_behind(tmp_path):
    app = _app_on(f"sqlite:///{tmp_path / 'ready.db'}")
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        upgrade(config, "head")
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 200
        assert ready.json == {
            "ready": True,
            "database": "ok",
            "migrations": "ok",
            "expected": list(expected_heads()),
            "current": list(expected_heads()),
        }
        script = ScriptDirectory.from_config(config)
        [head] = expected_heads()
        stamp(config, script.get_revision(head).down_revision, purge=True)
        behind = app.test_client().get("/readyz")
        assert behind.status_code == 503
        assert behind.json["migrations"] == "behind"
        db.engine.dispose()


def test_readyz_says_when_the_database_is_unreachable(tmp_path):
    app = _app_on(f"sqlite:///{tmp_path / 'missing-dir' / 'no.db'}")
    with app.app_context():
        response = app.test_client().get("/readyz")
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json["database"].startswith("unreachable")

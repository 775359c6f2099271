"""The application factory with each configuration."""

from __future__ import annotations

import pytest

from booking import create_app
from booking.extensions import db
from config import ProductionConfig, TestConfig


def test_factory_builds_an_app_from_the_test_config():
    app = create_app(TestConfig)
    assert app.testing
    assert app.config["WTF_CSRF_ENABLED"] is False
    assert "auth" in app.blueprints
    with app.app_context():
        db.create_all()
        assert app.test_client().get("/account/login").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_production_refuses_to_start_without_a_secret_key():
    class NoSecret(ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(NoSecret)


def test_production_starts_with_a_secret_key_and_secure_cookies():
    class WithSecret(ProductionConfig):
        SECRET_KEY = "a-real-secret-from-the-environment"
        SQLALCHEMY_DATABASE_URI = "sqlite://"
        SESSION_COOKIE_SECURE = True

    app = create_app(WithSecret)
    assert app.config["SECRET_KEY"] == "a-real-secret-from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["WTF_CSRF_ENABLED"] is True
    with app.app_context():
        db.engine.dispose()

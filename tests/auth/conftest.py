"""Account test helpers: the emails put in the outbox, apps with CSRF or rate limits on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from flask import Flask
from sqlalchemy import select

from booking import create_app
from booking.extensions import db as _db
from booking.extensions import limiter
from booking.outbox import OutboxMessage
from config import TestConfig

PASSWORD = "correct horse battery"  # the factories' password
NEW_PASSWORD = "a brand new passphrase"


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(_db.session.scalars(stmt))


def text_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(row: OutboxMessage) -> str:
    """The path of the (only) link of the service in an email."""
    match = re.search(r"http://salles\.test(/\S+)", text_body(row.message()))
    assert match, text_body(row.message())
    return match.group(1)


def page(response) -> str:
    return response.get_data(as_text=True)


def flashes(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


@pytest.fixture
def request_ctx(app: Flask, db) -> Iterator[None]:
    """A request context (in English), for translated messages read outside a view."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _app_with(database_url: str, **settings: object) -> Flask:
    config = type("_Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})
    return create_app(config)


@pytest.fixture
def csrf_app(app: Flask, database_url: str, db) -> Iterator[Flask]:
    """The application as deployed: forms need their CSRF token."""
    application = _app_with(database_url, WTF_CSRF_ENABLED=True)
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def limited_app(app: Flask, database_url: str, db) -> Iterator[Flask]:
    """An application with rate limits on (the test config turns them off)."""
    application = _app_with(database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter.reset()
    yield application
    limiter.reset()
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()

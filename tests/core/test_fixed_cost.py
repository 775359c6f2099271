"""The limiter's fixed cost (issue 19): nothing for endpoints without limits, no threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from limits.storage import storage_from_string

from booking import create_app
from booking.extensions import db as _db
from booking.extensions import limiter
from config import TestConfig


@pytest.fixture
def limited_app(app: Flask, database_url: str, db) -> Iterator[Flask]:
    """The application with rate limits on (the test config turns them off)."""
    config = type(
        "_Config",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "API_RATE_LIMIT": "3/minute",
        },
    )
    application = create_app(config)
    limiter.reset()
    yield application
    limiter.reset()
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_an_endpoint_without_limits_is_resolved_once(limited_app, monkeypatch):
    client = limited_app.test_client()
    resolved = []
    resolve = limiter.limit_manager.resolve_limits
    monkeypatch.setattr(
        limiter.limit_manager,
        "resolve_limits",
        lambda *args, **kwargs: resolved.append(args[1]) or resolve(*args, **kwargs),
    )
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
    assert resolved == ["core.health"]


def test_endpoints_with_limits_are_still_limited_every_time(limited_app):
    client = limited_app.test_client()
    client.get("/healthz")  # an unlimited endpoint remembered first
    answers = [client.get("/api/v1/sites").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    logins = [
        client.post("/account/login", data={"email": "x@example.org", "password": "wrong"})
        for _ in range(11)
    ]
    assert logins[-1].status_code == 429  # the decorated view: 10 a minute


def test_with_limits_turned_off_nothing_is_remembered(app, client):
    assert not app.config["RATELIMIT_ENABLED"]
    client.get("/healthz")
    assert ("core.health", "GET") not in app.extensions.get("limiter_unlimited_endpoints", set())


def test_memory_storage_hits_start_no_thread(monkeypatch):
    """memory:// (the default RATELIMIT_STORAGE_URI) sweeps in the request."""
    storage = storage_from_string("memory://")
    started = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    for n in range(6):
        time.sleep(0.03)  # longer than the library's sweep delay: its thread would be gone
        storage.incr(f"key-{n % 3}", expiry=60)
    assert started == []
    assert storage.get("key-0") == 2


def test_memory_storage_still_forgets_expired_counters(monkeypatch):
    storage = storage_from_string("memory://")
    storage.incr("short", expiry=0.01)
    monkeypatch.setattr("booking.limiting.time.monotonic", lambda: 10.0**12)
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: 10**10)
    storage.incr("other", expiry=60)  # the sweep runs with this hit
    assert "short" not in storage.storage
    assert storage.get("short") == 0


def test_the_apis_limits_are_counted_with_their_headers(limited_app):
    client = limited_app.test_client()
    answers = [client.get("/api/v1/sites") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]


def test_a_changed_allowance_is_seen_at_the_next_request(limited_app):
    client = limited_app.test_client()
    assert client.get("/api/v1/sites").headers["RateLimit-Limit"] == "3"
    limited_app.config["API_RATE_LIMIT"] = "5/minute"  # read at each request, as before
    assert client.get("/api/v1/sites").headers["RateLimit-Limit"] == "5"

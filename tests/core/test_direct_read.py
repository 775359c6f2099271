"""`read_outside_transaction`: on PostgreSQL, the engine's rows straight from the driver."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import bindparam, literal, select
from sqlalchemy.exc import DBAPIError

from booking.core import pool
from booking.extensions import db as _db
from booking.resources.models import Resource, ResourceKind, Site
from tests import factories
from tests.statements import recorded_statements, selects

# An IN list, an enum, a UTC timestamp, a value given at the call: each a conversion.
STATEMENT = (
    select(Resource.id, Resource.kind, Resource.updated_at, Site.slug)
    .join(Resource.site)
    .where(
        Resource.kind.in_([ResourceKind.VISIO_ROOM, ResourceKind.ROOM]),
        Resource.slug != bindparam("other"),
    )
    .order_by(Resource.id)
)


def _engine_rows(params: dict) -> list[tuple]:
    return [tuple(row) for row in _db.session.execute(STATEMENT, params)]


def _world() -> None:
    site = factories.make_site("Lieu")
    factories.make_resource(site, slug="a")
    factories.make_resource(site, slug="b", kind="room")
    factories.make_resource(site, slug="c", kind="open_lab")
    _db.session.commit()
    _db.session.remove()


def test_the_rows_are_the_engines_with_their_types_converted(app: Flask, db) -> None:
    _world()
    rows = pool.read_outside_transaction(STATEMENT, {"other": "a"})
    assert [tuple(row) for row in rows] == _engine_rows({"other": "a"})
    _db.session.rollback()
    assert [row[1] for row in rows] == [ResourceKind.ROOM]
    assert rows[0][2].utcoffset().total_seconds() == 0
    # The same statement again, another value: the compiled form is reused, not the value.
    assert [row[1] for row in pool.read_outside_transaction(STATEMENT, {"other": "b"})] == [
        ResourceKind.VISIO_ROOM
    ]


def test_on_postgresql_it_opens_no_transaction_and_bypasses_the_engine(app: Flask, db) -> None:
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads on the request's deferred transaction")
    _world()
    seen: list = []
    original = pool._direct_read
    pool._direct_read = lambda *args: seen.append(1) or original(*args)
    try:
        rows = pool.read_outside_transaction(STATEMENT, {"other": "z"})
    finally:
        pool._direct_read = original
    assert seen == [1]
    assert len(rows) == 2
    assert not _db.session().in_transaction()


def test_a_statement_listener_sees_every_read(app: Flask, db) -> None:
    """Counting tests and tracing hooks see the read: it goes through the engine then."""
    _world()
    with recorded_statements() as statements:
        rows = pool.read_outside_transaction(STATEMENT, {"other": "z"})
    assert len(rows) == 2
    statements = selects(statements)  # (SQLite's reads begin the request's transaction)
    assert len(statements) == 1
    assert "FROM resource JOIN site" in statements[0]


def test_polled_answers_compile_their_statements_once(app: Flask, db, client) -> None:
    """A warm 304 or cached page compiles nothing: every direct read reuses its statement."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("the direct read is PostgreSQL's")
    site = factories.make_site("Lieu")
    site.slug = "lieu"
    factories.make_resource(site, slug="a")
    _db.session.commit()
    _db.session.remove()
    pages = [
        "/calendar/day?date=2030-06-04&site=lieu",
        "/calendar/resources/a/week?date=2030-06-04",
        "/calendar/resources/a/month?month=2030-06",
        "/feeds/resources/a.ics",
        "/feeds/sites/lieu.ics",
        "/feeds/public.ics",
        "/api/v1/resources/a/availability?date=2030-06-04",
    ]

    def serve_all() -> None:
        for page in pages:
            assert client.get(page).status_code == 200, page
            _db.session.remove()  # as at a request's end (the test's app context stays)

    serve_all()
    misses, hits = pool._COMPILED.misses, pool._COMPILED.hits
    serve_all()
    assert pool._COMPILED.misses == misses
    assert pool._COMPILED.hits >= hits + len(pages)  # (read directly: none skipped)


def test_a_driver_error_is_raised_as_the_engine_raises_it(app: Flask, db) -> None:
    """The retry and "database unavailable" handlers catch SQLAlchemy's `DBAPIError`."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("the direct read is PostgreSQL's (SQLite divides by zero into NULL)")
    failing = select(literal(1) / literal(0))
    with pytest.raises(DBAPIError) as raised:
        pool.read_outside_transaction(failing)
    assert raised.value.orig is not None
    assert not raised.value.connection_invalidated
    _db.session.rollback()
    # The pooled connection is usable again afterwards.
    assert [tuple(row) for row in pool.read_outside_transaction(select(literal(2)))] == [(2,)]

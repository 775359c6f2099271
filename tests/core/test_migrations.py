"""The migrations build, on an empty database, exactly the schema the models describe."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from booking import create_app
from booking.extensions import db
from booking.resources.versions import TRIGGER_NAMES
from config import TestConfig


@pytest.fixture
def migrated_app(tmp_path) -> Iterator[Flask]:
    """An app on a separate, empty database (a SQLite file or a fresh PostgreSQL database)."""
    base_url = os.environ.get("TEST_DATABASE_URL")
    if base_url and base_url.startswith("postgresql"):
        name = f"{make_url(base_url).database}_migrations"
        engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    else:
        engine = None
        url = f"sqlite:///{tmp_path / 'migrations.db'}"

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(_Config)
    yield app
    with app.app_context():
        db.engine.dispose()
    if engine is not None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()


def _made_on(dialect: str):
    """Leave out of the comparison what the models create only on another database
    (`.ddl_if(dialect=...)`: the exclusion constraint, PostgreSQL's partial indexes)."""

    def include(obj, _name, _type, _reflected, _compare_to) -> bool:
        condition = getattr(obj, "_ddl_if", None)
        return condition is None or condition.dialect in (None, dialect)

    return include


def test_migrations_build_the_schema_the_models_describe(migrated_app: Flask) -> None:
    with migrated_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "render_as_batch": True,
                    "include_object": _made_on(conn.dialect.name),
                },
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []


def test_migrations_downgrade_to_an_empty_database(migrated_app: Flask) -> None:
    with migrated_app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()


def test_postgresql_migration_creates_the_no_overlap_constraint(migrated_app: Flask) -> None:
    with migrated_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("exclusion constraints exist on PostgreSQL only")
        upgrade()
        with db.engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT count(*) FROM pg_constraint c WHERE c.conname = 'booking_no_overlap' "
                    "AND c.contype = 'x'"
                )
            ).scalar()
        assert found == 1


def test_migrations_create_the_calendar_version_triggers(migrated_app: Flask) -> None:
    with migrated_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            else:
                sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            names = set(conn.execute(text(sql)).scalars())
        assert names == set(TRIGGER_NAMES)

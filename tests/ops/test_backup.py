"""Backups taken while the service writes restore into a fresh database, consistent."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from booking.bookings.models import Booking
from booking.ops.backup import BackupError, backup, restore
from booking.resources.models import Resource, Site
from tests import factories


@pytest.fixture
def target(database_url, tmp_path):
    """A new, empty database of the same kind to restore into; dropped afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'restored.db'}")
        yield engine
        engine.dispose()
        return
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(url.set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_backup_under_write_load_restores_a_consistent_copy(db, target, tmp_path):
    room = factories.make_resource()
    association = factories.make_association()
    db.session.commit()
    start = datetime(2031, 1, 6, 8, tzinfo=UTC)
    written: list[int] = []
    stop = threading.Event()
    engine = db.engine  # the thread has no application context: ids and engine read here
    room_id, association_id = room.id, association.id
    db.session.rollback()  # on SQLite, even that read holds the write lock (BEGIN IMMEDIATE)

    def writer() -> None:
        n = 0
        while not stop.is_set() and n < 5000:
            with engine.begin() as conn:
                conn.execute(
                    insert(Booking).values(
                        uid=str(uuid.uuid4()),
                        resource_id=room_id,
                        association_id=association_id,
                        title=f"w{n}",
                        state="pending",
                        start_at=start + timedelta(hours=n),
                        end_at=start + timedelta(hours=n, minutes=30),
                    )
                )
            written.append(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    for _ in range(3000):
        if len(written) >= 20 or not thread.is_alive():
            break
        stop.wait(0.01)
    assert len(written) >= 20, "the writer did not get going"
    before = len(written)
    path = backup(db.engine, tmp_path / "salles.dump")
    after = len(written)
    stop.set()
    thread.join()

    restore(target, path)
    with target.connect() as conn:
        titles = conn.scalars(select(Booking.title).order_by(Booking.id)).all()
        last_id = conn.scalar(select(func.max(Booking.id)))
        sites = conn.scalar(select(func.count(Site.id)))
        rooms = conn.scalar(select(func.count(Resource.id)))
    assert titles == [f"w{n}" for n in range(len(titles))]  # a prefix: no gap, no torn write
    assert before <= len(titles) <= after
    assert db.session.get(Booking, last_id).title == titles[-1]
    assert (sites, rooms) == (1, 1)


def test_restore_refuses_a_database_that_is_not_empty(db, tmp_path):
    factories.make_site()
    db.session.commit()
    path = backup(db.engine, tmp_path / "salles.dump")
    with pytest.raises(BackupError, match="not empty"):
        restore(db.engine, path)


def test_restore_says_when_the_file_is_missing(db, tmp_path):
    with pytest.raises(BackupError, match="no such backup file"):
        restore(db.engine, tmp_path / "nothing.dump")


def test_the_commands_back_up_and_refuse_a_live_restore(app, db, tmp_path):
    factories.make_site()
    db.session.commit()
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", str(tmp_path / "b.dump")])
    assert made.exit_code == 0, made.output
    assert "Backup written" in made.output
    refused = runner.invoke(args=["restore", str(tmp_path / "b.dump")])
    assert refused.exit_code == 1
    assert "not empty" in refused.output

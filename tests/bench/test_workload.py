"""The standard benchmark workload is exactly the issue's: totals, reference day, no overlap."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from booking.auth.models import Association, User
from booking.benchdata import (
    BENCH_USER_EMAIL,
    BENCH_USER_PASSWORD,
    REFERENCE_DAY,
    SeriesSpec,
    expected_total,
)
from booking.bookings.models import Booking, BookingSeries, BookingState
from booking.extensions import db as _db
from booking.resources.models import OpeningHours, Resource, Site
from booking.timeutil import local_day_bounds, to_local
from tests import factories


def _count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


# Consecutive bookings of a room, in start order, never overlap; that is enough to prove
# that no two bookings of a room overlap at all (sorted intervals).
OVERLAPS = text(
    """
    SELECT count(*) FROM (
        SELECT start_at, lag(end_at) OVER (PARTITION BY resource_id ORDER BY start_at) AS prev_end
        FROM booking
    ) AS ordered
    WHERE prev_end IS NOT NULL AND start_at < prev_end
    """
)


def test_series_formula_places_series_as_the_issue_says() -> None:
    first = SeriesSpec.of(0)
    assert (first.room, first.weekday, first.starts, first.first_day) == (
        1,
        0,
        time(12, 30),
        date(2026, 1, 5),
    )
    s = SeriesSpec.of(92)  # room 3, weekday (92 // 15) % 5 = 1, slot 1, (92·13) % 85 = 6 weeks
    assert (s.room, s.weekday, s.starts, s.ends) == (3, 1, time(15), time(16))
    assert s.first_day == date(2026, 2, 17)
    assert len(s.days()) == 20
    assert SeriesSpec.of(199).starts == time(17, 45)
    # Every series ends inside the two years of data.
    assert max(SeriesSpec.of(n).days()[-1] for n in range(200)) <= date(2027, 12, 31)


def test_expected_totals_follow_the_issue() -> None:
    assert expected_total(1) == 35_320
    assert expected_total(10) == 353_200


@pytest.mark.slow
def test_bench_data_builds_the_standard_workload_at_scale_1(app, db) -> None:
    result = app.test_cli_runner().invoke(args=["bench-data", "--scale", "1"])
    assert result.exit_code == 0, result.output
    assert "bookings=35320" in result.output

    assert _count(Booking) == 35_320
    assert _count(Booking, Booking.state != BookingState.APPROVED) == 0
    assert _count(Booking, Booking.series_id.is_not(None)) == 4_000
    assert _count(BookingSeries) == 200
    assert _count(Association) == 40
    site = db.session.scalar(select(Site))
    assert site.name == "Visio"
    rooms = db.session.scalars(select(Resource).order_by(Resource.name)).all()
    assert [r.name for r in rooms] == [f"Salle visio {n:02d}" for n in range(1, 16)]
    hours = db.session.scalars(select(OpeningHours).where(OpeningHours.site_id == site.id)).all()
    assert sorted((h.weekday, h.opens_at, h.closes_at) for h in hours) == [
        (d, time(8), time(20)) for d in range(5)
    ]

    start, end = local_day_bounds(REFERENCE_DAY)
    on_reference_day = db.session.scalars(
        select(Booking).where(Booking.start_at >= start, Booking.start_at < end)
    ).all()
    assert len(on_reference_day) == 74
    assert {to_local(b.start_at).time() for b in on_reference_day} >= {
        time(9),
        time(10, 30),
        time(14),
        time(16),
    }

    # Only weekdays, from 2026-01-01 to 2027-12-31 in Paris time.
    first, last = db.session.execute(
        select(func.min(Booking.start_at), func.max(Booking.end_at))
    ).one()
    assert to_local(first).date() == date(2026, 1, 1)
    assert to_local(last).date() == date(2027, 12, 31)
    assert db.session.scalar(OVERLAPS) == 0

    user = db.session.scalar(select(User).where(User.email == BENCH_USER_EMAIL))
    assert user.check_password(BENCH_USER_PASSWORD)
    assert user.associations

    # The bulk load raised every room's calendar version and left the triggers on.
    assert all(room.calendar_version > 0 and room.calendar_changed_at for room in rooms)
    before = rooms[0].calendar_version
    db.session.execute(
        update(Booking).where(Booking.resource_id == rooms[0].id).values(title="Changé")
    )
    db.session.refresh(rooms[0])
    assert rooms[0].calendar_version > before


def test_bench_data_refuses_a_database_that_is_not_empty(app, db) -> None:
    factories.make_association()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["bench-data"])
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert _count(Booking) == 0
    assert _count(Site) == 0


def _booking_schema(db) -> set[str]:
    """The booking table's indexes and constraints, as the database describes them."""
    if db.session.get_bind().dialect.name == "postgresql":
        indexes = db.session.execute(
            text("SELECT indexdef FROM pg_indexes WHERE tablename = 'booking'")
        ).scalars()
        constraints = db.session.execute(
            text(
                "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'booking'::regclass"
            )
        ).scalars()
        return set(indexes) | set(constraints)
    return set(
        db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE tbl_name = 'booking' AND sql IS NOT NULL")
        ).scalars()
    )


@pytest.mark.slow
def test_the_bulk_load_leaves_every_index_and_constraint_of_the_booking_table(app, db) -> None:
    before = _booking_schema(db)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["bench-data", "--scale", "1"])
    assert result.exit_code == 0, result.output
    assert _booking_schema(db) == before
    assert len(before) >= 6

    # The rebuilt constraints hold: an overlapping approved booking is refused by the
    # database itself on PostgreSQL (the exclusion constraint), a duplicate uid everywhere.
    taken = db.session.scalar(select(Booking).order_by(Booking.id).limit(1))
    copy = {
        c.name: getattr(taken, c.key)
        for c in Booking.__table__.columns
        if c.name not in ("id", "uid")
    }
    if db.session.get_bind().dialect.name == "postgresql":
        overlapping = insert(Booking.__table__).values(uid="overlap", **copy)
        with pytest.raises(IntegrityError, match="booking_no_overlap"), db.session.begin_nested():
            db.session.execute(overlapping)
    copy["start_at"] = copy["start_at"].replace(year=2030)
    copy["end_at"] = copy["end_at"].replace(year=2030)
    same_uid = insert(Booking.__table__).values(uid=taken.uid, **copy)
    with pytest.raises(IntegrityError, match="uid"), db.session.begin_nested():
        db.session.execute(same_uid)
    db.session.rollback()

"""The statistics rollup: a period of whole months read from the monthly sums gives every
figure the bookings give, stays right after a change, and never fails a request."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from booking.auth.models import User
from booking.bookings.models import BookingState
from booking.extensions import db
from booking.resources.models import Resource
from booking.stats import rollup, rollup_refresh
from booking.stats.figures import Report, build_report
from booking.stats.models import stats_month, stats_rollup
from booking.stats.period import Period, month_period, year_period
from booking.stats.queries import Scope
from tests import factories
from tests.bookings.concurrency import race
from tests.stats.test_equivalence import _at, _scene

YEAR = year_period(2027)
ACROSS_YEARS = Period(date(2027, 11, 1), date(2028, 2, 29))  # series by month
QUARTER = Period(date(2027, 10, 1), date(2027, 12, 31))  # series by week, clock change


@pytest.fixture(autouse=True)
def _no_report_cache(app, monkeypatch):
    """Every report here is built from the database, none from the process's cache."""
    monkeypatch.setitem(app.extensions, "stats_cache", None)


def _plain(monkeypatch, scope: Scope, period: Period) -> Report:
    """The same report counted from the bookings (the rollup turned off)."""
    with monkeypatch.context() as patch:
        patch.setattr(rollup, "covers", lambda _period: False)
        return build_report(scope, period)


def _assert_same(got: Report, want: Report) -> None:
    assert [r.resource.id for r in got.rows] == [r.resource.id for r in want.rows]
    for mine, theirs in zip(got.rows, want.rows, strict=True):
        for name in (
            "approved_seconds",
            "seat_seconds",
            "released_seconds",
            "open_seconds",
        ):
            assert getattr(mine, name) == pytest.approx(getattr(theirs, name)), name
        for name in ("attendees", "associations", "no_shows", *(s.value for s in BookingState)):
            assert getattr(mine, name) == getattr(theirs, name), name
        assert mine.extra == pytest.approx(theirs.extra)
    assert got.associations == want.associations
    assert got.reasons == want.reasons
    assert got.median_decision_seconds == pytest.approx(want.median_decision_seconds)
    assert got.heat == want.heat
    assert got.series_by == want.series_by
    assert [d for d, _h in got.series] == [d for d, _h in want.series]
    assert [h for _d, h in got.series] == pytest.approx([h for _d, h in want.series])


def _across_months(rooms: list[Resource], associations) -> None:
    """Bookings across the bounds the rollup cuts at: months, years, the clock change."""
    lab = next(r for r in rooms if not r.is_exclusive)
    for first, hours, state in [
        (date(2027, 3, 31), 5, "approved"),  # 22:00 31 March -> 03:00 1 April
        (date(2027, 10, 31), 3, "approved"),  # the repeated hour, then November
        (date(2027, 12, 31), 6, "approved"),  # across the new year
        (date(2026, 12, 31), 30, "approved"),  # from the year before into January
        (date(2027, 1, 20), 24 * 20, "approved"),  # across two month starts
        (date(2027, 5, 31), 4, "refused"),
        (date(2027, 6, 30), 4, "cancelled"),
        (date(2028, 2, 29), 3, "approved"),  # across the period's end (29 Feb -> 1 March)
    ]:
        start = _at(first, 22)
        factories.make_booking(
            lab,
            start,
            start + timedelta(hours=hours),
            state=state,
            association=associations[1],
            attendees=3,
            created_at=start - timedelta(days=3),
        )
    db.session.flush()


@pytest.mark.parametrize(("seed", "period"), [(5, YEAR), (6, ACROSS_YEARS), (7, QUARTER)], ids=str)
def test_the_rollup_gives_the_figures_the_bookings_give(db, monkeypatch, seed, period):
    associations = _scene(random.Random(seed), period)
    rooms = list(db.session.scalars(select(Resource)))
    _across_months(rooms, associations)
    admin = factories.make_user("admin@example.org", is_admin=True)
    scope = Scope(admin)
    assert rollup.covers(period)
    got = build_report(scope, period)
    assert db.session.scalar(select(func.count()).select_from(stats_rollup)), "summed"
    _assert_same(got, _plain(monkeypatch, scope, period))
    # Read back from the rows written, not from the sums just made.
    _assert_same(build_report(scope, period), _plain(monkeypatch, scope, period))
    for month in period.months():  # each month alone, as the occupancy file reads them
        _assert_same(
            build_report(scope, month_period(month)),
            _plain(monkeypatch, scope, month_period(month)),
        )


def test_a_change_to_the_bookings_is_counted_by_the_next_report(db, monkeypatch):
    site = factories.make_site()
    room, other = factories.make_resource(site), factories.make_resource(site)
    admin = factories.make_user("admin@example.org", is_admin=True)
    start = _at(date(2027, 5, 4), 10)
    factories.make_booking(room, start, start + timedelta(hours=2))
    factories.make_booking(other, start, start + timedelta(hours=1))
    db.session.commit()
    assert build_report(Scope(admin), YEAR).totals.approved_seconds == 3 * 3600
    db.session.commit()
    later = start + timedelta(days=30)
    factories.make_booking(room, later, later + timedelta(hours=3))
    db.session.commit()

    report = build_report(Scope(admin), YEAR)
    assert report.totals.approved_seconds == 6 * 3600
    assert report.totals.approved == 3
    _assert_same(report, _plain(monkeypatch, Scope(admin), YEAR))
    db.session.commit()
    versions = dict(
        db.session.execute(
            select(stats_rollup.c.resource_id, stats_rollup.c.calendar_version)
        ).all()
    )
    db.session.refresh(room)
    assert versions[room.id] == room.calendar_version
    june = db.session.scalar(
        select(stats_month.c.approved_seconds).where(
            stats_month.c.resource_id == room.id, stats_month.c.month == date(2027, 6, 1)
        )
    )
    assert june == 3 * 3600


def test_beyond_its_budget_a_request_counts_the_bookings_and_sums_part_of_the_rollup(
    app, db, monkeypatch
):
    site = factories.make_site()
    rooms = [factories.make_resource(site) for _ in range(3)]
    admin = factories.make_user("admin@example.org", is_admin=True)
    for n, room in enumerate(rooms):
        start = _at(date(2027, 2, 1 + n), 9)
        factories.make_booking(room, start, start + timedelta(hours=1 + n))
    db.session.commit()
    monkeypatch.setitem(app.config, "STATS_ROLLUP_BUDGET", 2)

    first = build_report(Scope(admin), YEAR)  # 3 stale > 2: counted, 2 summed
    assert db.session.scalar(select(func.count()).select_from(stats_rollup)) == 2
    assert first.totals.approved_seconds == 6 * 3600
    second = build_report(Scope(admin), YEAR)  # 1 stale: from the rollup
    assert db.session.scalar(select(func.count()).select_from(stats_rollup)) == 3
    _assert_same(second, first)


def test_the_statistics_page_keeps_the_rollup_it_summed(app, db, client):
    site = factories.make_site()
    room = factories.make_resource(site)
    admin = factories.make_user("admin@example.org", is_admin=True)
    start = _at(date(2027, 9, 14), 14)
    factories.make_booking(room, start, start + timedelta(hours=2))
    db.session.commit()
    room_id = room.id
    factories.sign_in(client, admin)

    answer = client.get("/stats/", query_string={"period": "year", "year": "2027"})
    assert answer.status_code == 200
    db.session.remove()
    kept = db.session.execute(select(stats_rollup.c.resource_id, stats_rollup.c.year)).all()
    assert kept == [(room_id, 2027)]


def test_refresh_stats_sums_only_what_changed(app, db):
    site = factories.make_site()
    rooms = [factories.make_resource(site) for _ in range(3)]
    start = _at(date(2027, 4, 2), 9)
    factories.make_booking(rooms[0], start, start + timedelta(hours=1))
    db.session.commit()
    runner = app.test_cli_runner()

    assert "3 resource-years" in runner.invoke(args=["refresh-stats", "--year", "2027"]).output
    assert "0 resource-years" in runner.invoke(args=["refresh-stats", "--year", "2027"]).output
    factories.make_booking(rooms[1], start, start + timedelta(hours=2))
    db.session.commit()
    assert "1 resource-years" in runner.invoke(args=["refresh-stats", "--year", "2027"]).output


def test_reports_summing_the_same_year_at_once_all_answer(app, db):
    site = factories.make_site()
    rooms = [factories.make_resource(site) for _ in range(4)]
    admin = factories.make_user("admin@example.org", is_admin=True)
    for n, room in enumerate(rooms):
        for week in range(8):
            start = _at(date(2027, 3, 1) + timedelta(weeks=week, days=n), 10)
            factories.make_booking(room, start, start + timedelta(hours=2))
    db.session.commit()
    admin_id = admin.id
    totals: list[float] = []

    def report() -> None:
        user = db.session.get(User, admin_id)
        totals.append(build_report(Scope(user), YEAR).totals.approved_seconds)
        db.session.commit()

    for _ in range(3):
        db.session.execute(stats_rollup.delete())
        db.session.commit()
        assert race(app, report, report, report) == ["ok", "ok", "ok"]
    assert totals == [4 * 8 * 2 * 3600] * 9
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(stats_rollup)) == 4


def test_a_rollup_write_that_fails_keeps_nothing_and_the_report_stays_right(db, monkeypatch):
    site = factories.make_site()
    room = factories.make_resource(site)
    admin = factories.make_user("admin@example.org", is_admin=True)
    start = _at(date(2027, 6, 8), 10)
    factories.make_booking(room, start, start + timedelta(hours=2))
    db.session.commit()

    def refused(_table):  # what another request's rows, or a lock timeout, give
        raise OperationalError("INSERT INTO stats_rollup", {}, Exception("lock timeout"))

    with monkeypatch.context() as patch:
        patch.setattr(rollup_refresh, "insert", refused)
        report = build_report(Scope(admin), YEAR)
        assert not g.get(rollup_refresh.PENDING_FLAG)
    assert report.totals.approved_seconds == 2 * 3600
    assert db.session.scalar(select(func.count()).select_from(stats_rollup)) == 0
    _assert_same(report, _plain(monkeypatch, Scope(admin), YEAR))

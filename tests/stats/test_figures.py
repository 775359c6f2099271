"""Every figure of a small known data set, against values computed by hand (see conftest)."""

from __future__ import annotations

from datetime import date, time

import pytest

from booking.stats.figures import build_report
from booking.stats.openhours import expand
from booking.stats.period import Period
from booking.stats.queries import Scope
from tests.stats.conftest import PERIOD

H = 3600


def test_open_hours_follow_each_rooms_hours_closures_and_the_23_hour_day(scene):
    report = build_report(Scope(scene.admin), PERIOD)
    rows = {row.resource.slug: row for row in report.rows}
    # A: 3 days x 7 h, minus the 4 h closure on Monday afternoon.
    assert rows["salle-a"].open_seconds == 17 * H
    # B: its own Sunday 01:00-04:00, two real hours on the night of the clock change.
    assert rows["salle-b"].open_seconds == 2 * H


def test_booked_hours_count_approved_bookings_clipped_to_the_period(scene):
    report = build_report(Scope(scene.admin), PERIOD)
    rows = {row.resource.slug: row for row in report.rows}
    assert rows["salle-a"].approved_seconds == (1 + 2 + 1.5) * H
    assert rows["salle-b"].approved_seconds == 2 * H
    assert rows["salle-a"].occupancy == pytest.approx(4.5 / 17)
    assert rows["salle-b"].occupancy == pytest.approx(1.0)
    assert report.occupancy == pytest.approx(6.5 / 19)


def test_counts_by_state_attendees_and_associations(scene):
    report = build_report(Scope(scene.admin), PERIOD)
    a = next(row for row in report.rows if row.resource.slug == "salle-a")
    assert (a.approved, a.cancelled, a.refused, a.expired, a.pending) == (3, 1, 1, 1, 0)
    assert a.attendees == 1 + 5 + 3
    assert a.associations == 2
    assert report.totals.approved == 4
    assert report.totals.attendees == 11
    assert report.associations == 3
    assert report.bookings == 7
    assert report.totals.no_shows == 0
    assert report.totals.released_seconds == 0


def test_reasons_and_median_time_to_decision(scene):
    report = build_report(Scope(scene.admin), PERIOD)
    assert sorted((str(s), r, n) for s, r, n in report.reasons) == [
        ("cancelled", "Plus besoin", 1),
        ("refused", "Salle réservée pour le conseil de quartier", 1),
    ]
    # Decided after 1, 2, 3 and 5 hours: the median is 2.5 h.
    assert report.median_decision_seconds == pytest.approx(2.5 * H)


def test_heat_map_series_and_peak_load_in_local_time(scene):
    report = build_report(Scope(scene.admin), PERIOD)
    saturday, sunday, monday = 5, 6, 0
    assert report.heat[saturday][10] == 2  # the approved and the refused request
    assert report.heat[sunday][10] == 1  # 10:00 summer time
    assert report.heat[sunday][15] == 1
    assert report.heat[sunday][1] == 1
    assert report.heat[monday][10] == 1
    assert sum(map(sum, report.heat)) == 6  # the one that started on Friday is not counted
    assert report.peak_load == pytest.approx(2 / (6 / 5))
    assert report.series_by == "week"
    assert [(str(day), hours) for day, hours in report.series] == [
        ("2027-03-22", 6.5),
        ("2027-03-29", 0.0),
    ]


def test_a_manager_sees_only_the_resources_they_manage(scene):
    report = build_report(Scope(scene.manager), PERIOD)
    assert [row.resource.slug for row in report.rows] == ["salle-a"]


def test_filters_narrow_to_a_resource_and_an_association(scene):
    report = build_report(Scope(scene.admin, association_id=scene.y.id), PERIOD)
    totals = report.totals
    assert (totals.approved, totals.expired, totals.approved_seconds) == (1, 1, 1.5 * H)
    report = build_report(Scope(scene.admin, resource_id=scene.room_b.id), PERIOD)
    assert [row.resource.slug for row in report.rows] == ["salle-b"]


def test_open_hours_count_25_hours_on_the_autumn_clock_change(db):
    """01:00-04:00 on Sunday 31 October 2027 lasts four real hours (03:00 happens twice)."""
    day = date(2027, 10, 31)
    intervals = expand(((6, time(1), time(4)),), Period(day, day))
    assert sum((end - start).total_seconds() for start, end in intervals) == 4 * H
    whole_day = expand(((6, time(0), time(23, 59)),), Period(day, day))
    assert sum((e - s).total_seconds() for s, e in whole_day) == (24 * 60 + 59) * 60

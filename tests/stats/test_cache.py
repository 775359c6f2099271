"""Figures are kept between requests, and never outlive a change of what they count."""

from __future__ import annotations

from datetime import timedelta

from booking.bookings.models import BookingState
from booking.extensions import db
from booking.resources.models import Closure
from booking.stats.figures import build_report
from booking.stats.queries import Scope
from tests import factories
from tests.statements import recorded_statements, selects
from tests.stats.conftest import PERIOD, local

H = 3600


def _report(scene):
    db.session.commit()
    return build_report(Scope(scene.admin), PERIOD)


def test_the_same_figures_are_read_from_the_cache(scene):
    _report(scene)
    with recorded_statements() as statements:
        report = _report(scene)
    reads = selects(statements)
    assert [s for s in reads if "FROM booking" in s or "closure" in s] == []
    assert sum("FROM resource" in s for s in reads) == 1  # the resources and their versions
    assert report.totals.approved_seconds == 6.5 * H


def test_a_new_booking_changes_the_figures_at_once(scene):
    assert _report(scene).totals.approved_seconds == 6.5 * H
    factories.make_booking(scene.room_a, local(29, 9), local(29, 11))
    assert _report(scene).totals.approved_seconds == 8.5 * H


def test_a_decision_changes_the_figures_at_once(scene):
    first = _report(scene)
    assert first.totals.refused == 1
    booking = factories.make_booking(scene.room_a, local(29, 9), local(29, 10), state="pending")
    assert _report(scene).totals.pending == 1
    booking.state = BookingState.REFUSED
    report = _report(scene)
    assert (report.totals.pending, report.totals.refused) == (0, 2)


def test_a_new_closure_changes_the_open_hours_at_once(scene):
    assert _report(scene).totals.open_seconds == 19 * H
    db.session.add(
        Closure(
            resource_id=scene.room_a.id,
            start_at=local(27, 9),
            end_at=local(27, 9) + timedelta(hours=3),
            label="Peinture",
        )
    )
    assert _report(scene).totals.open_seconds == 16 * H

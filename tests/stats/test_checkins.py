"""Check-in figures: rates, hours released and hours re-booked after release."""

from __future__ import annotations

from datetime import timedelta

import pytest

from booking.bookings.checkin import check_in, release_no_shows
from booking.extensions import db
from booking.stats.figures import build_report
from booking.stats.queries import Scope
from tests import factories
from tests.stats.conftest import PERIOD, local

H = 3600


@pytest.fixture
def checkin_room(scene):
    room = factories.make_resource(
        scene.site, name="Salle C", slug="salle-c", checkin_required=True
    )
    member = factories.make_member(scene.x)
    came = factories.make_booking(room, local(27, 9), local(27, 11), association=scene.x)
    check_in(came.id, member, local(27, 9, 5))
    factories.make_booking(room, local(27, 14), local(27, 16), association=scene.x)  # no-show
    factories.make_booking(room, local(29, 9), local(29, 12), association=scene.y)  # no-show
    release_no_shows(local(27, 14, 15))  # released 14:15: 1 h 45 min freed
    release_no_shows(local(29, 9, 15))  # released 09:15: 2 h 45 min freed
    # Someone books 15:00-16:00 on Saturday after the release: 1 h re-booked.
    factories.make_booking(
        room, local(27, 15), local(27, 16), association=scene.z, created_at=local(27, 14, 20)
    )
    db.session.flush()
    return room


def test_no_shows_and_released_hours_per_resource(scene, checkin_room):
    report = build_report(Scope(scene.admin), PERIOD)
    row = next(r for r in report.rows if r.resource.slug == "salle-c")
    assert row.no_shows == 2
    assert row.released_seconds == pytest.approx(1.75 * H + 2.75 * H)
    assert row.extra["checked_in"] == 1
    assert row.extra["rebooked_seconds"] == pytest.approx(1 * H)
    others = [r for r in report.rows if r.resource.slug != "salle-c"]
    assert all(r.no_shows == 0 for r in others)


def test_rates_in_the_summary(scene, checkin_room):
    summary = build_report(Scope(scene.admin), PERIOD).checkins
    assert summary.checked_in_rate == pytest.approx(1 / 3)
    assert summary.no_show_rate == pytest.approx(2 / 3)
    assert summary.released_seconds == pytest.approx(4.5 * H)
    assert summary.rebooked_seconds == pytest.approx(1 * H)


def test_without_check_in_there_is_no_rate(scene):
    summary = build_report(Scope(scene.admin), PERIOD).checkins
    assert summary.checked_in_rate is None
    assert summary.no_shows == 0


def test_the_statistics_page_shows_the_check_in_figures(scene, checkin_room, login):
    scene.admin.locale = "en"
    db.session.commit()
    page = login(scene.admin).get("/stats/?period=custom&start=2027-03-27&end=2027-03-29").text
    assert "No-shows, released" in page
    assert "Hours released, re-booked after release" in page


def test_a_booking_re_taken_before_the_release_is_not_counted(scene, checkin_room):
    """Only time taken again after the release counts as re-booked."""
    factories.make_booking(
        checkin_room,
        local(29, 11),
        local(29, 12),
        association=scene.z,
        created_at=local(29, 9) - timedelta(days=1),
        state="refused",
    )
    row = next(
        r for r in build_report(Scope(scene.admin), PERIOD).rows if r.resource.slug == "salle-c"
    )
    assert row.extra["rebooked_seconds"] == pytest.approx(1 * H)

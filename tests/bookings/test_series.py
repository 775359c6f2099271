"""Recurring series: expansion in local time, caps, preview, booking, cancel, decide, move."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import Booking, BookingState
from booking.bookings.moves import reschedule_series
from booking.bookings.series import (
    Recurrence,
    approve_series,
    cancel_occurrences,
    expand,
    preview_series,
    refuse_series,
    request_series,
    to_rrule,
)
from booking.extensions import db
from booking.outbox import OutboxMessage
from booking.resources.models import Closure, Quota
from booking.timeutil import to_local
from tests import factories
from tests.bookings.conftest import NOW, TUESDAY, at


def local_slots(bookings_or_occurrences):
    return [
        (to_local(o.start_at).strftime("%Y-%m-%d %a %H:%M"), to_local(o.end_at).strftime("%H:%M"))
        for o in bookings_or_occurrences
    ]


def booking_count() -> int:
    return db.session.scalar(select(func.count(Booking.id)))


def weekly(**fields) -> Recurrence:
    return Recurrence(freq="weekly", **fields)


def test_a_tuesday_evening_series_stays_at_18_local_across_the_october_clock_change(scene):
    req = scene.request(day=date(2026, 10, 20), start=(18, 0), end=(20, 0))
    series = request_series(scene.member, req, weekly(count=3), now=NOW)
    assert local_slots(series.bookings) == [
        ("2026-10-20 Tue 18:00", "20:00"),
        ("2026-10-27 Tue 18:00", "20:00"),
        ("2026-11-03 Tue 18:00", "20:00"),
    ]
    # In UTC the hour moves, because summer time ended on Sunday 25 October.
    assert [b.start_at.hour for b in series.bookings] == [16, 17, 17]
    assert series.rule == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;COUNT=3"
    assert series.first_start_local == datetime(2026, 10, 20, 18, 0)
    assert series.duration_minutes == 120
    assert {b.series_id for b in series.bookings} == {series.id}


def test_a_tuesday_evening_series_stays_at_18_local_across_the_march_clock_change(scene):
    req = scene.request(day=date(2027, 3, 23), start=(18, 0), end=(20, 0))
    now = at(date(2026, 10, 1), 12)
    series = request_series(scene.member, req, weekly(until=date(2027, 4, 6)), now=now)
    assert local_slots(series.bookings) == [
        ("2027-03-23 Tue 18:00", "20:00"),
        ("2027-03-30 Tue 18:00", "20:00"),
        ("2027-04-06 Tue 18:00", "20:00"),
    ]
    assert [b.start_at.hour for b in series.bookings] == [17, 16, 16]


@pytest.mark.parametrize(("sunday", "hours"), [(date(2026, 10, 25), 2.0), (date(2027, 3, 28), 2.0)])
def test_occurrences_on_the_clock_change_sundays_themselves_keep_their_local_times(
    scene, sunday, hours
):
    req = scene.request(day=sunday, start=(18, 0), end=(20, 0))
    now = at(date(2026, 10, 1), 12)
    occurrences = preview_series(scene.member, req, weekly(count=1), now=now)
    assert local_slots(occurrences) == [(f"{sunday:%Y-%m-%d} Sun 18:00", "20:00")]
    assert (occurrences[0].end_at - occurrences[0].start_at).total_seconds() / 3600 == hours
    assert occurrences[0].problem is None


def test_every_two_weeks_on_chosen_weekdays_until_a_date(scene):
    req = scene.request(day=TUESDAY, start=(18, 0), end=(19, 0))
    recurrence = weekly(interval=2, weekdays=[1, 3], until=date(2026, 3, 31))
    occurrences = preview_series(scene.member, req, recurrence, now=NOW)
    assert [slot for slot, _end in local_slots(occurrences)] == [
        "2026-03-03 Tue 18:00",
        "2026-03-05 Thu 18:00",
        "2026-03-17 Tue 18:00",
        "2026-03-19 Thu 18:00",
        "2026-03-31 Tue 18:00",
    ]


@pytest.mark.parametrize(
    ("nth", "weekday", "expected"),
    [
        (1, 1, ["2026-03-03", "2026-04-07", "2026-05-05"]),
        (-1, 4, ["2026-03-27", "2026-04-24", "2026-05-29"]),
        (3, 2, ["2026-03-18", "2026-04-15", "2026-05-20"]),
    ],
)
def test_monthly_on_the_nth_weekday(scene, nth, weekday, expected):
    req = scene.request(day=TUESDAY, start=(18, 0), end=(19, 0))
    recurrence = Recurrence(freq="monthly", weekdays=[weekday], nth=nth, count=3)
    occurrences = preview_series(scene.member, req, recurrence, now=NOW)
    assert [to_local(o.start_at).date().isoformat() for o in occurrences] == expected
    assert all(to_local(o.start_at).time() == time(18) for o in occurrences)


@pytest.mark.parametrize(
    ("recurrence", "fragment"),
    [
        (weekly(count=61), "60"),
        (weekly(count=0), "60"),
        (weekly(until=date(2027, 3, 4)), "one year"),
        (weekly(weekdays=[0, 1, 2], until=date(2026, 9, 1)), "60"),  # 79 dates
        (weekly(), "end date"),
        (weekly(count=3, until=date(2026, 4, 1)), "end date"),
        (weekly(until=date(2026, 3, 2)), "before"),
        (weekly(interval=0, count=3), "interval"),
        (weekly(weekdays=[7], count=3), "weekday"),
        (Recurrence(freq="monthly", count=3), "month"),
        (Recurrence(freq="monthly", nth=5, count=3), "month"),
        (Recurrence(freq="daily", count=3), "weekly"),  # type: ignore[arg-type]
    ],
)
def test_recurrences_out_of_bounds_are_refused_clearly(app, scene, recurrence, fragment):
    req = scene.request(day=TUESDAY, start=(18, 0), end=(19, 0))
    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(BookingRefused) as info,
    ):
        preview_series(scene.member, req, recurrence, now=NOW)
    assert (info.value.rule, info.value.field) == ("recurrence", "recurrence")
    assert fragment in info.value.message


def test_the_caps_allow_exactly_60_occurrences_and_one_year(scene):
    req = scene.request(day=TUESDAY, start=(18, 0), end=(19, 0))
    twice_a_week = weekly(weekdays=[1, 3], count=60)
    assert len(preview_series(scene.member, req, twice_a_week, now=NOW)) == 60
    # Tuesday 3 March 2026 to Wednesday 3 March 2027: one year exactly, 53 Tuesdays.
    assert len(preview_series(scene.member, req, weekly(until=date(2027, 3, 3)), now=NOW)) == 53


def test_expand_reads_back_the_stored_rule(scene):
    first = datetime(2026, 10, 20, 18, 0)
    rule = to_rrule(weekly(count=2), first)
    assert expand(rule, first) == [first, datetime(2026, 10, 27, 18, 0)]


def test_preview_names_conflicting_and_closed_dates_and_saves_nothing(scene):
    factories.make_booking(scene.room, at(date(2026, 3, 10), 18, 30), at(date(2026, 3, 10), 19, 30))
    db.session.add(
        Closure(
            site_id=scene.room.site_id,
            start_at=at(date(2026, 3, 17), 0),
            end_at=at(date(2026, 3, 18), 0),
            label="Inventaire",
        )
    )
    db.session.flush()
    before = booking_count()
    req = scene.request(day=TUESDAY, start=(18, 0), end=(20, 0))
    occurrences = preview_series(scene.member, req, weekly(count=4), now=NOW)
    assert [o.problem.rule if o.problem else None for o in occurrences] == [
        None,
        "overlap",
        "closure",
        None,
    ]
    assert "18:30" in occurrences[1].problem.message
    assert booking_count() == before


def test_a_series_with_problem_dates_is_refused_naming_them_unless_free_dates_only(scene):
    factories.make_booking(scene.room, at(date(2026, 3, 10), 18), at(date(2026, 3, 10), 19))
    req = scene.request(day=TUESDAY, start=(18, 0), end=(20, 0))
    with pytest.raises(BookingRefused) as info:
        request_series(scene.member, req, weekly(count=3), now=NOW)
    assert info.value.rule == "series"
    assert info.value.message == "Une date ne peut pas être réservée : mardi 10 mars 2026."
    assert len(info.value.conflicts) == 1
    assert booking_count() == 1
    series = request_series(scene.member, req, weekly(count=3), skip_conflicts=True, now=NOW)
    assert [to_local(b.start_at).day for b in series.bookings] == [3, 17]
    assert all(b.state is BookingState.PENDING for b in series.bookings)


def test_a_series_where_no_date_is_free_is_refused(scene):
    factories.make_booking(scene.room, at(TUESDAY, 18), at(TUESDAY, 19))
    req = scene.request(day=TUESDAY, start=(18, 0), end=(20, 0))
    with pytest.raises(BookingRefused) as info:
        request_series(scene.member, req, weekly(count=1), skip_conflicts=True, now=NOW)
    assert info.value.rule == "series"


def test_a_series_counts_towards_the_quota_as_a_whole(scene):
    db.session.add(
        Quota(resource_id=scene.room.id, association_id=scene.association.id, hours_per_month=5)
    )
    db.session.flush()
    req = scene.request(day=TUESDAY, start=(18, 0), end=(20, 0))
    occurrences = preview_series(scene.member, req, weekly(count=4), now=NOW)
    assert [o.problem.rule if o.problem else None for o in occurrences] == [
        None,
        None,
        "quota",
        "quota",
    ]


def test_membership_is_checked_once_for_the_whole_series(scene):
    req = scene.request(day=TUESDAY, association=factories.make_association())
    with pytest.raises(NotAllowed):
        preview_series(scene.member, req, weekly(count=3), now=NOW)


def _series(scene, count=4, start=(18, 0), end=(20, 0), **fields):
    req = scene.request(day=TUESDAY, start=start, end=end, **fields)
    return request_series(scene.member, req, weekly(count=count), now=NOW)


def test_approve_and_refuse_a_whole_series(scene):
    series = _series(scene)
    other = factories.make_association()
    rival = request_series(
        factories.make_member(other),
        scene.request(day=date(2026, 3, 10), start=(19, 0), end=(20, 0), association=other),
        weekly(count=1),
        now=NOW,
    )
    with pytest.raises(NotAllowed):
        approve_series(scene.member, series, now=NOW)
    approved = approve_series(scene.manager, series, now=NOW)
    assert approved == series.bookings
    assert rival.bookings[0].state is BookingState.REFUSED
    second = _series(scene, count=2, title="Chorale", start=(10, 0), end=(11, 0))
    with pytest.raises(BookingRefused):
        refuse_series(scene.manager, second, " ", now=NOW)
    assert refuse_series(scene.manager, second, "Salle en travaux", now=NOW) == second.bookings
    assert {b.decision_reason for b in second.bookings} == {"Salle en travaux"}


def test_approving_a_series_leaves_a_conflicting_occurrence_pending(scene):
    series = _series(scene, count=3)
    factories.make_booking(scene.room, at(date(2026, 3, 10), 19), at(date(2026, 3, 10), 21))
    approved = approve_series(scene.manager, series, now=NOW)
    assert [to_local(b.start_at).day for b in approved] == [3, 17]
    assert series.bookings[1].state is BookingState.PENDING


@pytest.mark.parametrize(
    ("scope", "index", "cancelled_days"),
    [("one", 1, [10]), ("following", 1, [10, 17, 24]), ("all", 2, [3, 10, 17, 24])],
)
def test_cancel_one_following_or_all(scene, scope, index, cancelled_days):
    series = _series(scene)
    targets = cancel_occurrences(scene.member, series.bookings[index], scope, now=NOW)
    assert [to_local(b.start_at).day for b in targets] == cancelled_days
    assert [
        to_local(b.start_at).day for b in series.bookings if b.state is BookingState.CANCELLED
    ] == cancelled_days


def test_cancel_all_leaves_past_occurrences_alone_and_a_manager_gives_a_reason(scene):
    series = _series(scene)
    later = at(date(2026, 3, 11), 9)
    with pytest.raises(BookingRefused) as info:
        cancel_occurrences(scene.manager, series.bookings[3], "all", now=later)
    assert info.value.rule == "reason"
    targets = cancel_occurrences(scene.manager, series.bookings[3], "all", "Fermeture", now=later)
    assert [to_local(b.start_at).day for b in targets] == [17, 24]
    assert series.bookings[0].state is BookingState.PENDING


def test_reschedule_the_remaining_series(scene):
    series = _series(scene)
    approve_series(scene.manager, series, now=NOW)
    later = at(date(2026, 3, 9), 9)  # the first occurrence is past
    moved = reschedule_series(scene.member, series, time(17, 30), 90, now=later)
    assert local_slots(moved) == [
        ("2026-03-10 Tue 17:30", "19:00"),
        ("2026-03-17 Tue 17:30", "19:00"),
        ("2026-03-24 Tue 17:30", "19:00"),
    ]
    assert all(b.state is BookingState.PENDING and b.sequence == 2 for b in moved)
    assert series.bookings[0].state is BookingState.APPROVED
    assert (series.first_start_local, series.duration_minutes) == (datetime(2026, 3, 3, 17, 30), 90)


def test_reschedule_from_one_occurrence_on(scene):
    series = _series(scene)
    moved = reschedule_series(
        scene.member, series, time(9), 60, from_booking=series.bookings[2], now=NOW
    )
    assert [to_local(b.start_at).day for b in moved] == [17, 24]
    assert to_local(series.bookings[1].start_at).hour == 18
    assert series.first_start_local == datetime(2026, 3, 3, 18, 0)


def test_rescheduling_a_series_onto_a_conflict_changes_nothing_and_names_the_date(scene):
    series = _series(scene)
    factories.make_booking(scene.room, at(date(2026, 3, 17), 8), at(date(2026, 3, 17), 9))
    with pytest.raises(BookingRefused) as info:
        reschedule_series(scene.member, series, time(8, 30), 60, now=NOW)
    assert info.value.rule == "series"
    assert "17 mars" in info.value.message
    assert [to_local(b.start_at).hour for b in series.bookings] == [18] * 4
    assert all(b.sequence == 0 for b in series.bookings)
    with pytest.raises(NotAllowed):
        reschedule_series(factories.make_member(), series, time(9), 60, now=NOW)


def test_utc_instants_are_aware(scene):
    series = _series(scene, count=1)
    assert series.bookings[0].start_at.tzinfo is not None
    assert series.bookings[0].start_at.astimezone(UTC).hour == 17


def test_an_approved_series_moved_back_to_pending_cancels_the_old_times_in_one_email(scene):
    series = _series(scene)
    approve_series(scene.manager, series, now=NOW)
    later = at(date(2026, 3, 9), 9)  # the first occurrence is past
    old = {b.uid: (b.start_at, b.sequence) for b in series.bookings[1:]}
    moved = reschedule_series(scene.member, series, time(17, 30), 90, now=later)
    assert all(b.state is BookingState.PENDING for b in moved)
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "rescheduled_pending")
    ).all()
    assert rows  # to the requester (and the association's address, if any)
    ics = next(p for p in rows[0].message().walk() if p.get_content_type() == "text/calendar")
    cancellation = Calendar.from_ical(ics.get_content())
    assert str(cancellation["METHOD"]) == "CANCEL"
    events = cancellation.walk("VEVENT")
    assert len(events) == 3
    for event in events:
        booking_uid = str(event["UID"]).split("@")[0]
        start_at, sequence = old[booking_uid]
        assert event.decoded("DTSTART") == start_at  # the old time, still in the calendar
        assert int(event["SEQUENCE"]) > sequence

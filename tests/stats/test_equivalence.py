"""The aggregate queries and the arithmetic open hours against a plain reference.

A randomized small data set (fixed seeds: reproducible) across a clock change, with
site and resource closures (partial days, several days, across the period's bounds),
bookings in every state, some across the period's bounds, decisions and reasons. The
reference loads every booking into Python and expands opening hours day by day
(`openhours.expand`): what the fast path must never differ from.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from booking.resources.models import Closure, OpeningHours, Resource
from booking.stats.figures import build_report
from booking.stats.openhours import _merge, expand
from booking.stats.period import Period
from booking.stats.queries import Scope
from booking.timeutil import local_datetime, to_local, to_utc
from tests import factories

SPRING = Period(date(2027, 3, 22), date(2027, 4, 4))  # Sunday 28 March: 23 hours
AUTUMN = Period(date(2027, 10, 1), date(2027, 12, 31))  # Sunday 31 October: 25 hours
REASONS = ["", "Travaux", "Plus besoin", "  Conseil de quartier "]
STATES = ["approved"] * 5 + ["pending", "refused", "cancelled", "expired", "waitlisted"]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return to_utc(local_datetime(day, time(hour, minute)))


def _random_hours(rng: random.Random) -> dict[int, list[tuple[time, time]]]:
    hours: dict[int, list[tuple[time, time]]] = {}
    for weekday in range(7):
        if rng.random() < 0.2:
            continue
        ranges = []
        if weekday == 6 and rng.random() < 0.6:  # the night of the clock change
            ranges.append((time(1), time(rng.choice([3, 4]), rng.choice([0, 30]))))
        opens = rng.choice([8, 9, 10])
        ranges.append((time(opens), time(opens + rng.choice([2, 3, 4]))))
        if rng.random() < 0.7:  # an afternoon, sometimes overlapping the morning
            ranges.append((time(rng.choice([11, 13, 14])), time(rng.choice([17, 18, 22]))))
        hours[weekday] = ranges
    return hours


def _scene(rng: random.Random, period: Period):
    associations = [factories.make_association() for _ in range(4)]
    sites = [factories.make_site(hours=_random_hours(rng)) for _ in range(2)]
    rooms = [
        factories.make_resource(sites[0]),
        factories.make_resource(sites[0], kind="room"),
        factories.make_resource(sites[1], kind="machine"),
        factories.make_resource(sites[1], kind="open_lab", capacity=6),
    ]
    for weekday, ranges in _random_hours(rng).items():  # the second room's own hours
        for opens, closes in ranges:
            db.session.add(
                OpeningHours(
                    resource_id=rooms[1].id, weekday=weekday, opens_at=opens, closes_at=closes
                )
            )
    span = (period.last - period.first).days
    for _ in range(6):
        first = period.first + timedelta(days=rng.randint(-3, span + 2))
        start = _at(first, rng.randint(0, 22), rng.choice([0, 30]))
        end = start + timedelta(hours=rng.choice([1, 3, 20, 50, 100]))
        owner = {"site_id": rng.choice(sites).id} if rng.random() < 0.5 else {}
        if not owner:
            owner = {"resource_id": rng.choice(rooms).id}
        db.session.add(Closure(start_at=start, end_at=end, label="Fermé", **owner))

    taken: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for room in rooms:  # across both bounds of the period
        for start in (period.start_at - timedelta(hours=1), period.end_at - timedelta(hours=1)):
            end = start + timedelta(hours=3)
            taken[room.id].append((start, end))
            factories.make_booking(
                room, start, end, association=associations[0], attendees=2, created_at=start
            )
    for _ in range(160):
        room = rng.choice(rooms)
        day = period.first + timedelta(days=rng.randint(-4, span + 3))
        start = _at(day, rng.randint(0, 22), rng.choice([0, 30]))
        end = start + timedelta(minutes=rng.choice([30, 60, 90, 180, 300]))
        state = rng.choice(STATES)
        if state == "approved" and room.is_exclusive:
            if any(s < end and start < e for s, e in taken[room.id]):
                continue
            taken[room.id].append((start, end))
        created = start - timedelta(days=rng.randint(1, 20), minutes=rng.randint(0, 59))
        fields = {"attendees": rng.randint(1, 5), "created_at": created}
        if state in ("approved", "refused") and rng.random() < 0.8:
            fields["decided_at"] = created + timedelta(minutes=rng.randint(1, 5000))
        if state == "refused":
            fields["decision_reason"] = rng.choice(REASONS)
        if state == "cancelled":
            fields["cancel_reason"] = rng.choice(REASONS)
        factories.make_booking(
            room, start, end, state=state, association=rng.choice(associations), **fields
        )
    db.session.flush()
    return associations


def _clipped(booking: Booking, period: Period) -> float:
    start = max(booking.start_at, period.start_at)
    end = min(booking.end_at, period.end_at)
    return max((end - start).total_seconds(), 0.0)


def _reference_open(resource: Resource, period: Period) -> float:
    """Day by day: the pattern expanded over every day, then each closure's overlap."""
    own = db.session.scalars(select(OpeningHours).where(OpeningHours.resource_id == resource.id))
    ranges = list(own) or list(
        db.session.scalars(select(OpeningHours).where(OpeningHours.site_id == resource.site_id))
    )
    intervals = expand(tuple((r.weekday, r.opens_at, r.closes_at) for r in ranges), period)
    closures = db.session.scalars(
        select(Closure).where(
            (Closure.resource_id == resource.id) | (Closure.site_id == resource.site_id)
        )
    )
    cuts = _merge((c.start_at, c.end_at) for c in closures)
    total = sum((end - start).total_seconds() for start, end in intervals)
    for cut_start, cut_end in cuts:
        for start, end in intervals:
            overlap = (min(end, cut_end) - max(start, cut_start)).total_seconds()
            total -= max(overlap, 0.0)
    return total


def _reference(period: Period, association_id: int | None = None) -> dict:
    """Every figure, from every booking loaded into Python."""
    bookings = [
        b
        for b in db.session.scalars(select(Booking))
        if b.start_at < period.end_at
        and b.end_at > period.start_at
        and (association_id is None or b.association_id == association_id)
    ]
    rows: dict[int, dict] = defaultdict(lambda: defaultdict(float))
    served, reasons, delays = set(), Counter(), []
    heat = [[0] * 24 for _ in range(7)]
    by = "week" if (period.last - period.first).days <= 92 else "month"
    series: dict[date, float] = defaultdict(float)
    for b in bookings:
        row = rows[b.resource_id]
        row[b.state.value] += 1
        local = to_local(b.start_at)
        if b.start_at >= period.start_at:
            heat[local.weekday()][local.hour] += 1
        if b.state is BookingState.APPROVED:
            row["approved_seconds"] += _clipped(b, period)
            row["seat_seconds"] += _clipped(b, period) * b.attendees
            row["attendees"] += b.attendees
            row.setdefault("served", set()).add(b.association_id)
            served.add(b.association_id)
            day = max(local.date(), period.first)
            bucket = day - timedelta(days=day.weekday()) if by == "week" else day.replace(day=1)
            series[bucket] += _clipped(b, period) / 3600
        if b.state in (BookingState.REFUSED, BookingState.CANCELLED):
            text = b.decision_reason if b.state is BookingState.REFUSED else b.cancel_reason
            reasons[(b.state.value, (text or "").strip())] += 1
        if b.state in (BookingState.APPROVED, BookingState.REFUSED) and b.decided_at:
            delays.append((b.decided_at - b.created_at).total_seconds())
    return {
        "rows": rows,
        "associations": len(served),
        "reasons": reasons,
        "median": statistics.median(delays) if delays else None,
        "heat": heat,
        "series": {day: hours for day, hours in series.items() if hours},
    }


@pytest.mark.parametrize(
    ("seed", "period"), [(1, SPRING), (2, SPRING), (3, AUTUMN), (4, AUTUMN)], ids=str
)
def test_the_fast_figures_equal_a_plain_computation(db, seed, period):
    rng = random.Random(seed)
    associations = _scene(rng, period)
    admin = factories.make_user("admin@example.org", is_admin=True)
    for association_id in (None, associations[0].id):
        report = build_report(Scope(admin, association_id=association_id), period)
        expected = _reference(period, association_id)
        assert report.rows, "the scene has resources"
        for row in report.rows:
            want = expected["rows"].get(row.resource.id, {})
            assert row.open_seconds == pytest.approx(_reference_open(row.resource, period))
            assert row.approved_seconds == pytest.approx(want.get("approved_seconds", 0.0))
            assert row.seat_seconds == pytest.approx(want.get("seat_seconds", 0.0))
            assert row.attendees == want.get("attendees", 0)
            assert row.associations == len(want.get("served", ()))
            for state in BookingState:
                assert getattr(row, state.value) == want.get(state.value, 0), state
        assert report.associations == expected["associations"]
        assert Counter({(str(s), r): n for s, r, n in report.reasons}) == expected["reasons"]
        if expected["median"] is None:
            assert report.median_decision_seconds is None
        else:
            assert report.median_decision_seconds == pytest.approx(expected["median"])
        assert report.heat == expected["heat"]
        got = {day: hours for day, hours in report.series if hours}
        assert got.keys() == expected["series"].keys()
        for day, hours in expected["series"].items():
            assert got[day] == pytest.approx(hours)

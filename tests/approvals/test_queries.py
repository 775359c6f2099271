"""The queue page costs the same number of queries for 2 requests or 12."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from booking.approvals.services import pending_queue
from booking.extensions import db
from tests.approvals.conftest import at


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args) -> None:
        self.count += 1


@pytest.fixture
def count_queries():
    counter = QueryCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    yield counter
    event.remove(db.engine, "before_cursor_execute", counter)


def _queue_queries(desk, count_queries) -> int:
    db.session.expire_all()
    before = count_queries.count
    entries = pending_queue(desk.manager_a).entries
    for entry in entries:
        for item in entry.items:
            b = item.booking
            _ = (b.association.name, b.resource.site.name, b.requester, b.series)
            _ = [e.equipment.name for e in b.equipment]
            _ = [o.association.name for o in item.overlaps]
    return count_queries.count - before


def test_the_queue_loads_in_a_fixed_number_of_queries(desk, request_for, count_queries):
    for day in range(2):
        request_for(start=at(10 + day, 18))
        request_for(start=at(10 + day, 19), association=desk.rival)
    db.session.commit()
    few = _queue_queries(desk, count_queries)
    for day in range(2, 8):
        request_for(start=at(10 + day, 18))
        request_for(start=at(10 + day, 19), association=desk.rival)
    db.session.commit()
    many = _queue_queries(desk, count_queries)
    assert many == few


def test_overlaps_are_found_for_every_request_at_once(desk, request_for):
    first = request_for(start=at(10, 18))
    second = request_for(start=at(10, 19), association=desk.rival)
    lone = request_for(start=at(10, 18) + timedelta(days=3))
    db.session.commit()
    items = {i.booking.id: i for e in pending_queue(desk.manager_a).entries for i in e.items}
    assert [o.id for o in items[first.id].overlaps] == [second.id]
    assert [o.id for o in items[second.id].overlaps] == [first.id]
    assert items[lone.id].overlaps == []

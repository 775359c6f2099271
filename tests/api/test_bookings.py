"""Booking through the API: the same services, rules and refusal codes as the form;
scopes × roles; idempotent POSTs; paginated lists with ETags."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from booking.bookings.models import Booking, BookingState
from booking.extensions import db
from tests import factories
from tests.api.conftest import FAR, local


def _request(room, assoc, **changes) -> dict:
    body = {
        "resource": room.slug,
        "association": assoc.id,
        "start": "2030-03-05T14:00:00+01:00",
        "end": "2030-03-05T16:00:00+01:00",
        "title": "Atelier réparation",
        "attendees": 4,
    }
    body.update(changes)
    return body


def _count() -> int:
    return db.session.scalar(select(func.count(Booking.id)))


def test_a_member_requests_a_booking_pending_approval(client, room, assoc_a, member_a, bearer):
    response = client.post(
        "/api/v1/bookings", json=_request(room, assoc_a), headers=bearer(member_a, "book")
    )
    assert response.status_code == 201, response.json
    assert response.json["state"] == "pending"
    assert response.json["start_local"] == "2030-03-05T14:00:00+01:00"
    assert response.headers["Location"].endswith(f"/api/v1/bookings/{response.json['id']}")
    booking = db.session.get(Booking, response.json["id"])
    assert booking.requester_id == member_a.id


def test_a_read_token_cannot_book(client, room, assoc_a, member_a, bearer):
    response = client.post(
        "/api/v1/bookings", json=_request(room, assoc_a), headers=bearer(member_a, "read")
    )
    assert response.status_code == 403
    assert response.json["rule"] == "scope"
    assert _count() == 0


def test_a_book_token_cannot_decide(client, room, assoc_a, manager, bearer):
    booking = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), state="pending"
    )
    db.session.commit()
    response = client.post(
        f"/api/v1/bookings/{booking.id}/approve", headers=bearer(manager, "book")
    )
    assert response.status_code == 403
    assert response.json["rule"] == "scope"


def test_a_member_cannot_book_for_another_association(client, room, assoc_b, member_a, bearer):
    response = client.post(
        "/api/v1/bookings", json=_request(room, assoc_b), headers=bearer(member_a, "book")
    )
    assert response.status_code == 403
    assert response.json["rule"] == "membership"
    assert _count() == 0


def test_a_refusal_carries_the_rule_and_the_field_of_the_form(
    client, room, assoc_a, member_a, bearer
):
    headers = bearer(member_a, "book")
    closed = client.post(
        "/api/v1/bookings",
        json=_request(
            room, assoc_a, start="2030-03-05T06:00:00+01:00", end="2030-03-05T07:00:00+01:00"
        ),
        headers=headers,
    )
    assert closed.status_code in (409, 422)
    assert closed.mimetype == "application/problem+json"
    assert closed.json["rule"]
    untitled = client.post(
        "/api/v1/bookings", json=_request(room, assoc_a, title=" "), headers=headers
    )
    assert untitled.status_code == 422
    assert (untitled.json["rule"], untitled.json["field"]) == ("title", "title")


def test_an_overlap_with_an_approved_booking_is_a_409_conflict(
    client, room, assoc_a, member_a, bearer
):
    room.requires_approval = False
    factories.make_booking(room, local("2030-03-05 15:00"), local("2030-03-05 17:00"))
    db.session.commit()
    response = client.post(
        "/api/v1/bookings", json=_request(room, assoc_a), headers=bearer(member_a, "book")
    )
    assert response.status_code == 409
    assert response.json["rule"] == "overlap"


def test_a_missing_field_is_named(client, room, assoc_a, member_a, bearer):
    body = _request(room, assoc_a)
    del body["start"]
    response = client.post("/api/v1/bookings", json=body, headers=bearer(member_a, "book"))
    assert response.status_code == 422
    assert response.json["field"] == "start"


def test_a_naive_time_is_refused(client, room, assoc_a, member_a, bearer):
    body = _request(room, assoc_a, start="2030-03-05T14:00:00")
    response = client.post("/api/v1/bookings", json=body, headers=bearer(member_a, "book"))
    assert response.status_code == 422
    assert response.json["field"] == "start"


def test_a_retried_request_with_its_idempotency_key_books_once(
    client, room, assoc_a, member_a, bearer
):
    headers = {**bearer(member_a, "book"), "Idempotency-Key": "abc-123"}
    first = client.post("/api/v1/bookings", json=_request(room, assoc_a), headers=headers)
    again = client.post("/api/v1/bookings", json=_request(room, assoc_a), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count() == 1
    other = client.post(
        "/api/v1/bookings", json=_request(room, assoc_a, title="Autre"), headers=headers
    )
    assert other.status_code == 422
    assert other.json["rule"] == "idempotency"
    assert _count() == 1


def test_without_a_key_a_retry_is_a_second_request(client, room, assoc_a, member_a, bearer):
    headers = bearer(member_a, "book")
    client.post("/api/v1/bookings", json=_request(room, assoc_a), headers=headers)
    client.post("/api/v1/bookings", json=_request(room, assoc_a), headers=headers)
    assert _count() == 2


def test_a_member_of_a_cannot_see_the_private_bookings_of_b(
    client, room, assoc_a, assoc_b, member_a, bearer
):
    theirs = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_b
    )
    mine = factories.make_booking(
        room, local("2030-03-06 10:00"), local("2030-03-06 11:00"), association=assoc_a
    )
    db.session.commit()
    headers = bearer(member_a, "read", "book")
    listed = client.get("/api/v1/bookings", headers=headers).json
    assert [b["id"] for b in listed["items"]] == [mine.id]
    assert client.get(f"/api/v1/bookings/{theirs.id}", headers=headers).status_code == 404
    cancel = client.post(f"/api/v1/bookings/{theirs.id}/cancel", json={}, headers=headers)
    assert cancel.status_code == 404
    assert db.session.get(Booking, theirs.id).state == BookingState.APPROVED


def test_the_list_is_paginated_with_links_and_filtered(client, room, assoc_a, member_a, bearer):
    for day in range(1, 6):
        factories.make_booking(
            room,
            local(f"2030-03-0{day} 10:00"),
            local(f"2030-03-0{day} 11:00"),
            association=assoc_a,
        )
    db.session.commit()
    headers = bearer(member_a, "read")
    page = client.get("/api/v1/bookings?per_page=2&page=2", headers=headers)
    assert page.json["total"] == 5
    assert len(page.json["items"]) == 2
    links = page.headers["Link"]
    assert 'page=3&per_page=2>; rel="next"' in links
    assert 'page=1&per_page=2>; rel="prev"' in links
    assert 'rel="last"' in links
    narrowed = client.get("/api/v1/bookings?from=2030-03-02&to=2030-03-03", headers=headers)
    assert narrowed.json["total"] == 2
    assert client.get("/api/v1/bookings?state=pending", headers=headers).json["total"] == 0


def test_the_list_answers_304_until_a_booking_changes(client, room, assoc_a, member_a, bearer):
    booking = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    db.session.commit()
    headers = bearer(member_a, "read")
    etag = client.get("/api/v1/bookings", headers=headers).headers["ETag"]
    assert (
        client.get("/api/v1/bookings", headers={**headers, "If-None-Match": etag}).status_code
        == 304
    )
    booking.title = "Renommé"
    db.session.commit()
    assert (
        client.get("/api/v1/bookings", headers={**headers, "If-None-Match": etag}).status_code
        == 200
    )


def test_a_member_cancels_and_comments(client, room, assoc_a, member_a, bearer):
    booking = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=assoc_a
    )
    db.session.commit()
    headers = bearer(member_a, "book")
    said = client.post(
        f"/api/v1/bookings/{booking.id}/comments", json={"body": "Merci"}, headers=headers
    )
    assert said.status_code == 201
    done = client.post(f"/api/v1/bookings/{booking.id}/cancel", json={}, headers=headers)
    assert done.status_code == 200
    assert done.json["state"] == "cancelled"
    twice = client.post(f"/api/v1/bookings/{booking.id}/cancel", json={}, headers=headers)
    assert twice.status_code in (403, 422)


def test_a_member_moves_a_booking(client, room, assoc_a, member_a, bearer):
    booking = factories.make_booking(
        room,
        local("2030-03-05 10:00"),
        local("2030-03-05 11:00"),
        association=assoc_a,
        state="pending",
    )
    db.session.commit()
    response = client.patch(
        f"/api/v1/bookings/{booking.id}",
        json={"start": "2030-03-05T12:00:00+01:00", "end": "2030-03-05T13:00:00+01:00"},
        headers=bearer(member_a, "book"),
    )
    assert response.status_code == 200, response.json
    assert response.json["start_local"] == "2030-03-05T12:00:00+01:00"


def test_a_member_moves_a_booking_to_another_room(client, room, assoc_a, member_a, bearer):
    """The modify endpoint takes the resource to move to (issue 13, item 6): the same
    service and rules as the page."""
    booking = factories.make_booking(
        room,
        local("2030-03-05 10:00"),
        local("2030-03-05 11:00"),
        association=assoc_a,
        state="pending",
    )
    other = factories.make_resource(
        room.site, slug="salle-abers", requires_approval=False, horizon_days=FAR
    )
    tiny = factories.make_resource(room.site, slug="salle-tiny", capacity=1, horizon_days=FAR)
    db.session.commit()
    times = {"start": "2030-03-05T10:00:00+01:00", "end": "2030-03-05T11:00:00+01:00"}
    headers = bearer(member_a, "book")
    too_small = factories.make_booking(
        room,
        local("2030-03-06 10:00"),
        local("2030-03-06 11:00"),
        association=assoc_a,
        state="pending",
        attendees=4,
    )
    db.session.commit()
    refused = client.patch(
        f"/api/v1/bookings/{too_small.id}",
        json={
            "start": "2030-03-06T10:00:00+01:00",
            "end": "2030-03-06T11:00:00+01:00",
            "resource": tiny.slug,
        },
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.json["rule"] == "capacity"
    unknown = client.patch(
        f"/api/v1/bookings/{booking.id}", json={**times, "resource": "nowhere"}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json["rule"] == "resource"
    response = client.patch(
        f"/api/v1/bookings/{booking.id}", json={**times, "resource": other.slug}, headers=headers
    )
    assert response.status_code == 200, response.json
    assert response.json["resource"] == "salle-abers"
    assert response.json["state"] == "approved"


@pytest.fixture
def pending(room, assoc_a):
    booking = factories.make_booking(
        room,
        local("2030-03-05 10:00"),
        local("2030-03-05 11:00"),
        association=assoc_a,
        state="pending",
    )
    db.session.commit()
    return booking


def test_a_manager_sees_the_queue_and_approves(client, manager, pending, bearer):
    headers = bearer(manager, "decide")
    assert [b["id"] for b in client.get("/api/v1/queue", headers=headers).json] == [pending.id]
    response = client.post(f"/api/v1/bookings/{pending.id}/approve", headers=headers)
    assert response.status_code == 200
    assert response.json["booking"]["state"] == "approved"


def test_a_refusal_needs_a_reason(client, manager, pending, bearer):
    headers = bearer(manager, "decide")
    without = client.post(f"/api/v1/bookings/{pending.id}/refuse", json={}, headers=headers)
    assert without.status_code == 422
    assert without.json["field"] == "reason"
    done = client.post(
        f"/api/v1/bookings/{pending.id}/refuse", json={"reason": "Travaux"}, headers=headers
    )
    assert done.json["state"] == "refused"
    assert done.json["decision_reason"] == "Travaux"


def test_a_manager_decides_only_for_their_rooms(client, other_room, assoc_a, manager, bearer):
    elsewhere = factories.make_booking(
        other_room,
        local("2030-03-05 10:00"),
        local("2030-03-05 11:00"),
        association=assoc_a,
        state="pending",
    )
    db.session.commit()
    headers = bearer(manager, "decide", "read")
    assert client.get("/api/v1/queue", headers=headers).json == []
    response = client.post(f"/api/v1/bookings/{elsewhere.id}/approve", headers=headers)
    assert response.status_code == 404  # they cannot even see it
    assert db.session.get(Booking, elsewhere.id).state == BookingState.PENDING


def test_a_member_with_a_decide_token_still_cannot_decide(client, member_a, pending, bearer):
    response = client.post(
        f"/api/v1/bookings/{pending.id}/approve", headers=bearer(member_a, "decide")
    )
    assert response.status_code == 403
    assert response.json["rule"] == "permission"


def test_a_number_beyond_the_databases_integers_is_not_found(client, member_a, bearer):
    response = client.get("/api/v1/bookings/99999999999999999999", headers=bearer(member_a, "read"))
    assert response.status_code == 404


def test_an_association_number_beyond_the_databases_integers_is_refused(
    client, room, member_a, bearer
):
    body = _request(room, factories.make_association(), association=10**20)
    response = client.post("/api/v1/bookings", json=body, headers=bearer(member_a, "book"))
    assert response.status_code == 422
    assert response.json["field"] == "association"


def test_a_weekly_series_is_requested_in_local_time(client, room, assoc_a, member_a, bearer):
    body = _request(room, assoc_a, repeat={"freq": "weekly", "count": 4})
    response = client.post("/api/v1/series", json=body, headers=bearer(member_a, "book"))
    assert response.status_code == 201, response.json
    starts = [b["start_local"] for b in response.json["bookings"]]
    # Across the clock change of 31 March 2030: still 14:00 in Brest.
    assert starts == [
        "2030-03-05T14:00:00+01:00",
        "2030-03-12T14:00:00+01:00",
        "2030-03-19T14:00:00+01:00",
        "2030-03-26T14:00:00+01:00",
    ]
    assert _count() == 4


def test_a_series_with_a_date_in_the_way_is_refused_unless_skipping(
    client, room, assoc_a, member_a, bearer
):
    room.requires_approval = False
    factories.make_booking(room, local("2030-03-12 15:00"), local("2030-03-12 17:00"))
    db.session.commit()
    headers = bearer(member_a, "book")
    body = _request(room, assoc_a, repeat={"freq": "weekly", "count": 3})
    refused = client.post("/api/v1/series", json=body, headers=headers)
    assert refused.status_code in (409, 422)
    assert refused.mimetype == "application/problem+json"
    assert _count() == 1
    body["skip_conflicts"] = True
    done = client.post("/api/v1/series", json=body, headers=headers)
    assert done.status_code == 201
    assert len(done.json["bookings"]) == 2


def test_a_series_needs_a_repetition(client, room, assoc_a, member_a, bearer):
    body = _request(room, assoc_a, repeat={"freq": "daily", "count": 3})
    response = client.post("/api/v1/series", json=body, headers=bearer(member_a, "book"))
    assert response.status_code == 422
    assert response.json["field"] == "repeat"

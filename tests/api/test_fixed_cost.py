"""A polled API answer costs its one small read (issue 19): no session, no user, no
second parse of a query string already seen."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import Headers

from booking.api import public_views
from booking.api.schemas import AvailabilityQuery, FindQuery
from booking.core.headers import add_missing
from booking.extensions import db
from tests.polling import polled_304

URLS = [
    "/api/v1/resources/salle-iroise/availability?date=2030-03-05&days=7",
    "/api/v1/availability?date=2030-03-05",
]


@pytest.mark.parametrize("url", URLS)
def test_an_anonymous_conditional_get_touches_neither_the_user_nor_the_session(
    app, client, room, url, monkeypatch
):
    response = polled_304(app, client, url, monkeypatch)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_polled_query_string_is_parsed_once(app, client, room, monkeypatch):
    db.session.commit()
    url = URLS[0]
    parser = public_views.bp.ARGUMENTS_PARSER
    parser._parsed.clear()
    schema = parser._get_schema(AvailabilityQuery, None)
    loads = []
    load = schema.load
    monkeypatch.setattr(schema, "load", lambda *a, **k: loads.append(1) or load(*a, **k))
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert (first.status_code, again.status_code) == (200, 304)
    assert len(loads) == 1
    assert client.get(url.replace("days=7", "days=2")).status_code == 200
    assert len(loads) == 2  # another query string: loaded


def test_a_bad_query_is_refused_every_time(client, room):
    db.session.commit()
    parser = public_views.bp.ARGUMENTS_PARSER
    parser._parsed.clear()
    url = "/api/v1/resources/salle-iroise/availability?date=2030-03-05&days=99"
    answers = [client.get(url) for _ in range(2)]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json == answers[1].json
    assert len(parser._parsed) == 0  # nothing kept for a refused query


def test_the_view_gets_its_own_copy_and_lists_are_not_kept(app):
    parser = public_views.bp.ARGUMENTS_PARSER
    parser._parsed.clear()
    url = "/x?date=2030-03-05&days=3"
    with app.test_request_context(url):
        first = parser.parse(AvailabilityQuery, location="query")
        first["days"] = 30
    with app.test_request_context(url):
        assert parser.parse(AvailabilityQuery, location="query")["days"] == 3
    query = "/x?start=2030-03-05T10:00:00%2B01:00&end=2030-03-05T11:00:00%2B01:00&equipment=1"
    with app.test_request_context(query):
        found = parser.parse(FindQuery, location="query")
    assert found["equipment"] == [1]
    assert len(parser._parsed) == 1  # the list-holding answer was not kept


def test_add_missing_is_setdefault_for_several_headers():
    headers = Headers([("Content-Type", "text/plain"), ("referrer-policy", "no-referrer")])
    add_missing(
        headers,
        [("Referrer-Policy", "same-origin"), ("X-A", "1"), ("X-B", "2"), ("x-a", "3")],
    )
    assert list(headers) == [
        ("Content-Type", "text/plain"),
        ("referrer-policy", "no-referrer"),
        ("X-A", "1"),
        ("X-B", "2"),
    ]

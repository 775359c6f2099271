"""The public API's query schemas are made once and shared: nothing passes between requests."""

from __future__ import annotations

from datetime import datetime

from booking.api import public_views
from booking.api.schemas import AvailabilityQuery
from booking.extensions import db as _db
from tests import factories


def _days(answer: dict) -> int:
    span = datetime.fromisoformat(answer["end"]) - datetime.fromisoformat(answer["start"])
    return round(span.total_seconds() / 86400)


def test_one_schema_serves_every_request_and_each_gets_its_own_values(app, db, client) -> None:
    factories.make_resource(factories.make_site("Lieu"), slug="a")
    _db.session.commit()
    url = "/api/v1/resources/a/availability?date=2030-06-04"

    wrong = client.get(url + "&days=0")
    assert wrong.status_code == 422
    two = client.get(url + "&days=2").get_json()
    default = client.get(url).get_json()  # days left out: the default, not the last value
    again = client.get(url + "&days=0")

    assert _days(two) == 2
    assert _days(default) == 7
    assert two["start"] == default["start"]
    assert again.status_code == 422
    assert again.get_json() == wrong.get_json()
    parser = public_views.bp.ARGUMENTS_PARSER
    assert AvailabilityQuery in parser._schemas  # made once, kept

"""Contract tests: schemathesis generates requests from the OpenAPI description the
app publishes and checks every answer against it (no 5xx, documented status codes,
content types, headers and bodies). Bounded: a few examples per operation."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from booking.extensions import db as _db
from tests import factories
from tests.api.conftest import local

EXAMPLES = 5  # per operation: the whole description in well under a minute
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(app, db, bearer):
    """A small scene (a manager who is also a member, a room, bookings) and the schema."""
    manager = factories.make_user(name="Gestionnaire")
    association = factories.make_association("Repair Café")
    factories.add_member(manager, association)
    room = factories.make_resource(
        factories.make_site("Maison"), slug="salle-iroise", horizon_days=3650, managers=[manager]
    )
    approved = factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=association
    )
    factories.make_booking(
        room,
        local("2030-03-05 14:00"),
        local("2030-03-05 15:00"),
        association=association,
        title="Atelier",
        is_public=True,
    )
    factories.make_booking(
        room,
        local("2030-03-06 10:00"),
        local("2030-03-06 11:00"),
        association=association,
        state="pending",
    )
    _db.session.commit()
    app.config["CONTRACT_HEADERS"] = bearer(manager, "read", "book", "decide")
    app.config["CONTRACT_VALUES"] = {
        "slug": "salle-iroise",
        "site": room.site.slug,
        "booking_id": approved.id,
    }
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_every_answer_conforms_to_the_description(api_schema, app):
    """Each operation in turn (schemathesis' pytest plugin does not run on pytest 9)."""
    headers = app.config["CONTRACT_HEADERS"]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        check()


def _api_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every /api/v1 route, in OpenAPI's path syntax."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith(
            ("api_docs.", "api-docs.")
        ):
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", f"{{{argument}}}")
            path = path.replace(f"<{argument}>", f"{{{argument}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method, path))
    return found


def test_the_description_covers_every_api_route(api_schema, app):
    """So the generated tests above reach every endpoint: none is left out of the description."""
    described = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert described == _api_routes(app)
    assert ("GET", "/api/v1/resources/{slug}/bookings") in described


def test_every_read_answers_real_data_as_described(api_schema, app):
    """Generated slugs and ids mostly find nothing (404): each GET once more with the scene's
    own slugs and ids, which must succeed and conform too."""
    headers = app.config["CONTRACT_HEADERS"]
    values = app.config["CONTRACT_VALUES"]
    day = {"date": "2030-03-05"}
    queries = {
        "/api/v1/free": {"start": "2030-03-05T12:00:00+01:00", "end": "2030-03-05T13:00:00+01:00"},
        "/api/v1/availability": day,
        "/api/v1/resources/{slug}/availability": day,
        "/api/v1/resources/{slug}/bookings": day,
        "/api/v1/sites/{slug}/bookings": day,
    }
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue
        params = {}
        if "{slug}" in operation.path:
            params["slug"] = values[
                "site" if operation.path.startswith("/api/v1/sites") else "slug"
            ]
        if "{booking_id}" in operation.path:
            params["booking_id"] = values["booking_id"]
        case = operation.Case(
            path_parameters=params,
            query=queries.get(operation.path, {}),
            headers=headers,
        )
        response = case.call()
        assert response.status_code == 200, (operation.path, response.status_code, response.text)
        case.validate_response(response, checks=CHECKS)
        if operation.path.endswith("/{slug}/bookings"):  # French by default: "Réservé"
            titles = [item["title"] for item in response.json()["items"]]
            assert titles == ["Réservé", "Atelier"]

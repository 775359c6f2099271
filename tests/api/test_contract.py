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
    factories.make_booking(
        room, local("2030-03-05 10:00"), local("2030-03-05 11:00"), association=association
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

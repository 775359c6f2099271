"""The API's wiring: flask-smorest's `Api`, the blueprints, errors as problems, docs."""

from __future__ import annotations

import hashlib
import http

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, render_template, request, send_from_directory
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from booking.api import public_views, token_pages, token_views, webhook_pages
from booking.api.auth import BEARER_SCHEME
from booking.api.problems import PROBLEM_TYPE, ApiProblem, from_http, from_refusal, problem
from booking.api.schemas import ProblemSchema
from booking.api.spec import LICENCE, RETRY_AFTER, ConventionsPlugin
from booking.api.webhooks import connect_webhooks
from booking.bookings.errors import BookingRefused
from booking.extensions import csrf, db, limiter

API_BLUEPRINTS = (public_views.bp, token_views.bp)

docs_bp = FlaskBlueprint("api_docs", __name__, url_prefix="/api/v1")


_LIMITED: set[str] = set()


def _api_rate() -> str:
    return current_app.config.get("API_RATE_LIMIT", "600/minute")


def _rate_key() -> str:
    """Each token has its own allowance; anonymous reads count per address."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "addr:" + (get_remote_address() or "")


class BookingApi(Api):
    """flask-smorest's Api, whose documented errors are `application/problem+json`."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            if status == http.HTTPStatus.TOO_MANY_REQUESTS:
                response["description"] = "Too many requests: wait `Retry-After` seconds"
                response["headers"] = {"Retry-After": RETRY_AFTER}
            prepare_response(response, self.spec, PROBLEM_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_pagination_header(self) -> None:
        """Not flask-smorest's pagination (ours is `page`/`per_page` and `Link`): no
        unused `PaginationMetadata` component in the description."""


def init_api(app: Flask) -> None:
    """Register the API; call before the app's own error handlers (which must win)."""
    app.config.setdefault("API_TITLE", "Salles Ouvertes")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Brest's open rooms and makerspaces: places, availability, "
                "requests and decisions. Errors are RFC 9457 problems with the rule's code.",
                "license": LICENCE,
            },
            "servers": [{"url": "/"}],
        },
    )
    api = BookingApi(
        spec_kwargs={
            "marshmallow_plugin": MarshmallowPlugin(),
            "extra_plugins": [ConventionsPlugin()],
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    for blueprint in API_BLUEPRINTS:
        csrf.exempt(blueprint)
        if blueprint.name not in _LIMITED:  # blueprints are shared by every app of the process
            limiter.limit(_api_rate, key_func=_rate_key)(blueprint)
            _LIMITED.add(blueprint.name)
        api.register_blueprint(blueprint)
    public_views.init_answer_cache(app)
    app.register_blueprint(docs_bp)
    app.register_blueprint(token_pages.bp)
    app.register_blueprint(webhook_pages.bp)
    connect_webhooks()


def _problem_handlers(blueprint) -> None:
    blueprint.register_error_handler(ApiProblem, _api_problem)
    blueprint.register_error_handler(BookingRefused, _refused)
    blueprint.register_error_handler(HTTPException, _http)


def _api_problem(error: ApiProblem) -> Response:
    db.session.rollback()
    return problem(
        error.status, error.detail, rule=error.rule, field=error.field, headers=error.headers
    )


def _refused(error: BookingRefused) -> Response:
    response = from_refusal(error)  # reads the conflicts: before the rollback expires them
    db.session.rollback()
    return response


def _http(error: HTTPException) -> Response | HTTPException:
    if error.code is not None and error.code < 400:
        return error
    return from_http(error)


for _blueprint in API_BLUEPRINTS:
    _problem_handlers(_blueprint)


@docs_bp.get("/docs")
def docs() -> str:
    """The API's documentation page: Swagger UI, served from the swagger-ui-bundle package."""
    return render_template("api/docs.html")


@docs_bp.get("/docs/assets/<path:filename>")
def docs_asset(filename: str) -> Response:
    if filename not in ("swagger-ui.css", "swagger-ui-bundle.js"):
        return problem(404)
    return send_from_directory(
        str(swagger_ui_path), filename, max_age=current_app.get_send_file_max_age(filename)
    )

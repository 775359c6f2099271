"""Errors of the API as `application/problem+json` (RFC 9457).

Every refusal carries the rule's short code (`rule`) and, where it belongs to
one, the field (`field`), beside the translated message (`detail`, in the
language of `Accept-Language`). Validation errors list each field's messages
under `errors`.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from booking.bookings.errors import BookingRefused, NotAllowed

PROBLEM_TYPE = "application/problem+json"
# The API's field names, for the names the booking rules use.
FIELD_NAMES = {"start_at": "start", "end_at": "end", "association_id": "association"}


class ApiProblem(Exception):  # noqa: N818 - a problem document, raised
    """Raised by the API's helpers; turned into a problem response by the blueprint."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        rule: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.rule, self.field = status, detail, rule, field
        self.headers = headers or {}


def titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        401: _("A valid access token is needed"),
        403: _("This is not allowed"),
        404: _("Not found"),
        405: _("This method is not allowed here"),
        409: _("This conflicts with another booking or a closure"),
        412: _("The resource has changed"),
        413: _("The request is too large"),
        415: _("Send JSON"),
        422: _("The request was refused"),
        429: _("Too many requests"),
        500: _("Something went wrong on our side"),
    }


def problem(
    status: int,
    detail: str | None = None,
    *,
    rule: str | None = None,
    field: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    title = titles().get(status, _("Error"))
    body: dict[str, Any] = {
        "type": f"urn:salles-ouvertes:problem:{rule}" if rule else "about:blank",
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if rule:
        body["rule"] = rule
    if field:
        body["field"] = field
    if errors:
        body["errors"] = errors
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_refusal(refusal: BookingRefused) -> Response:
    """A booking rule's refusal: 403 for permissions, 409 for conflicts, 422 otherwise."""
    if isinstance(refusal, NotAllowed):
        status = 403
    elif refusal.conflicts:
        status = 409
    else:
        status = 422
    field = FIELD_NAMES.get(refusal.field or "", refusal.field)
    return problem(status, refusal.message, rule=refusal.rule, field=field)


def from_http(error: HTTPException) -> Response:
    """Werkzeug's errors, and webargs' validation errors (422 with `data.messages`)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    headers = dict(data.get("headers") or {})
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    if messages:
        errors = _flatten(messages)
        first = next(iter(errors))
        detail = _(
            "Check the field “%(field)s”: %(message)s", field=first, message=errors[first][0]
        )
        return problem(
            status, detail, rule="validation", field=first, errors=errors, headers=headers
        )
    return problem(status, headers=headers)


def _flatten(messages: dict[str, Any]) -> dict[str, list[str]]:
    """webargs groups messages by location ("json", "query"); keep field -> messages."""
    flat: dict[str, list[str]] = {}
    for location_or_field, value in messages.items():
        if location_or_field in ("json", "query", "headers", "form", "view_args") and isinstance(
            value, dict
        ):
            for name, texts in value.items():
                flat[str(name)] = _texts(texts)
        else:
            flat[str(location_or_field)] = _texts(value)
    return flat or {"body": [_("The request could not be understood")]}


def _known_messages() -> dict[str, str]:
    """marshmallow's messages, in the client's language."""
    return {
        "Missing data for required field.": _("This field is required."),
        "Field may not be null.": _("This field is required."),
        "Unknown field.": _("Unknown field."),
        "Not a valid integer.": _("Give a whole number."),
        "Not a valid string.": _("Give a text."),
        "Not a valid boolean.": _("Give true or false."),
        "Not a valid date.": _("Give a date as YYYY-MM-DD."),
        "Not a valid datetime.": _("Give a date and time in ISO 8601 with its offset."),
        "Not a valid aware datetime.": _("Give a date and time in ISO 8601 with its offset."),
        "Invalid input type.": _("Invalid value."),
        "Invalid value.": _("Invalid value."),
        "Not a valid list.": _("Give a list."),
        "Invalid request body.": _("Send a JSON object."),
    }


def _texts(value: Any) -> list[str]:
    if isinstance(value, list):
        known = _known_messages()
        return [known.get(str(v), str(v)) for v in value] or [_("Invalid value.")]
    if isinstance(value, dict):  # nested
        return [f"{k}: {', '.join(_texts(v))}" for k, v in value.items()]
    return [str(value)]

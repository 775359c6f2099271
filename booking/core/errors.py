"""Error pages in the site's style and the visitor's language; JSON for API clients."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.wrappers import Response

from booking.core.unavailable import (
    init_unavailable,
    is_database_unavailable,
    safe_rollback,
    unavailable_response,
)
from booking.schedule.forms import FindForm
from booking.schedule.queries import search_choices

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("You are not allowed to see this page"),
        404: _("Page not found"),
        405: _("This action is not possible here"),
        413: _("The file sent is too large"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
    }


def render_error(
    code: int, message: str | None = None, *, title: str | None = None
) -> tuple[str | dict, int] | Response:
    title = title or _titles().get(code, _("Error"))
    if request.path.startswith("/api/"):
        # RFC 9457 problem, like the API's own errors (booking/api/problems.py).
        body = {"type": "about:blank", "title": title, "status": code, "detail": message or title}
        response = current_app.json.response(body)
        response.status_code = code
        response.mimetype = "application/problem+json"
        return response
    if _wants_json():
        return {"status": code, "title": title, "detail": message or title}, code
    search_form = _search_form() if code == 404 else None
    try:
        page = render_template(
            "errors/error.html",
            code=code,
            title=title,
            message=message,
            search_form=search_form,
            known=current_app.view_functions,
        )
    except Exception as error:
        # The layout loads the signed-in user: with the database gone, say so
        # rather than let the error page fail (the server's bare 500).
        if not is_database_unavailable(error):
            raise
        safe_rollback()
        page, _code, _headers = unavailable_response()
    return page, code


def _search_form() -> FindForm | None:
    """The home page's search, offered on a missing page; none if it cannot be built."""
    try:
        return FindForm(None, search_choices())
    except SQLAlchemyError:
        safe_rollback()
        return None


def init_errors(app: Flask) -> None:
    init_unavailable(app)

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str | dict, int]:
        return render_error(
            400,
            _(
                "Your form had expired or was sent from elsewhere. Please go back, reload the page and try again."
            ),
        )

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_error: RequestEntityTooLarge) -> tuple[str | dict, int]:
        limit = int(app.config.get("MAX_CONTENT_LENGTH") or 0)
        return render_error(
            413,
            _(
                "What you sent is larger than %(size)d MB. Send a smaller file.",
                size=max(1, limit // (1024 * 1024)),
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str | dict, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple:
        if isinstance(error, HTTPException):
            return _http(error)
        if is_database_unavailable(error):
            log.warning("Database unavailable on %s %s: %s", request.method, request.path, error)
            safe_rollback()
            return unavailable_response()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        safe_rollback()
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(InternalServerError.code)

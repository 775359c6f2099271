"""The administration blueprint, its guard (managers and administrators only) and the
helpers every administration page shares: paging, search, loading, errors, commit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from booking.admin import queries
from booking.admin.forms.common import SearchForm
from booking.admin.services import AdminError, AdminForbiddenError
from booking.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _only_managers() -> Response | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not queries.can_administer(current_user):
        abort(403)
    return None


def admin_only() -> None:
    if not current_user.is_admin:
        abort(403)


def page_number() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)


def search_form() -> tuple[SearchForm, str]:
    form = SearchForm(request.args)
    query = form.q.data if form.validate() and form.q.data else ""
    return form, query


MAX_ID = 2**31 - 1  # the largest integer key every database holds


def get_or_404(model: type, object_id: int):
    found = db.session.get(model, object_id) if 0 < object_id <= MAX_ID else None
    if found is None:
        abort(404)
    return found


def show_error(form: FlaskForm, error: AdminError) -> None:
    """A domain error goes next to its field, or at the top of the page."""
    if isinstance(error, AdminForbiddenError):
        abort(403)
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def commit_and_redirect(message: str, endpoint: str, **values) -> Response:
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def form_labels(form: FlaskForm) -> dict[str, str]:
    """Field names as the form's labels say them, for the history of changes."""
    return {name: field.label.text for name, field in form._fields.items()}


def form_data(form: FlaskForm, *names: str) -> dict:
    return {name: getattr(form, name).data for name in names}

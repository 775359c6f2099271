"""Account pages for personal access tokens: list, make (shown once), revoke."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from booking.api.forms import TokenForm
from booking.api.tokens import SCOPE_LABELS, TokenError, create_token, revoke_token, tokens_of
from booking.extensions import db
from booking.timeutil import local_datetime

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


@bp.app_context_processor
def _token_helpers() -> dict:
    """What the profile's token section (templates/api/_tokens.html) reads."""
    return {"api_tokens_of": tokens_of, "scope_labels": SCOPE_LABELS}


def _page(form: TokenForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "api/tokens.html", form=form, tokens=tokens_of(current_user), revoke_form=FlaskForm()
    ), status


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    return _page(TokenForm())


@bp.post("/")
@login_required
def create() -> tuple[str, int]:
    form = TokenForm()
    if not form.validate():
        return _page(form, 422)
    now = datetime.now(UTC)
    expires_at = None
    if form.expires_on.data is not None:
        # The end of the chosen local day.
        expires_at = local_datetime(form.expires_on.data, time.max).astimezone(UTC)
    try:
        made = create_token(current_user, form.name.data, form.scopes.data, expires_at, now=now)
    except TokenError as error:
        target = form._fields.get(error.field or "", form.name)
        target.errors = [*target.errors, error.message]
        return _page(form, 422)
    secret, token = made.secret, made.token
    db.session.commit()
    # Shown in this answer only: never flashed (the session cookie is readable) nor stored.
    response = render_template("api/token_created.html", token=token, secret=secret)
    return response, 201


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    form = FlaskForm()
    if not form.validate():
        abort(400)
    if not revoke_token(current_user, token_id, now=datetime.now(UTC)):
        abort(404)
    db.session.commit()
    flash(_("The token is revoked: it no longer works."), "success")
    return redirect(url_for(".index"))

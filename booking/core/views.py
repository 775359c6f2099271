"""Home page, language switch and health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from booking.extensions import db
from booking.i18n import available_languages
from booking.ops.readiness import check_readiness
from booking.resources.queries import sites_with_resources
from booking.schedule.forms import FindForm
from booking.schedule.queries import search_choices

bp = Blueprint("core", __name__)


@bp.get("/")
def home() -> str:
    return render_template(
        "core/home.html",
        sites=sites_with_resources(),
        search_form=FindForm(None, search_choices()),
    )


def safe_next(target: str | None, default: str) -> str:
    """Only redirect within this site (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host": a backslash anywhere is refused too.
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return default
    return target


@bp.get("/lang/<code>")
def switch_language(code: str) -> Response:
    if code not in available_languages():
        abort(404)
    session["lang"] = code
    if current_user.is_authenticated and current_user.locale != code:
        current_user.locale = code
        db.session.commit()
    return redirect(safe_next(request.args.get("next"), url_for("core.home")))


@bp.get("/healthz")
def health() -> tuple[str, int, dict]:
    """The process is up (no database access: a liveness probe)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/readyz")
def ready() -> tuple[dict, int, dict]:
    """The database answers and its schema is at the migrations' head (a readiness probe)."""
    state = check_readiness()
    return state.as_dict(), 200 if state.ready else 503, {"Cache-Control": "no-store"}

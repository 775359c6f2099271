"""The administration home page: what waits for the signed-in manager."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from booking.admin import queries
from booking.admin.views.common import bp


@bp.get("/")
def index() -> str:
    return render_template("admin/index.html", counts=queries.dashboard_counts(current_user))

"""Public pages of sites and resources."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from booking.db import utcnow
from booking.resources.hours import weekly_hours
from booking.resources.queries import resource_by_slug, site_by_slug
from booking.schedule.cache import cached_week_grid
from booking.schedule.grid import WeekView, week_days
from booking.schedule.sessions import session_rows
from booking.timeutil import local_today

bp = Blueprint("resources", __name__)


@bp.get("/resources/<slug>")
def resource(slug: str) -> str:
    found = resource_by_slug(slug)
    if found is None:
        abort(404)
    today = local_today()
    return render_template(
        "resources/resource.html",
        resource=found,
        hours=weekly_hours(found.effective_opening_hours()),
        week=WeekView(cached_week_grid(found, today, utcnow()), week_days(today)),
        sessions=session_rows(found, week_days(today), utcnow()),
    )


@bp.get("/sites/<slug>")
def site(slug: str) -> str:
    found = site_by_slug(slug)
    if found is None:
        abort(404)
    return render_template(
        "resources/site.html", site=found, hours=weekly_hours(list(found.opening_hours))
    )

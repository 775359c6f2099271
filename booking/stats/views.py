"""Statistics pages (managers and administrators) and the open-data files (everyone)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache

from babel.numbers import NumberPattern, parse_pattern
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from booking.db import utcnow
from booking.extensions import db
from booking.resources.models import Resource, Site
from booking.resources.queries import site_by_slug
from booking.stats import charts, exports, opendata
from booking.stats.cache import init_stats_cache
from booking.stats.figures import HOUR, build_report
from booking.stats.forms import StatsForm
from booking.stats.numbers import format_decimal
from booking.stats.period import month_period, year_period
from booking.stats.queries import Scope, filter_choices, visible_resources
from booking.stats.rollup_refresh import keep_rollup
from booking.timeutil import local_today

bp = Blueprint("stats", __name__, url_prefix="/stats")
open_bp = Blueprint("opendata", __name__, url_prefix="/open-data")
bp.record_once(lambda state: init_stats_cache(state.app))
bp.record_once(lambda state: keep_rollup(state.app))

CSV = "text/csv; charset=utf-8"


def _may_see_stats() -> None:
    if not (current_user.is_admin or current_user.is_manager):
        abort(403)


def _report_from_args():
    """The filter form, the report it asks for, and the HTTP status (400 for bad input)."""
    visible = db.session.scalars(visible_resources(Scope(current_user))).all()
    form = StatsForm(request.args, filter_choices(current_user, visible), local_today())
    status = 200
    if not form.validate():
        status = 400
        period, filters = month_period(local_today()), {}
    else:
        period, filters = form.chosen_period(), form.filters()
    scope = Scope(current_user, **filters)
    # Unfiltered, the report counts the very resources the form offers: loaded once.
    return form, build_report(scope, period, None if any(filters.values()) else visible), status


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    _may_see_stats()
    form, report, status = _report_from_args()
    bars, bars_height = charts.occupancy_bars(report.rows)
    return render_template(
        "stats/index.html",
        form=form,
        report=report,
        bars=bars,
        bars_height=bars_height,
        line=charts.hours_line(report),
        heat_level=charts.heat_level,
        csv_args=request.args.to_dict(),
        hour=HOUR,
    ), status


@bp.get("/<any(resources, series, heatmap):table>.csv")
@login_required
def table_csv(table: str) -> Response:
    _may_see_stats()
    _form, report, status = _report_from_args()
    if status != 200:
        abort(400)
    build = {
        "resources": exports.resources_table,
        "series": exports.series_table,
        "heatmap": exports.heat_table,
    }[table]
    name = f"stats-{table}-{report.period.first}-{report.period.last}.csv"
    return Response(
        build(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
        content_type=CSV,
    )


@bp.get("/report")
@login_required
def yearly_report() -> tuple[str, int]:
    """The printable yearly report (print stylesheet) for the city's annual review."""
    _may_see_stats()
    year = request.args.get("year", type=int) or local_today().year
    status = 200
    if not 2000 <= year <= 2100:
        year, status = local_today().year, 400
    report = build_report(Scope(current_user), year_period(year))
    bars, bars_height = charts.occupancy_bars(report.rows)
    return render_template(
        "stats/report.html",
        year=year,
        today=local_today(),
        report=report,
        bars=bars,
        bars_height=bars_height,
        line=charts.hours_line(report),
        heat_level=charts.heat_level,
        hour=HOUR,
        error=_("Choose a year between 2000 and 2100.") if status == 400 else None,
    ), status


# --- Open data ------------------------------------------------------------------------


def _site_url(site: Site) -> str:
    return url_for("resources.site", slug=site.slug, _external=True)


def _resource_url(resource: Resource) -> str:
    return url_for("resources.resource", slug=resource.slug, _external=True)


def _last_months(count: int = 12) -> list[date]:
    """The `count` complete months before this one, oldest first."""
    month = local_today().replace(day=1)
    months = []
    for _n in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _attachment(body: str, name: str, mimetype: str) -> Response:
    return Response(
        body,
        content_type=f"{mimetype}; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@open_bp.get("/", endpoint="index")
def open_data_index() -> str:
    months = _last_months()
    return render_template(
        "opendata/index.html",
        updated_on=local_today(),
        makerspaces=opendata.makerspaces(),
        left_out=opendata.left_out_of_mediation(),
        missing_fields_text=opendata.missing_fields_text,
        licence=opendata.LICENCE,
        licence_url=opendata.LICENCE_URL,
        first_month=months[0],
        last_month=months[-1],
    )


@open_bp.get("/lieux-mediation-numerique.csv")
def mediation() -> Response:
    body = opendata.mediation_csv(_site_url, local_today())
    return _attachment(body, "lieux-mediation-numerique.csv", "text/csv")


@open_bp.get("/sites.geojson")
def sites_geojson() -> Response:
    body = json.dumps(opendata.sites_geojson(_site_url, _resource_url), ensure_ascii=False)
    return _attachment(body, "sites.geojson", "application/geo+json")


@open_bp.get("/resources.json")
def resources_json() -> Response:
    body = json.dumps(opendata.resources_records(_resource_url), ensure_ascii=False)
    return _attachment(body, "resources.json", "application/json")


@open_bp.get("/resources.csv")
def resources_csv() -> Response:
    body = opendata.resources_csv(opendata.resources_records(_resource_url))
    return _attachment(body, "resources.csv", "text/csv")


@open_bp.get("/occupancy.csv")
def occupancy_csv() -> Response:
    return _attachment(opendata.occupancy_csv(_last_months()), "occupancy.csv", "text/csv")


@open_bp.get("/spaceapi/<slug>.json")
def spaceapi(slug: str) -> Response:
    site = site_by_slug(slug)
    if site is None or not opendata.is_makerspace(site):
        abort(404)
    urls = {
        "site": _site_url(site),
        "logo": url_for("static", filename="img/logo.svg", _external=True),
    }
    body = json.dumps(opendata.spaceapi(site, utcnow(), urls), ensure_ascii=False)
    response = _attachment(body, f"{slug}.json", "application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # SpaceAPI directories poll it
    response.headers["Cache-Control"] = "no-cache"
    return response


@lru_cache(maxsize=16)
def _pattern(fmt: str) -> NumberPattern:
    return parse_pattern(fmt)


def _numbers() -> dict:
    """Number formats of the current locale for the statistics templates (a table of 1,500
    resources formats thousands of numbers: the two common shapes by `format_decimal`, the
    others by their Babel pattern, parsed once)."""
    locale = get_locale()

    def hours(seconds: float) -> str:
        return format_decimal(seconds / HOUR, 1, locale)

    def percent(value: float | None) -> str:
        return "—" if value is None else format_decimal(value, 1, locale, percent=True)

    def decimal(value: float | None, fmt: str = "#,##0.##") -> str:
        return "—" if value is None else _pattern(fmt).apply(value, locale)

    return {"hours": hours, "percent": percent, "decimal": decimal}


bp.context_processor(_numbers)
open_bp.context_processor(_numbers)

"""Public calendars and the "find a free room" search; no account needed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import groupby
from urllib.parse import quote, urlencode

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from booking.bookings.availability import find_free
from booking.bookings.rules import describe_period
from booking.db import utcnow
from booking.i18n import format_day
from booking.paging import requested_page
from booking.resources.models import Resource
from booking.schedule.cache import (
    cached_grid,
    day_page_key,
    grid_clock,
    grid_key,
    init_grid_cache,
    month_grid_key,
    week_grid_key,
)
from booking.schedule.forms import DayDateForm, DayForm, FindForm, MonthForm, WeekForm
from booking.schedule.grid import (
    booking_link,
    day_grid,
    reservation_base,
    week_days,
    week_grid,
    week_row_header,
)
from booking.schedule.month import month_weeks
from booking.schedule.pages import cached_answer, cached_page, calendar_page, render_part
from booking.schedule.queries import (
    GridFilters,
    GridResource,
    SiteChoice,
    bookable_page,
    calendar_resource,
    calendar_stamp,
    day_stamp,
    search_choices,
)
from booking.schedule.sessions import session_rows
from booking.timeutil import (
    is_real_local_time,
    local_datetime,
    local_day_bounds,
    local_today,
    to_utc,
)

bp = Blueprint("schedule", __name__)
bp.record_once(lambda state: init_grid_cache(state.app))


def _chosen(form, field_name: str, default: date) -> tuple[date, int]:
    """The date asked for, or `default` with the form's error (status 400) when it is bad."""
    if not form.validate():
        return default, 400
    return getattr(form, field_name).data or default, 200


def _day_filters(form: DayForm, site: SiteChoice | None) -> GridFilters:
    """The filters of the day grid's form, leaving out any field with an error."""

    def good(field):
        return None if field.errors else field.data or None

    return GridFilters(
        site_id=site.id if site else None,
        neighbourhood=good(form.neighbourhood),
        kind=good(form.kind),
        capacity=good(form.capacity),
        equipment_ids=() if form.equipment.errors else form.equipment_ids,
    )


@bp.get("/calendar/day")
def day() -> tuple[str, int]:
    # Served whole after one read while nothing the page reads has changed (issue 19).
    stamp, sites = day_stamp()
    today = local_today()
    when = DayDateForm(request.args)
    when.validate()
    now = utcnow()
    page_key = day_page_key(stamp, when.chosen(today), now)
    answer = cached_answer("schedule/day.html", page_key)
    if answer is not None:
        return answer
    form = DayForm(request.args, sites, search_choices(sites))
    slug = request.args.get("site") or None
    site = None
    if slug is not None:
        site = next((s for s in sites if s.slug == slug), None)
        if site is None:
            abort(404)
    status = 200 if form.validate() else 400
    chosen = form.chosen(today)
    filters = _day_filters(form, site)
    page = bookable_page(filters, requested_page())
    resources = page.items
    groups = []
    for _site_id, members in groupby(resources, key=lambda r: r.site_id):
        members = list(members)
        first = members[0]
        href = url_for("resources.site", slug=first.site_slug)
        groups.append((None if site else first.site_name, href, members))
    # One url_for for every row: the slug is put into a built URL.
    week_url = url_for("schedule.week", slug="__slug__", date=chosen.isoformat())

    def row_href(resource: GridResource) -> str:
        return week_url.replace("__slug__", quote(resource.slug))

    start, end = local_day_bounds(chosen)
    notice = timedelta(minutes=max((r.min_notice_minutes for r in resources), default=0))
    clock_key, at = grid_clock(now, start, end, notice)
    key = (chosen, filters, page.page, clock_key, tuple(resources))
    grid = cached_grid("day", key, lambda: day_grid(groups, chosen, now=at, row_href=row_href))
    kept = form.filter_args()  # the filters follow from day to day

    def day_href(value: date | None) -> str:
        query = [("date", value.isoformat())] if value else []
        return (
            url_for("schedule.day") + "?" + urlencode(query + kept)
            if query or kept
            else url_for("schedule.day")
        )

    nav = {
        "previous": day_href(chosen - timedelta(days=1)),
        "next": day_href(chosen + timedelta(days=1)),
        "today": day_href(None),
    }
    context = {
        "form": form,
        "grid": grid,
        "page": page,
        "filtered": any(name != "site" for name, _value in kept),
        "day_label": format_day(chosen, "full"),
        "site": site,
        "nav": nav,
    }
    # The calendar part is kept under the page's key too: its form offers the places and
    # the equipment, which the grid's key does not name.
    html = calendar_page(
        "schedule/day.html",
        "schedule/_day_content.html",
        page_key,
        context,
        status=status,
        layout=("day_label",),  # what day.html reads around the part
    )
    return html, status


def _resource_or_404(slug: str) -> Resource:
    resource = calendar_resource(slug)
    if resource is None:
        abort(404)
    return resource


@bp.get("/calendar/resources/<slug>/week")
def week(slug: str) -> tuple[str, int]:
    stamp = calendar_stamp(slug)
    if stamp is None:
        abort(404)
    form = WeekForm(request.args)
    today = local_today()
    chosen, status = _chosen(form, "date", today)
    now = utcnow()
    if stamp.is_exclusive:  # an open lab's seats are read at each request: never kept whole
        kept = cached_page(
            "schedule/week.html", grid_key("week", week_grid_key(stamp, chosen, now)[0])
        )
        if kept is not None:
            return kept, status
    resource = _resource_or_404(slug)
    days = week_days(chosen)
    key, at = week_grid_key(resource, chosen, now)
    grid = cached_grid(
        "week", key, lambda: week_grid(resource, chosen, now=at, day_header=week_row_header)
    )
    nav = {
        "previous": url_for("schedule.week", slug=slug, date=(days[0] - timedelta(7)).isoformat()),
        "next": url_for("schedule.week", slug=slug, date=(days[0] + timedelta(7)).isoformat()),
        "today": url_for("schedule.week", slug=slug),
        "month": url_for("schedule.month", slug=slug, month=chosen.strftime("%Y-%m")),
    }
    context = {
        "form": form,
        "grid": grid,
        "resource": resource,
        "days": days,
        "first_label": format_day(days[0], "long"),
        "last_label": format_day(days[-1], "long"),
        "nav": nav,
        "sessions": session_rows(resource, days, now),
    }
    if context["sessions"] is not None:
        # An open lab's seats are read at each request (not in the grid's key).
        content = render_part("schedule/_week_content.html", context)
        return render_template("schedule/week.html", page_content=content, **context), status
    html = calendar_page(
        "schedule/week.html", "schedule/_week_content.html", grid_key("week", key), context
    )
    return html, status


@bp.get("/calendar/resources/<slug>/month")
def month(slug: str) -> tuple[str, int]:
    stamp = calendar_stamp(slug)
    if stamp is None:
        abort(404)
    form = MonthForm(request.args)
    chosen, status = _chosen(form, "month", local_today())
    first = chosen.replace(day=1)
    now = utcnow()
    kept = cached_page(
        "schedule/month.html", grid_key("month", month_grid_key(stamp, first, now)[0])
    )
    if kept is not None:
        return kept, status
    resource = _resource_or_404(slug)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    nav = {
        "previous": url_for("schedule.month", slug=slug, month=previous.strftime("%Y-%m")),
        "next": url_for("schedule.month", slug=slug, month=following.strftime("%Y-%m")),
        "today": url_for("schedule.month", slug=slug),
        "week": url_for("schedule.week", slug=slug, date=first.isoformat()),
    }
    key, at = month_grid_key(resource, first, now)
    weeks = cached_grid("month", key, lambda: month_weeks(resource, first, now=at))
    context = {
        "form": form,
        "weeks": weeks,
        "resource": resource,
        "first": first,
        "nav": nav,
        "week_url": url_for("schedule.week", slug=slug),
    }
    html = calendar_page(
        "schedule/month.html", "schedule/_month_content.html", grid_key("month", key), context
    )
    return html, status


def _interval(form: FindForm, now: datetime) -> tuple[datetime, datetime] | None:
    """The searched interval in UTC, or None with an error put next to the field."""
    day = form.date.data
    start_local = datetime.combine(day, form.start.data)
    end_local = datetime.combine(day, form.end.data)
    for field, local in ((form.start, start_local), (form.end, end_local)):
        if not is_real_local_time(local):
            field.errors.append(_("This time does not exist on that day (the clocks change)."))
            return None
    start_at = to_utc(local_datetime(day, form.start.data))
    end_at = to_utc(local_datetime(day, form.end.data))
    if start_at < now:
        form.date.errors.append(_("This time has passed: choose a later date or time."))
        return None
    return start_at, end_at


@bp.get("/find")
def find() -> tuple[str, int]:
    choices = search_choices()
    submitted = bool(request.args)
    form = FindForm(request.args if submitted else None, choices)
    results = None
    status = 200
    links: dict[int, str] = {}
    if submitted:
        now = utcnow()
        interval = _interval(form, now) if form.validate() else None
        if interval is None:
            status = 400
        else:
            results = find_free(
                interval[0],
                interval[1],
                form.attendees.data,
                form.equipment_ids,
                neighbourhood=form.neighbourhood.data or None,
                kind=form.kind.data or None,
                now=now,
                person=current_user if current_user.is_authenticated else None,
            )
            base = reservation_base()
            extra = "&" + urlencode(
                [("attendees", form.attendees.data)]
                + [("equipment", slug) for slug in form.equipment.data or ()]
            )
            links = {
                found.resource.id: booking_link(base, found.resource, *interval, extra=extra)
                for found in results
            }
    searched = describe_period(*interval) if results is not None else None
    html = render_template(
        "schedule/find.html", form=form, results=results, links=links, searched=searched
    )
    return html, status

"""Opening hours pages of a site or a resource: the week at once, single ranges."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from booking.admin import queries, services
from booking.admin.forms.common import ActionForm
from booking.admin.forms.hours import OpeningHoursForm, WeeklyHoursForm
from booking.admin.services import AdminError
from booking.admin.views.common import bp, commit_and_redirect, get_or_404, show_error
from booking.extensions import db
from booking.resources.hours import weekly_hours
from booking.resources.models import OpeningHours, Resource, Site


def _week_data(ranges: list[OpeningHours]) -> dict:
    """The owner's ranges as the weekly form's data: the first two of each day."""
    days: list[dict] = []
    for day in weekly_hours(ranges):
        values: dict = {}
        for n, (opens, closes) in enumerate(day[:2], start=1):
            values[f"opens_{n}"], values[f"closes_{n}"] = opens, closes
        days.append(values)
    return {"days": days}


def _weekly_hours_post(
    week_form: WeeklyHoursForm, site: Site | None, resource: Resource | None
) -> Response | None:
    """The whole week in one form: copy Monday to Friday (shown again), or save it all."""
    if week_form.copy_weekdays.data:
        week_form.copy_monday()
        flash(_("Monday's hours are copied to Tuesday–Friday: save the week to keep them."), "info")
        return None
    if not week_form.validate_on_submit():
        return None
    try:
        services.set_weekly_hours(current_user, week_form.week(), site=site, resource=resource)
    except AdminError as error:
        db.session.rollback()
        flash(error.message, "error")
        return None
    if resource is not None:
        return commit_and_redirect(
            _("The opening hours are saved."), "admin.resource_hours", resource_id=resource.id
        )
    return commit_and_redirect(
        _("The opening hours are saved."), "admin.site_hours", site_id=site.id
    )


def _hours_page(site: Site | None, resource: Resource | None) -> str | Response:
    own = queries.opening_hours_of(site=site, resource=resource)
    weekly_post = request.method == "POST" and (
        "save_week" in request.form or "copy_weekdays" in request.form
    )
    # The week starts from the hours that apply: the resource's own, else its place's.
    applied = own or (queries.opening_hours_of(site=resource.site) if resource else [])
    week_form = WeeklyHoursForm(
        formdata=request.form if weekly_post else None, data=_week_data(applied)
    )
    form = OpeningHoursForm(formdata=None if weekly_post else request.form or None)
    if weekly_post:
        done = _weekly_hours_post(week_form, site, resource)
        if done is not None:
            return done
    elif form.validate_on_submit():
        try:
            for weekday in form.weekdays():  # "Monday to Friday": one range per day, all or none
                services.add_opening_hours(
                    current_user,
                    weekday=weekday,
                    opens_at=form.opens_at.data,
                    closes_at=form.closes_at.data,
                    site=site,
                    resource=resource,
                )
        except AdminError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            if resource is not None:
                return commit_and_redirect(
                    _("Opening range added."), "admin.resource_hours", resource_id=resource.id
                )
            return commit_and_redirect(
                _("Opening range added."), "admin.site_hours", site_id=site.id
            )
    ranges = queries.opening_hours_of(site=site, resource=resource)
    # A resource without hours of its own follows its site's: show those.
    inherited = resource is not None and not ranges
    shown = queries.opening_hours_of(site=resource.site) if inherited else ranges
    return render_template(
        "admin/hours.html",
        form=form,
        week_form=week_form,
        site=site,
        resource=resource,
        ranges=ranges,
        inherited=inherited,
        week=weekly_hours(shown),
        delete_form=ActionForm(formdata=None),
    )


@bp.route("/sites/<int:site_id>/hours", methods=["GET", "POST"])
def site_hours(site_id: int) -> str | Response:
    site = get_or_404(Site, site_id)
    if not site.is_managed_by(current_user):
        abort(403)
    return _hours_page(site, None)


@bp.route("/resources/<int:resource_id>/hours", methods=["GET", "POST"])
def resource_hours(resource_id: int) -> str | Response:
    resource = get_or_404(Resource, resource_id)
    if not resource.can_manage(current_user):
        abort(403)
    return _hours_page(None, resource)


@bp.post("/hours/<int:hours_id>/delete")
def hours_delete(hours_id: int) -> Response:
    hours = get_or_404(OpeningHours, hours_id)
    resource, site_id = hours.resource, hours.site_id
    site = db.session.get(Site, site_id) if site_id else None
    allowed = resource.can_manage(current_user) if resource else site.is_managed_by(current_user)
    if not allowed or not ActionForm().validate_on_submit():
        abort(403 if not allowed else 400)
    services.delete_opening_hours(current_user, hours)
    if resource is not None:
        return commit_and_redirect(
            _("Opening range removed."), "admin.resource_hours", resource_id=resource.id
        )
    return commit_and_redirect(_("Opening range removed."), "admin.site_hours", site_id=site_id)

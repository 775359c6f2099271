"""Closure pages: list, add and remove closures of sites and resources."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from booking.admin import queries, services
from booking.admin.forms.closures import ClosureForm
from booking.admin.forms.common import ActionForm, options
from booking.admin.services import AdminError
from booking.admin.views.common import (
    bp,
    commit_and_redirect,
    get_or_404,
    page_number,
    search_form,
    show_error,
)
from booking.extensions import db
from booking.resources.models import Closure, Resource, Site
from booking.timeutil import to_utc

# The .ics import page belongs to the feeds area; linked to when it is there.
IMPORT_ENDPOINTS = ("feeds.import_closures", "feeds.import_closures_page")


def _import_url() -> str | None:
    for endpoint in IMPORT_ENDPOINTS:
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return None


@bp.get("/closures")
def closures() -> str:
    search, query = search_form()
    past = request.args.get("when") == "past"
    page = queries.search_closures(current_user, query, past=past, page=page_number())
    return render_template(
        "admin/closures.html",
        page=page,
        search=search,
        past=past,
        may_manage=lambda closure: services.closure_may_be_managed(current_user, closure),
        import_url=_import_url(),
        delete_form=ActionForm(formdata=None),
    )


def _closure_targets() -> list:
    sites = db.session.scalars(queries.manageable_sites(current_user).order_by(Site.name))
    resources = db.session.scalars(
        queries.manageable_resources(current_user).order_by(Resource.name)
    )
    return [
        *options(((f"site-{s.id}", s.name) for s in sites), _("Places (all their resources)")),
        *options(((f"resource-{r.id}", r.name) for r in resources), _("Resources")),
    ]


@bp.route("/closures/new", methods=["GET", "POST"])
def closure_new() -> str | Response:
    form = ClosureForm()
    form.target.choices = _closure_targets()
    if not form.is_submitted() and request.args.get("target"):
        form.target.data = request.args["target"]
    if form.validate_on_submit():
        kind, _sep, raw_id = form.target.data.partition("-")
        site = db.session.get(Site, int(raw_id)) if kind == "site" else None
        resource = db.session.get(Resource, int(raw_id)) if kind == "resource" else None
        try:
            services.add_closure(
                current_user,
                label=form.label.data,
                start_at=to_utc(form.start_at.data),
                end_at=to_utc(form.end_at.data),
                site=site,
                resource=resource,
            )
        except AdminError as error:
            show_error(form, error)
        else:
            return commit_and_redirect(_("The closure is saved."), "admin.closures")
    return render_template("admin/closure_form.html", form=form, import_url=_import_url())


@bp.post("/closures/<int:closure_id>/delete")
def closure_delete(closure_id: int) -> Response:
    closure = get_or_404(Closure, closure_id)
    if not services.closure_may_be_managed(current_user, closure):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.delete_closure(current_user, closure)
    return commit_and_redirect(_("The closure is deleted."), "admin.closures")

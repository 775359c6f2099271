"""Site pages: list, create, edit and delete sites."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from booking.admin import queries, services
from booking.admin.forms.common import ActionForm
from booking.admin.forms.sites import SiteForm
from booking.admin.services import AdminError
from booking.admin.views.common import (
    admin_only,
    bp,
    commit_and_redirect,
    form_data,
    form_labels,
    get_or_404,
    page_number,
    search_form,
    show_error,
)
from booking.resources.mediation import split_values
from booking.resources.models import Site
from booking.stats import opendata


@bp.get("/sites")
def sites() -> str:
    search, query = search_form()
    page = queries.search_sites(current_user, query, page_number())
    return render_template("admin/sites.html", page=page, search=search)


def _site_form_page(site: Site | None) -> str | Response:
    form = SiteForm(obj=site)
    if site is not None and not form.is_submitted():
        for name in services.SITE_VOCABULARIES:  # stored `|`-joined, edited as lists
            getattr(form, name).data = split_values(getattr(site, name))
    if form.validate_on_submit():
        values = form_data(form, *services.SITE_FIELDS, "slug")
        for name in (
            "description",
            "transport",
            "accessibility_notes",
            "contact_email",
            "contact_phone",
            "website",
            "pivot",
            "postcode",
            "insee_code",
        ):
            values[name] = (values[name] or "").strip() or None
        for name in ("address", "neighbourhood", "city"):
            values[name] = (values[name] or "").strip()
        try:
            saved = services.save_site(current_user, site, values)
        except AdminError as error:
            show_error(form, error)
        else:
            message = _("The place is saved.") if site else _("The place is created.")
            return commit_and_redirect(message, "admin.site_edit", site_id=saved.id)
    return render_template(
        "admin/site_form.html",
        form=form,
        site=site,
        delete_form=ActionForm(formdata=None),
        events=queries.history("site", site.id) if site else [],
        field_labels=form_labels(form),
        mediation_missing=opendata.missing_fields_text(site) if site else "",
    )


@bp.route("/sites/new", methods=["GET", "POST"])
def site_new() -> str | Response:
    admin_only()
    return _site_form_page(None)


@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
def site_edit(site_id: int) -> str | Response:
    site = get_or_404(Site, site_id)
    if not site.is_managed_by(current_user):
        abort(403)
    return _site_form_page(site)


@bp.post("/sites/<int:site_id>/delete")
def site_delete(site_id: int) -> Response:
    admin_only()
    site = get_or_404(Site, site_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_site(current_user, site)
    except AdminError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.site_edit", site_id=site.id))
    return commit_and_redirect(_("The place is deleted."), "admin.sites")

"""Resource pages: list, create, edit (with equipment lines) and delete resources."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from booking.admin import queries, services
from booking.admin.forms.common import KIND_LABELS, ActionForm, options
from booking.admin.forms.resources import ResourceForm
from booking.admin.services import AdminError
from booking.admin.views.common import (
    MAX_ID,
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
from booking.auth.models import Association, User
from booking.extensions import db
from booking.resources.models import Equipment, Resource, Site, Training


@bp.get("/resources")
def resources() -> str:
    search, query = search_form()
    site_id = request.args.get("site", type=int)
    if site_id is not None and not 0 < site_id <= MAX_ID:
        site_id = None
    kind = request.args.get("kind", "")
    page = queries.search_resources(
        current_user, query, site_id=site_id, kind=kind, page=page_number()
    )
    return render_template(
        "admin/resources.html",
        page=page,
        search=search,
        sites=queries.sites_with_manageable_resources(current_user),
        site_id=site_id,
        kind=kind,
        kinds=KIND_LABELS,
    )


def _resource_form(resource: Resource | None) -> ResourceForm:
    form = ResourceForm(obj=resource)
    if resource is not None and not form.is_submitted():
        form.kind.data = resource.kind.value
        form.checkin_by.data = str(resource.checkin_by)
        form.required_training_id.data = resource.required_training_id or 0
        form.trusted_ids.data = [a.id for a in resource.trusted_associations]
        form.manager_ids.data = [u.id for u in resource.managers]
    sites = db.session.scalars(select(Site).order_by(Site.name))
    form.site_id.choices = options((s.id, s.name) for s in sites)
    trainings = db.session.scalars(select(Training).order_by(Training.name))
    form.required_training_id.choices = options(
        [(0, _("None")), *((t.id, t.name) for t in trainings)]
    )
    associations = db.session.scalars(
        select(Association).where(Association.is_active.is_(True)).order_by(Association.name)
    )
    form.trusted_ids.choices = options((a.id, a.name) for a in associations)
    users = db.session.scalars(
        select(User).where(User.is_active_account.is_(True)).order_by(User.display_name)
    )
    form.manager_ids.choices = options((u.id, f"{u.display_name} <{u.email}>") for u in users)
    if not current_user.is_admin:
        # Managers change the rules of their resources, not where they are or who manages them.
        del form.site_id
        del form.manager_ids
    _equipment_lines(form)
    return form


EMPTY_LINES = 2  # blank equipment lines offered: several items in one go without JavaScript


def _equipment_lines(form: ResourceForm) -> None:
    """The equipment lines' choices, and blank lines to fill (one more on "add a line")."""
    if not form.is_submitted():
        for _n in range(EMPTY_LINES):
            form.equipment.append_entry()
    elif form.add_line.data:
        form.equipment.append_entry()
    catalogue = db.session.scalars(select(Equipment).order_by(Equipment.name))
    choices = options([(0, _("— none —")), *((e.id, e.name) for e in catalogue)])
    for n, line in enumerate(form.equipment, start=1):
        line.equipment_id.choices = choices
        # Each line's fields named with its number, for screen readers.
        line.equipment_id.label.text = _("Equipment, line %(num)d", num=n)
        line.quantity.label.text = _("Quantity, line %(num)d", num=n)
        line.remove.label.text = _("Remove line %(num)d", num=n)


def _resource_form_page(resource: Resource | None) -> str | Response:
    form = _resource_form(resource)
    if form.add_line.data:  # "add another line": the form again, one blank line more
        form.validate()
    elif form.validate_on_submit():
        names = [
            n for n in (*services.RESOURCE_FIELDS, "slug") if getattr(form, n, None) is not None
        ]
        values = form_data(form, *names)
        values["description"] = (values["description"] or "").strip() or None
        try:
            saved = services.save_resource(
                current_user,
                resource,
                values,
                trusted_ids=form.trusted_ids.data or [],
                manager_ids=(form.manager_ids.data or []) if form.manager_ids is not None else None,
            )
            services.set_equipment_lines(current_user, saved, form.equipment_lines())
        except AdminError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            message = _("The resource is saved.") if resource else _("The resource is created.")
            return commit_and_redirect(message, "admin.resource_edit", resource_id=saved.id)
    return render_template(
        "admin/resource_form.html",
        events=queries.history("resource", resource.id) if resource else [],
        field_labels={
            **form_labels(form),
            "trusted_associations": form.trusted_ids.label.text,
            "managers": _("Managers"),
        },
        form=form,
        resource=resource,
        delete_form=ActionForm(formdata=None),
        has_bookings=resource is not None and queries.resource_has_bookings(resource),
    )


@bp.route("/resources/new", methods=["GET", "POST"])
def resource_new() -> str | Response:
    admin_only()
    return _resource_form_page(None)


@bp.route("/resources/<int:resource_id>", methods=["GET", "POST"])
def resource_edit(resource_id: int) -> str | Response:
    resource = get_or_404(Resource, resource_id)
    if not resource.can_manage(current_user):
        abort(403)
    return _resource_form_page(resource)


@bp.post("/resources/<int:resource_id>/delete")
def resource_delete(resource_id: int) -> Response:
    admin_only()
    resource = get_or_404(Resource, resource_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.delete_resource(current_user, resource):
        return commit_and_redirect(_("The resource is deleted."), "admin.resources")
    return commit_and_redirect(
        _("This resource has bookings, so it is kept for their history and is no longer bookable."),
        "admin.resource_edit",
        resource_id=resource.id,
    )

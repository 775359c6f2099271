"""Equipment pages: the catalogue, and the equipment lent with a resource."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from booking.admin import queries, services
from booking.admin.forms.common import ActionForm, options
from booking.admin.forms.equipment import EquipmentForm, ResourceEquipmentForm
from booking.admin.services import AdminError
from booking.admin.views.common import (
    admin_only,
    bp,
    commit_and_redirect,
    form_data,
    get_or_404,
    page_number,
    search_form,
    show_error,
)
from booking.extensions import db
from booking.resources.models import Equipment, Resource, ResourceEquipment


@bp.route("/resources/<int:resource_id>/equipment", methods=["GET", "POST"])
def resource_equipment(resource_id: int) -> str | Response:
    resource = get_or_404(Resource, resource_id)
    if not resource.can_manage(current_user):
        abort(403)
    form = ResourceEquipmentForm()
    catalogue = list(db.session.scalars(select(Equipment).order_by(Equipment.name)))
    form.equipment_id.choices = options((e.id, e.name) for e in catalogue)
    if form.validate_on_submit():
        item = db.session.get(Equipment, form.equipment_id.data)
        try:
            services.set_resource_equipment(current_user, resource, item, form.quantity.data)
        except AdminError as error:
            show_error(form, error)
        else:
            return commit_and_redirect(
                _("The equipment list is saved."),
                "admin.resource_equipment",
                resource_id=resource.id,
            )
    lines = sorted(resource.equipment, key=lambda line: line.equipment.name)
    return render_template(
        "admin/resource_equipment.html",
        form=form,
        resource=resource,
        lines=lines,
        delete_form=ActionForm(formdata=None),
    )


@bp.post("/resources/<int:resource_id>/equipment/<int:line_id>/delete")
def resource_equipment_delete(resource_id: int, line_id: int) -> Response:
    line = get_or_404(ResourceEquipment, line_id)
    if line.resource_id != resource_id:
        abort(404)
    if not line.resource.can_manage(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.remove_resource_equipment(current_user, line)
    return commit_and_redirect(
        _("The item is removed."), "admin.resource_equipment", resource_id=resource_id
    )


@bp.get("/equipment")
def equipment() -> str:
    admin_only()
    search, query = search_form()
    return render_template(
        "admin/equipment.html", page=queries.search_equipment(query, page_number()), search=search
    )


def _equipment_form_page(item: Equipment | None) -> str | Response:
    admin_only()
    form = EquipmentForm(obj=item)
    if form.validate_on_submit():
        try:
            services.save_equipment(
                current_user, item, form_data(form, "name", "name_en", "slug", "category")
            )
        except AdminError as error:
            show_error(form, error)
        else:
            return commit_and_redirect(_("The catalogue is saved."), "admin.equipment")
    return render_template(
        "admin/equipment_form.html", form=form, item=item, delete_form=ActionForm(formdata=None)
    )


@bp.route("/equipment/new", methods=["GET", "POST"])
def equipment_new() -> str | Response:
    return _equipment_form_page(None)


@bp.route("/equipment/<int:equipment_id>", methods=["GET", "POST"])
def equipment_edit(equipment_id: int) -> str | Response:
    return _equipment_form_page(get_or_404(Equipment, equipment_id))


@bp.post("/equipment/<int:equipment_id>/delete")
def equipment_delete(equipment_id: int) -> Response:
    admin_only()
    item = get_or_404(Equipment, equipment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.delete_equipment(current_user, item)
    except AdminError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.equipment_edit", equipment_id=item.id))
    return commit_and_redirect(_("The item is removed from the catalogue."), "admin.equipment")

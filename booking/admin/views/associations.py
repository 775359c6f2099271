"""Association pages: list, contact, validate, deactivate and reactivate associations."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from booking.admin import queries, services
from booking.admin.forms.associations import AssociationForm, DeactivateForm
from booking.admin.forms.common import ActionForm
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
from booking.auth.emails import send_association_validated
from booking.auth.models import Association


@bp.get("/associations")
def associations() -> str:
    admin_only()
    search, query = search_form()
    state = request.args.get("state", "")
    if state not in queries.ASSOCIATION_STATES:
        state = ""
    page = queries.search_associations(query, state, page_number())
    return render_template(
        "admin/associations.html",
        page=page,
        search=search,
        state=state,
        state_of=queries.association_state,
    )


def _association_page(association: Association, form: AssociationForm | None = None) -> str:
    return render_template(
        "admin/association.html",
        events=queries.history("association", association.id),
        field_labels=form_labels(form or AssociationForm(formdata=None)),
        association=association,
        state=queries.association_state(association),
        form=form or AssociationForm(obj=association, formdata=None),
        action_form=ActionForm(formdata=None),
        deactivate_form=DeactivateForm(formdata=None),
        members=queries.association_members(association),
    )


@bp.route("/associations/<int:association_id>", methods=["GET", "POST"])
def association(association_id: int) -> str | Response:
    admin_only()
    found = get_or_404(Association, association_id)
    form = AssociationForm(obj=found)
    if form.validate_on_submit():
        try:
            services.update_association_contact(
                current_user,
                found,
                form_data(form, "name", "contact_email", "registration_number", "description"),
            )
        except AdminError as error:
            show_error(form, error)
        else:
            return commit_and_redirect(
                _("The association is saved."), "admin.association", association_id=found.id
            )
    return _association_page(found, form)


def _association_action(association_id: int, action) -> Response:
    admin_only()
    found = get_or_404(Association, association_id)
    form = DeactivateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        message = action(found, form)
    except AdminError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.association", association_id=found.id))
    return commit_and_redirect(message, "admin.association", association_id=found.id)


@bp.post("/associations/<int:association_id>/validate")
def association_validate(association_id: int) -> Response:
    def act(found: Association, _form: DeactivateForm) -> str:
        services.validate_association(current_user, found)
        link = current_app.config["BASE_URL"].rstrip("/") + url_for("reservations.new")
        for membership in found.memberships:
            send_association_validated(membership.user, found, link)
        return _("The association is validated: its members can book.")

    return _association_action(association_id, act)


@bp.post("/associations/<int:association_id>/deactivate")
def association_deactivate(association_id: int) -> Response:
    def act(found: Association, form: DeactivateForm) -> str:
        services.deactivate_association(current_user, found, form.reason.data or "")
        return _("The association is deactivated: its members can no longer book.")

    return _association_action(association_id, act)


@bp.post("/associations/<int:association_id>/reactivate")
def association_reactivate(association_id: int) -> Response:
    def act(found: Association, _form: DeactivateForm) -> str:
        services.reactivate_association(current_user, found)
        return _("The association is active again.")

    return _association_action(association_id, act)

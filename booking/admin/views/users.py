"""User pages: list users, set their roles and managed resources, sign them out."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from booking.admin import queries, services
from booking.admin.forms.common import ActionForm, options
from booking.admin.forms.users import UserRolesForm
from booking.admin.services import AdminError
from booking.admin.views.common import (
    admin_only,
    bp,
    commit_and_redirect,
    get_or_404,
    page_number,
    search_form,
    show_error,
)
from booking.auth.models import User
from booking.extensions import db
from booking.resources.models import Resource, Site

USER_ROLES = ("admin", "manager", "inactive")


@bp.get("/users")
def users() -> str:
    admin_only()
    search, query = search_form()
    role = request.args.get("role", "")
    if role not in USER_ROLES:
        role = ""
    return render_template(
        "admin/users.html",
        page=queries.search_users(query, role, page_number()),
        search=search,
        role=role,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> str | Response:
    admin_only()
    found = get_or_404(User, user_id)
    form = UserRolesForm()
    resources = db.session.scalars(select(Resource).order_by(Resource.name))
    form.resource_ids.choices = options((r.id, r.name) for r in resources)
    sites = db.session.scalars(select(Site).order_by(Site.name))
    form.site_ids.choices = options((s.id, s.name) for s in sites)
    if not form.is_submitted():
        form.is_admin.data = found.is_admin
        form.is_active.data = found.is_active_account
        form.resource_ids.data = [r.id for r in found.managed_resources]
        form.site_ids.data = [s.id for s in found.managed_sites]
    if form.validate_on_submit():
        roles = services.UserRoles(
            is_admin=form.is_admin.data,
            is_active=form.is_active.data,
            resource_ids=form.resource_ids.data or [],
            site_ids=form.site_ids.data or [],
        )
        try:
            changed = services.update_user_roles(current_user, found, roles)
        except AdminError as error:
            show_error(form, error)
        else:
            message = _("The roles are saved.") if changed else _("Nothing has changed.")
            return commit_and_redirect(message, "admin.user", user_id=found.id)
    memberships = sorted(found.memberships, key=lambda m: m.association.name)
    return render_template(
        "admin/user.html",
        form=form,
        user=found,
        memberships=memberships,
        events=queries.history("user", found.id),
    )


@bp.post("/users/<int:user_id>/sign-out")
def user_sign_out(user_id: int) -> Response:
    """Sign a user out on every device ("sign out everywhere")."""
    admin_only()
    found = get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    count = services.sign_out_everywhere(current_user, found)
    return commit_and_redirect(
        ngettext("%(num)d device is signed out.", "%(num)d devices are signed out.", count),
        "admin.user",
        user_id=found.id,
    )

"""A member's associations: declare one, see its members, invite, remove, change roles, leave."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from booking.auth import emails
from booking.auth.forms import AssociationForm, ConfirmForm, InviteForm
from booking.auth.models import Association, Invitation, Membership, MembershipRole
from booking.auth.services import (
    AccountError,
    NewAssociation,
    cancel_invitation,
    declare_association,
    invitation_expires_at,
    invite,
    is_awaiting_validation,
    leave_association,
    members_of,
    memberships_of,
    pending_invitations,
    remove_member,
    set_member_role,
)
from booking.auth.views.common import bp, external_url, show_error
from booking.extensions import db, limiter


@bp.get("/associations")
@login_required
def associations() -> str:
    return render_template(
        "auth/associations.html",
        memberships=memberships_of(current_user),
        is_awaiting_validation=is_awaiting_validation,
        leave_form=ConfirmForm(),
    )


@bp.route("/associations/new", methods=["GET", "POST"])
@login_required
def declare() -> str | Response:
    form = AssociationForm()
    if form.validate_on_submit():
        try:
            association = declare_association(
                current_user,
                NewAssociation(
                    name=form.association_name.data,
                    contact_email=form.contact_email.data,
                    registration_number=form.registration_number.data,
                ),
            )
        except AccountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is awaiting validation by an administrator. You can book once it is validated.",
                    name=association.name,
                ),
                "success",
            )
            return redirect(url_for("auth.associations"))
    return render_template("auth/declare.html", form=form)


def _association_or_404(slug: str) -> Association:
    association = db.session.scalar(select(Association).where(Association.slug == slug))
    if association is None:
        abort(404)
    return association


def _membership_or_404(association: Association, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.association_id != association.id:
        abort(404)
    return membership


@bp.get("/associations/<slug>")
@login_required
def association(slug: str) -> str:
    association = _association_or_404(slug)
    if not (current_user.is_member_of(association) or current_user.is_admin):
        abort(403)
    is_admin = current_user.is_association_admin(association)
    return render_template(
        "auth/association.html",
        association=association,
        awaiting_validation=is_awaiting_validation(association),
        is_admin=is_admin,
        members=members_of(association) if is_admin else [],
        invitations=pending_invitations(association) if is_admin else [],
        invitation_expires_at=invitation_expires_at,
        invite_form=InviteForm(),
        confirm_form=ConfirmForm(),
        MembershipRole=MembershipRole,
    )


def _association_page(association: Association, **kwargs: object) -> str:
    """The association page again, with a form's errors (no redirect, the input is kept)."""
    return render_template(
        "auth/association.html",
        association=association,
        awaiting_validation=is_awaiting_validation(association),
        is_admin=True,
        members=members_of(association),
        invitations=pending_invitations(association),
        invitation_expires_at=invitation_expires_at,
        confirm_form=ConfirmForm(),
        MembershipRole=MembershipRole,
        **kwargs,
    )


@bp.post("/associations/<slug>/invitations")
@login_required
@limiter.limit("30 per hour")
def invite_member(slug: str) -> str | Response | tuple[str, int]:
    association = _association_or_404(slug)
    if not current_user.is_association_admin(association):
        abort(403)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation, token = invite(current_user, association, form.email.data)
        except AccountError as error:
            show_error(form, error)
        else:
            emails.send_invitation(
                invitation.email,
                association,
                current_user,
                external_url("auth.invitation", token=token),
            )
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("auth.association", slug=association.slug))
    return _association_page(association, invite_form=form), 400


@bp.post(
    "/associations/<slug>/invitations/<int:invitation_id>/cancel", endpoint="cancel_invitation"
)
@login_required
def cancel_invitation_view(slug: str, invitation_id: int) -> Response:
    association = _association_or_404(slug)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.association_id != association.id:
        abort(404)
    if not current_user.is_association_admin(association):
        abort(403)
    if ConfirmForm().validate_on_submit():
        cancel_invitation(current_user, invitation)
        db.session.commit()
        flash(_("The invitation is cancelled."), "success")
    return redirect(url_for("auth.association", slug=association.slug))


@bp.post("/associations/<slug>/members/<int:membership_id>/remove", endpoint="remove_member")
@login_required
def remove_member_view(slug: str, membership_id: int) -> Response:
    association = _association_or_404(slug)
    membership = _membership_or_404(association, membership_id)
    if not current_user.is_association_admin(association):
        abort(403)
    if ConfirmForm().validate_on_submit():
        name = membership.user.display_name
        try:
            remove_member(current_user, membership)
        except AccountError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("%(name)s is no longer a member.", name=name), "success")
    return redirect(url_for("auth.association", slug=association.slug))


@bp.post("/associations/<slug>/members/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int) -> Response:
    association = _association_or_404(slug)
    membership = _membership_or_404(association, membership_id)
    if not current_user.is_association_admin(association):
        abort(403)
    try:
        role = MembershipRole(request.form.get("role", ""))
    except ValueError:
        abort(400)
    if ConfirmForm().validate_on_submit():
        try:
            set_member_role(current_user, membership, role)
        except AccountError as error:
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("The role is changed."), "success")
    return redirect(url_for("auth.association", slug=association.slug))


@bp.post("/associations/<slug>/leave")
@login_required
def leave(slug: str) -> Response:
    association = _association_or_404(slug)
    if ConfirmForm().validate_on_submit():
        try:
            leave_association(current_user, association)
        except AccountError as error:
            flash(str(error.message), "error")
            return redirect(url_for("auth.associations"))
        db.session.commit()
        flash(_("You have left %(name)s.", name=association.name), "success")
    return redirect(url_for("auth.associations"))

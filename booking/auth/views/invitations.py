"""Answering an invitation to join an association, signing up on the way if needed."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from booking.auth.forms import ConfirmForm, InvitedSignupForm
from booking.auth.services import AccountError, accept_invitation, create_user, find_invitation
from booking.auth.session import sign_in
from booking.auth.views.common import bp, new_account, send_confirmation, show_error
from booking.extensions import db, limiter


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def invitation(token: str) -> str | Response | tuple[str, int]:
    try:
        invitation = find_invitation(token)
    except AccountError as error:
        return render_template("auth/invitation_invalid.html", message=str(error.message)), 410
    association = invitation.association
    if current_user.is_authenticated:
        form = ConfirmForm()
        if form.validate_on_submit():
            accept_invitation(current_user, token)
            db.session.commit()
            flash(_("You are now a member of %(name)s.", name=association.name), "success")
            return redirect(url_for("auth.associations"))
        return render_template(
            "auth/invitation.html", invitation=invitation, association=association, form=form
        )

    form = InvitedSignupForm()
    if request.method == "GET":
        form.email.data = invitation.email
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        try:
            user = create_user(new_account(form))
            accept_invitation(user, token)
        except AccountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            if user.email == invitation.email:
                # The link reached this address: it is confirmed.
                user.email_confirmed_at = invitation.accepted_at
            else:
                send_confirmation(user)
            sign_in(user)
            db.session.commit()
            session["lang"] = user.locale
            with force_locale(user.locale):
                flash(
                    _(
                        "Your account is created and you are now a member of %(name)s.",
                        name=association.name,
                    ),
                    "success",
                )
            return redirect(url_for("auth.associations"))
    return render_template(
        "auth/invitation.html", invitation=invitation, association=association, form=form
    )

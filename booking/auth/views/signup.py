"""Signing up and confirming the email address."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from booking.auth import emails
from booking.auth.forms import ConfirmForm, SignupForm
from booking.auth.models import user_by_email
from booking.auth.services import (
    AccountError,
    NewAssociation,
    check_association,
    confirm_email,
    declare_association,
    sign_up,
)
from booking.auth.views.common import bp, external_url, new_account, send_confirmation, show_error
from booking.extensions import db, limiter

EMAIL_CONFIRMATION_MAX_AGE = 7 * 24 * 3600


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def signup() -> str | Response:
    """Create an account. A known address gets the same answer (and an email saying so)."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.profile"))
    form = SignupForm()
    if request.method == "GET":
        form.locale.data = str(get_locale())
    if form.validate_on_submit():
        declared = (
            NewAssociation(
                name=form.association_name.data,
                contact_email=form.contact_email.data,
                registration_number=form.registration_number.data,
            )
            if form.declares_association()
            else None
        )
        try:
            if declared is not None:
                check_association(declared)
            user = sign_up(new_account(form))
            if user is not None and declared is not None:
                declare_association(user, declared)
        except AccountError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            if user is not None:
                send_confirmation(user)
            else:
                known = user_by_email(form.email.data)
                emails.send_account_exists(
                    known, external_url("auth.login"), external_url("auth.forgot_password")
                )
            db.session.commit()
            flash(
                _(
                    "Thank you. We sent an email to %(email)s: follow its link to confirm your address, then log in.",
                    email=form.email.data.strip().lower(),
                ),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/signup.html", form=form)


@bp.get("/confirm/<token>", endpoint="confirm_email")
def confirm_email_link(token: str) -> Response:
    user = confirm_email(
        token, secret_key=current_app.config["SECRET_KEY"], max_age=EMAIL_CONFIRMATION_MAX_AGE
    )
    if user is None:
        flash(_("This confirmation link is not valid or has expired."), "error")
    else:
        db.session.commit()
        flash(_("Your email address is confirmed. Thank you."), "success")
    return redirect(url_for("auth.profile" if current_user.is_authenticated else "auth.login"))


@bp.post("/confirm")
@login_required
@limiter.limit("5 per hour")
def resend_confirmation() -> Response:
    if ConfirmForm().validate_on_submit() and current_user.email_confirmed_at is None:
        send_confirmation(current_user)
        db.session.commit()
        flash(_("We sent you a new confirmation link."), "success")
    return redirect(url_for("auth.profile"))

"""Passwords: forgotten, reset from an emailed link, changed from the account."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from booking.auth import emails, throttle
from booking.auth.forms import ChangePasswordForm, ForgotPasswordForm, ResetPasswordForm
from booking.auth.models import user_by_email
from booking.auth.services import (
    AccountError,
    change_password,
    password_reset_token,
    reset_password,
    user_for_reset_token,
)
from booking.auth.session import current_session_id
from booking.auth.views.common import bp, external_url, show_error
from booking.extensions import db, limiter


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password() -> str | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data
        # The same work, answer and email count whether or not the address is known;
        # a mailbox gets a few of these an hour at most, whoever asks.
        if throttle.may_send_reset_email(email):
            user = user_by_email(email)
            if user is not None and user.is_active:
                token = password_reset_token(user, secret_key=current_app.config["SECRET_KEY"])
                emails.send_password_reset(user, external_url("auth.reset_password", token=token))
            else:
                emails.send_no_account(email, str(get_locale()), external_url("auth.signup"))
            db.session.commit()
        flash(
            _(
                "If an account uses this address, we sent it a link to choose a new password. Check your emails (and the spam folder)."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"], endpoint="reset_password")
@limiter.limit("10 per hour", methods=["POST"])
def reset_password_view(token: str) -> str | Response:
    user = user_for_reset_token(
        token,
        secret_key=current_app.config["SECRET_KEY"],
        max_age=int(current_app.config["PASSWORD_RESET_MAX_AGE"]),
    )
    if user is None:
        flash(
            _("This link has expired or was already used. Ask for a new one below."),
            "error",
        )
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(user, form.password.data)
        except AccountError as error:
            show_error(form, error)
        else:
            db.session.commit()
            throttle.clear_failed_logins(user.email)  # the owner is never locked out for long
            flash(_("Your password is changed. You can log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                keep_session_id=current_session_id(),  # this device goes on, the others end
            )
        except AccountError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form)

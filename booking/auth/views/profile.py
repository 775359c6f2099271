"""The profile page and the devices signed in to the account."""

from __future__ import annotations

from flask import flash, redirect, render_template, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from booking.auth.forms import ConfirmForm, ProfileForm
from booking.auth.services import AccountError, ProfileChanges, update_profile
from booking.auth.session import current_session_id, lifetimes, sign_out
from booking.auth.user_sessions import devices_of, end_device, is_current
from booking.auth.views.common import bp, show_error
from booking.extensions import db


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            update_profile(
                current_user,
                ProfileChanges(
                    display_name=form.display_name.data,
                    locale=form.locale.data,
                    notify_reminders=form.notify_reminders.data,
                    notify_comments=form.notify_comments.data,
                ),
            )
        except AccountError as error:
            show_error(form, error)
        else:
            db.session.commit()
            session["lang"] = current_user.locale
            with force_locale(current_user.locale):
                flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html",
        form=form,
        confirm_form=ConfirmForm(),
        devices=devices_of(current_user, lifetimes=lifetimes()),
        is_current=lambda device: is_current(device, current_session_id()),
    )


@bp.post("/devices/<int:device_id>/sign-out")
@login_required
def sign_out_device(device_id: int) -> Response:
    """End one of my signed-in devices (this one too: then I am logged out)."""
    if ConfirmForm().validate_on_submit():
        this_one = next(
            (d for d in devices_of(current_user, lifetimes=lifetimes()) if d.id == device_id),
            None,
        )
        if this_one is not None and is_current(this_one, current_session_id()):
            sign_out()
            db.session.commit()
            flash(_("You are logged out."), "info")
            return redirect(url_for("core.home"))
        if end_device(current_user, device_id):
            db.session.commit()
            flash(_("This device is signed out."), "success")
    return redirect(url_for("auth.profile"))

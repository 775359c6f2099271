"""Logging in and out."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from booking.auth import throttle
from booking.auth.forms import LoginForm
from booking.auth.services import authenticate
from booking.auth.session import sign_in, sign_out
from booking.auth.views.common import bp
from booking.core.views import safe_next
from booking.extensions import db, limiter


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    form = LoginForm()
    if form.validate_on_submit():
        address = request.remote_addr
        wait = throttle.seconds_before_next_login(form.email.data, address)
        if wait:
            minutes = max(1, -(-wait // 60))
            form.password.errors.append(
                ngettext(
                    "Too many failed attempts for this account or from your connection. Try again in %(num)d minute, or choose a new password with the “Forgot your password?” link: it works at once.",
                    "Too many failed attempts for this account or from your connection. Try again in %(num)d minutes, or choose a new password with the “Forgot your password?” link: it works at once.",
                    minutes,
                )
            )
            return render_template("auth/login.html", form=form), 429
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            throttle.record_failed_login(form.email.data, address)
            form.password.errors.append(
                _("This email address and password do not match an active account.")
            )
        else:
            sign_in(user, remember=form.remember.data)
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    sign_out()
    db.session.commit()
    flash(_("You are logged out."), "info")
    return redirect(url_for("core.home"))

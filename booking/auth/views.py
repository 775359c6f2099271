"""Accounts: log in and out, sign up, passwords, profile, associations and invitations."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from booking.auth import emails, throttle
from booking.auth.forms import (
    AssociationForm,
    ChangePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    InvitedSignupForm,
    InviteForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SignupForm,
)
from booking.auth.models import (
    Association,
    Invitation,
    Membership,
    MembershipRole,
    User,
    user_by_email,
)
from booking.auth.services import (
    PASSWORD_MIN_LENGTH,
    AccountError,
    NewAccount,
    NewAssociation,
    ProfileChanges,
    accept_invitation,
    authenticate,
    cancel_invitation,
    change_password,
    check_association,
    confirm_email,
    create_user,
    declare_association,
    email_confirmation_token,
    find_invitation,
    invitation_expires_at,
    invite,
    is_awaiting_validation,
    leave_association,
    members_of,
    memberships_of,
    password_reset_token,
    pending_invitations,
    remove_member,
    reset_password,
    set_member_role,
    sign_up,
    update_profile,
    user_for_reset_token,
)
from booking.auth.session import current_session_id, lifetimes, sign_in, sign_out
from booking.auth.user_sessions import devices_of, end_device, is_current
from booking.core.views import safe_next
from booking.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/account")

EMAIL_CONFIRMATION_MAX_AGE = 7 * 24 * 3600


@bp.context_processor
def _account_context() -> dict:
    return {"password_min_length": PASSWORD_MIN_LENGTH}


def _external(endpoint: str, **values: object) -> str:
    """An absolute link for an email, on the configured public address."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _show_error(form, error: AccountError) -> None:
    """A domain refusal next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")


def _send_confirmation(user: User) -> None:
    token = email_confirmation_token(user, secret_key=current_app.config["SECRET_KEY"])
    emails.send_email_confirmation(user, _external("auth.confirm_email", token=token))


# --- Log in and out ---------------------------------------------------------


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


# --- Sign up ----------------------------------------------------------------


def _new_account(form) -> NewAccount:
    return NewAccount(
        display_name=form.display_name.data,
        email=form.email.data,
        password=form.password.data,
        locale=form.locale.data,
    )


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
            user = sign_up(_new_account(form))
            if user is not None and declared is not None:
                declare_association(user, declared)
        except AccountError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            if user is not None:
                _send_confirmation(user)
            else:
                known = user_by_email(form.email.data)
                emails.send_account_exists(
                    known, _external("auth.login"), _external("auth.forgot_password")
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
        _send_confirmation(current_user)
        db.session.commit()
        flash(_("We sent you a new confirmation link."), "success")
    return redirect(url_for("auth.profile"))


# --- Forgotten password -----------------------------------------------------


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
                emails.send_password_reset(user, _external("auth.reset_password", token=token))
            else:
                emails.send_no_account(email, str(get_locale()), _external("auth.signup"))
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
            _show_error(form, error)
        else:
            db.session.commit()
            throttle.clear_failed_logins(user.email)  # the owner is never locked out for long
            flash(_("Your password is changed. You can log in with it now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


# --- My account -------------------------------------------------------------


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
            _show_error(form, error)
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
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form)


# --- My associations --------------------------------------------------------


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
            _show_error(form, error)
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
            _show_error(form, error)
        else:
            emails.send_invitation(
                invitation.email,
                association,
                current_user,
                _external("auth.invitation", token=token),
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


# --- Invitations ------------------------------------------------------------


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
            user = create_user(_new_account(form))
            accept_invitation(user, token)
        except AccountError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            if user.email == invitation.email:
                # The link reached this address: it is confirmed.
                user.email_confirmed_at = invitation.accepted_at
            else:
                _send_confirmation(user)
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

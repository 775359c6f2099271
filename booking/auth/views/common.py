"""The account blueprint and what its pages share: absolute links for emails,
domain errors on forms, the confirmation email, a new account from a sign-up form."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, url_for

from booking.auth import emails
from booking.auth.models import User
from booking.auth.services import (
    PASSWORD_MIN_LENGTH,
    AccountError,
    NewAccount,
    email_confirmation_token,
)

bp = Blueprint("auth", __name__, url_prefix="/account")


@bp.context_processor
def _account_context() -> dict:
    return {"password_min_length": PASSWORD_MIN_LENGTH}


def external_url(endpoint: str, **values: object) -> str:
    """An absolute link for an email, on the configured public address."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def show_error(form, error: AccountError) -> None:
    """A domain refusal next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")


def send_confirmation(user: User) -> None:
    token = email_confirmation_token(user, secret_key=current_app.config["SECRET_KEY"])
    emails.send_email_confirmation(user, external_url("auth.confirm_email", token=token))


def new_account(form) -> NewAccount:
    return NewAccount(
        display_name=form.display_name.data,
        email=form.email.data,
        password=form.password.data,
        locale=form.locale.data,
    )

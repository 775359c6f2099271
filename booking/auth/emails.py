"""Account emails: composed in the recipient's language and put in the outbox.

Links are passed in absolute form by the caller (a view knows its URLs); this
module needs no request, so the CLI could send the same messages.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from booking.auth.models import Association, User, user_by_email
from booking.auth.services import INVITATION_VALID_DAYS
from booking.outbox import OutboxMessage, enqueue


def compose(to: str, subject: str, template: str, **context: object) -> EmailMessage:
    """A plain-text + HTML message from `templates/emails/auth/<template>.{txt,html}`."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="salles-ouvertes")
    context["subject"] = subject
    message.set_content(render_template(f"emails/auth/{template}.txt", **context))
    message.add_alternative(
        render_template(f"emails/auth/{template}.html", **context), subtype="html"
    )
    return message


def send_password_reset(user: User, link: str) -> OutboxMessage:
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"])
    with force_locale(user.locale):
        message = compose(
            user.email,
            _("Reset your Salles Ouvertes password"),
            "password_reset",
            user=user,
            link=link,
            minutes=max(1, max_age // 60),
        )
    return enqueue(message, kind="password_reset")


def send_email_confirmation(user: User, link: str) -> OutboxMessage:
    with force_locale(user.locale):
        message = compose(
            user.email,
            _("Confirm your email address for Salles Ouvertes"),
            "confirm_email",
            user=user,
            link=link,
        )
    return enqueue(message, kind="email_confirmation")


def send_invitation(
    email: str, association: Association, inviter: User, link: str
) -> OutboxMessage:
    """In the invitee's language when they have an account, else the inviter's."""
    invitee = user_by_email(email)
    locale = invitee.locale if invitee is not None else inviter.locale
    with force_locale(locale):
        message = compose(
            email,
            _("Invitation to join %(name)s on Salles Ouvertes", name=association.name),
            "invitation",
            association=association,
            inviter=inviter,
            link=link,
            days=INVITATION_VALID_DAYS,
        )
    return enqueue(message, kind="invitation")


def send_account_exists(user: User, login_link: str, reset_link: str) -> OutboxMessage:
    """A sign-up with an address that has an account: told by email, not on the page."""
    with force_locale(user.locale):
        message = compose(
            user.email,
            _("You already have a Salles Ouvertes account"),
            "account_exists",
            user=user,
            login_link=login_link,
            reset_link=reset_link,
        )
    return enqueue(message, kind="account_exists")


def send_no_account(email: str, locale: str, signup_link: str) -> OutboxMessage:
    """A reset asked for an address without an active account: told by email, not on the page."""
    with force_locale(locale):
        message = compose(
            email,
            _("Reset your Salles Ouvertes password"),
            "no_account",
            signup_link=signup_link,
        )
    return enqueue(message, kind="password_reset")


def send_association_validated(user: User, association: Association, link: str) -> OutboxMessage:
    """Tell a member that their association is validated: they may book now."""
    with force_locale(user.locale):
        message = compose(
            user.email,
            _("%(name)s is validated: you can book", name=association.name),
            "association_validated",
            user=user,
            association=association,
            link=link,
        )
    return enqueue(message, kind="association_validated")

"""The account deletion form: the password confirms who asks, the box what they ask."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from booking.auth.services import PASSWORD_MAX_LENGTH


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[
            DataRequired(_l("Enter your password to confirm.")),
            Length(
                max=PASSWORD_MAX_LENGTH,
                message=_l("A password has at most %(max)d characters.", max=PASSWORD_MAX_LENGTH),
            ),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that my account is deleted for good"),
        validators=[DataRequired(_l("Tick the box to confirm the deletion."))],
    )

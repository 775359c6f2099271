"""The account deletion form: the password confirms who asks, the box what they ask."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from booking.auth.forms import current_password_field


class DeleteAccountForm(FlaskForm):
    password = current_password_field(_l("Your password"), _l("Enter your password to confirm."))
    confirm = BooleanField(
        _l("I understand that my account is deleted for good"),
        validators=[DataRequired(_l("Tick the box to confirm the deletion."))],
    )

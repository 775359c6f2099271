"""Training forms: a training, and granting it to a user."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from booking.admin.forms.common import int_field


class TrainingForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the training a name.")), Length(max=200)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    validity_months = int_field(
        _l("Valid for (months)"),
        minimum=1,
        maximum=600,
        help_message=_l("The validity is at least 1 month, or empty."),
        required=False,
    )
    contact = StringField(
        _l("Who to contact to obtain it"), validators=[Optional(), Length(max=300)]
    )
    next_session_on = DateField(_l("Next training session"), validators=[Optional()])


class GrantTrainingForm(FlaskForm):
    email = EmailField(
        _l("Email address of the person"),
        validators=[
            DataRequired(_l("Enter the person's email address.")),
            Email(_l("Enter a valid email address, like name@example.org.")),
        ],
    )
    obtained_on = DateField(_l("Obtained on"), validators=[InputRequired(_l("Enter a date."))])
    expires_on = DateField(_l("Expires on"), validators=[Optional()])

    def validate_expires_on(self, field: DateField) -> None:
        if field.data and self.obtained_on.data and field.data < self.obtained_on.data:
            raise ValidationError(_l("The expiry date cannot be before the date obtained."))

"""Association forms: the contact of an association, and the reason to deactivate it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp


class AssociationForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the association a name.")), Length(max=200)]
    )
    contact_email = EmailField(
        _l("Contact email"),
        validators=[
            DataRequired(_l("Give a contact email address.")),
            Email(_l("Enter a valid email address, like name@example.org.")),
            Length(max=254),
        ],
    )
    registration_number = StringField(
        _l("RNA or SIRET number"),
        validators=[
            Optional(),
            Regexp(
                r"^(W\d{9}|\d{14})$",
                message=_l(
                    "An RNA number is W followed by 9 digits; a SIRET number has 14 digits."
                ),
            ),
        ],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class DeactivateForm(FlaskForm):
    reason = StringField(
        _l("Reason (kept in the history)"), validators=[Optional(), Length(max=500)]
    )

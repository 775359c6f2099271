"""The form that makes a personal access token (on the account pages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from booking.auth.tokens import MAX_NAME_LENGTH, SCOPE_LABELS, SCOPES


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Give the token a name.")),
            Length(max=MAX_NAME_LENGTH, message=_l("The name is too long.")),
        ],
    )
    scopes = _Checkboxes(
        _l("What it may do"),
        choices=[SelectChoice(scope, SCOPE_LABELS[scope]) for scope in SCOPES],
        default=["read"],
        validators=[InputRequired(_l("Choose at least one scope."))],
    )
    expires_on = DateField(_l("Expires on (optional)"), validators=[Optional()])

"""The form that makes a personal access token (on the account pages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, SelectMultipleField, StringField, URLField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from booking.api.tokens import MAX_NAME_LENGTH, SCOPE_LABELS, SCOPES
from booking.api.webhooks import EVENT_LABELS, EVENTS


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


class WebhookForm(FlaskForm):
    association = SelectField(_l("For the bookings of"), choices=[])
    url = URLField(
        _l("Address (HTTPS)"),
        validators=[
            InputRequired(_l("Give the address that receives the events.")),
            Length(max=500, message=_l("The address is too long.")),
        ],
    )
    events = _Checkboxes(
        _l("Events"),
        choices=[SelectChoice(event, EVENT_LABELS[event]) for event in EVENTS],
        default=list(EVENTS),
        validators=[InputRequired(_l("Choose at least one event."))],
    )

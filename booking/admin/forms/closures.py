"""The closure form: a site or a resource closed for a period."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError


class ClosureForm(FlaskForm):
    target = SelectField(
        _l("Place or resource closed"),
        validators=[InputRequired(_l("Choose the place or the resource to close."))],
    )
    label = StringField(
        _l("Reason shown to visitors"),
        validators=[
            DataRequired(_l("Say why it is closed, for example “Public holiday”.")),
            Length(max=200),
        ],
    )
    start_at = DateTimeLocalField(
        _l("From"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Enter a date and time."))],
    )
    end_at = DateTimeLocalField(
        _l("Until"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Enter a date and time."))],
    )

    def validate_end_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.start_at.data and field.data <= self.start_at.data:
            raise ValidationError(_l("The end must be after the start."))

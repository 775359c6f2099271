"""Forms of the manager's desk."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

OTHER = "other"

# Reasons managers give most often; "other" lets them write their own.
COMMON_REASONS = (
    ("unavailable", _l("The room is not available at that time.")),
    ("unsuitable", _l("The room does not suit this activity or this number of people.")),
    ("details", _l("The request lacks details: please send a new one with more information.")),
    ("rules", _l("The request does not follow the rules of use of the place.")),
)


class DecisionForm(FlaskForm):
    """Approve: nothing to fill in but the CSRF token."""


class RefuseForm(FlaskForm):
    reason = SelectField(
        _l("Reason for refusing"),
        choices=[
            SelectChoice("", _l("Choose a reason…")),
            *(SelectChoice(code, label) for code, label in COMMON_REASONS),
            SelectChoice(OTHER, _l("Another reason (write it below)")),
        ],
        default="",
    )
    other_reason = TextAreaField(
        _l("Your reason"), validators=[Length(max=1000)], render_kw={"rows": 2}
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.reason.data:
            self.reason.errors.append(_l("Choose a reason or write one: the requester is told."))
            return False
        if self.reason.data == OTHER and not (self.other_reason.data or "").strip():
            self.other_reason.errors.append(_l("Write the reason for refusing."))
            return False
        return True

    def reason_text(self) -> str:
        if self.reason.data == OTHER:
            return self.other_reason.data.strip()
        return str(dict(COMMON_REASONS)[self.reason.data])


class BlockForm(FlaskForm):
    resource = SelectField(_l("Resource"), coerce=int, validate_choice=True)
    start_date = DateField(_l("From (date)"), validators=[DataRequired(_l("Give a date."))])
    start_time = TimeField(_l("From (time)"), validators=[DataRequired(_l("Give a time."))])
    end_date = DateField(_l("Until (date)"), validators=[DataRequired(_l("Give a date."))])
    end_time = TimeField(_l("Until (time)"), validators=[DataRequired(_l("Give a time."))])
    why = StringField(
        _l("Why"),
        validators=[DataRequired(_l("Say why the resource is closed.")), Length(max=200)],
    )


class CancelHitForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason given to the associations"),
        validators=[
            DataRequired(_l("Say why the bookings are cancelled: the associations will be told.")),
            Length(max=1000),
        ],
        render_kw={"rows": 3},
    )

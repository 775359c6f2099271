"""Opening hours forms: one range, and a whole week of ranges."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectChoice, SelectField, SubmitField, TimeField
from wtforms.validators import InputRequired, Optional, ValidationError

from booking.admin.forms.common import weekday_choices

MONDAY_TO_FRIDAY, EVERY_DAY = -1, -2  # opening-hours "days" that stand for several


class OpeningHoursForm(FlaskForm):
    weekday = SelectField(
        _l("Day"), coerce=int, validators=[InputRequired(_l("Choose a day of the week."))]
    )
    opens_at = TimeField(
        _l("Opens at"), validators=[InputRequired(_l("Enter a time, like 09:00."))]
    )
    closes_at = TimeField(
        _l("Closes at"), validators=[InputRequired(_l("Enter a time, like 18:00."))]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.weekday.choices = [
            *weekday_choices(),
            SelectChoice(MONDAY_TO_FRIDAY, _l("Monday to Friday")),
            SelectChoice(EVERY_DAY, _l("Every day")),
        ]

    def weekdays(self) -> list[int]:
        """The weekdays (0 = Monday) the range applies to."""
        if self.weekday.data == MONDAY_TO_FRIDAY:
            return list(range(5))
        if self.weekday.data == EVERY_DAY:
            return list(range(7))
        return [self.weekday.data]

    def validate_closes_at(self, field: TimeField) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))


class DayHoursForm(Form):
    """One day of the weekly hours: up to two ranges (09:00-12:00 and 14:00-18:00)."""

    opens_1 = TimeField(_l("Opens at"), validators=[Optional()])
    closes_1 = TimeField(_l("Closes at"), validators=[Optional()])
    opens_2 = TimeField(_l("Reopens at"), validators=[Optional()])
    closes_2 = TimeField(_l("Closes again at"), validators=[Optional()])

    def ranges(self) -> list[tuple[time, time]]:
        pairs = ((self.opens_1.data, self.closes_1.data), (self.opens_2.data, self.closes_2.data))
        return [(a, b) for a, b in pairs if a and b]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        ok = True
        for opens, closes in ((self.opens_1, self.closes_1), (self.opens_2, self.closes_2)):
            if bool(opens.data) != bool(closes.data):
                (closes if opens.data else opens).errors.append(
                    _l("Give both the opening and the closing time, or neither.")
                )
                ok = False
            elif opens.data and closes.data <= opens.data:
                closes.errors.append(_l("The closing time must be after the opening time."))
                ok = False
        if ok and len(ranges := self.ranges()) == 2:
            (_first_opens, first_closes), (then_opens, _then_closes) = sorted(ranges)
            if then_opens < first_closes:
                self.opens_2.errors.append(_l("The second range overlaps the first."))
                ok = False
        return ok


class WeeklyHoursForm(FlaskForm):
    """The seven days in one form; "Monday to Friday" copies Monday's ranges to the others."""

    days = FieldList(FormField(DayHoursForm), min_entries=7, max_entries=7)
    copy_weekdays = SubmitField(_l("Apply Monday's hours to Monday–Friday"))
    save_week = SubmitField(_l("Save the week"))

    def week(self) -> list[list[tuple[time, time]]]:
        return [day.form.ranges() for day in self.days]

    def copy_monday(self) -> None:
        """Monday's times into Tuesday to Friday (shown again, saved with "Save the week")."""
        monday = self.days[0].form
        for day in list(self.days)[1:5]:
            for name in ("opens_1", "closes_1", "opens_2", "closes_2"):
                field = getattr(day.form, name)
                field.data = getattr(monday, name).data
                field.raw_data = None
                field.errors = []

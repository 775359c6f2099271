"""The statistics filter: a GET form (no CSRF: it changes nothing)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, MonthField, SelectField
from wtforms.fields import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from booking.resources.models import ResourceKind
from booking.stats.period import Period, month_period, quarter_period, year_period

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_DAYS = 3 * 366  # a custom period of at most three years

KINDS = {
    "visio_room": _l("Videoconference room"),
    "room": _l("Meeting room"),
    "machine": _l("Machine"),
    "open_lab": _l("Open-lab session"),
}


class StatsForm(FlaskForm):
    class Meta:
        csrf = False

    period = SelectField(
        _l("Period"),
        choices=[
            SelectChoice("month", _l("Month")),
            SelectChoice("quarter", _l("Quarter")),
            SelectChoice("year", _l("Year")),
            SelectChoice("custom", _l("Dates of your choice")),
        ],
        default="month",
    )
    month = MonthField(
        _l("Month"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a valid month, for example 2026-09."),
    )
    year = IntegerField(
        _l("Year"),
        validators=[
            Optional(),
            NumberRange(FIRST_YEAR, LAST_YEAR, _l("Choose a year between 2000 and 2100.")),
        ],
    )
    quarter = SelectField(
        _l("Quarter"), choices=[SelectChoice(str(q), f"T{q}") for q in range(1, 5)], default="1"
    )
    start = DateField(
        _l("From"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a valid date, for example 2026-09-29."),
    )
    end = DateField(
        _l("To"),
        validators=[Optional()],
        invalid_value_message=_l("Enter a valid date, for example 2026-09-29."),
    )
    site = SelectField(_l("Place"), default="")
    neighbourhood = SelectField(_l("Neighbourhood"), default="")
    kind = SelectField(_l("Kind of resource"), default="")
    resource = SelectField(_l("Resource"), default="")
    association = SelectField(_l("Association"), default="")

    def __init__(self, formdata: MultiDict, choices: dict, today: date) -> None:
        super().__init__(formdata=formdata)
        self.today = today
        self.site.choices = [SelectChoice("", _l("All places"))] + [
            SelectChoice(str(i), name) for i, name in choices["sites"]
        ]
        self.neighbourhood.choices = [SelectChoice("", _l("All neighbourhoods"))] + [
            SelectChoice(n, n) for n in choices["neighbourhoods"]
        ]
        self.kind.choices = [SelectChoice("", _l("All kinds"))] + [
            SelectChoice(k, label) for k, label in KINDS.items()
        ]
        self.resource.choices = [SelectChoice("", _l("All resources"))] + [
            SelectChoice(str(i), name) for i, name in choices["resources"]
        ]
        self.association.choices = [SelectChoice("", _l("All associations"))] + [
            SelectChoice(str(i), name) for i, name in choices["associations"]
        ]

    def validate_end(self, field) -> None:
        if self.period.data != "custom":
            return
        if self.start.data is None or field.data is None:
            raise ValidationError(_l("Give both dates of the period."))
        if field.data < self.start.data:
            raise ValidationError(_l("The end date comes after the start date."))
        if (field.data - self.start.data).days >= MAX_DAYS:
            raise ValidationError(_l("Choose a period of at most three years."))
        if not (self.start.data.year >= FIRST_YEAR and field.data.year <= LAST_YEAR):
            raise ValidationError(_l("Choose a year between 2000 and 2100."))

    def validate_month(self, field) -> None:
        if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(_l("Choose a year between 2000 and 2100."))

    def chosen_period(self) -> Period:
        """The period asked for (call after `validate()`); this month by default."""
        kind = self.period.data
        if kind == "year":
            return year_period(self.year.data or self.today.year)
        if kind == "quarter":
            return quarter_period(self.year.data or self.today.year, int(self.quarter.data or 1))
        if kind == "custom" and self.start.data and self.end.data:
            return Period(self.start.data, self.end.data)
        return month_period(self.month.data or self.today)

    def filters(self) -> dict:
        def number(value: str | None) -> int | None:
            return int(value) if value and value.isdigit() else None

        return {
            "site_id": number(self.site.data),
            "neighbourhood": self.neighbourhood.data or None,
            "kind": ResourceKind(self.kind.data) if self.kind.data else None,
            "resource_id": number(self.resource.data),
            "association_id": number(self.association.data),
        }

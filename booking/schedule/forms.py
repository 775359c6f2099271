"""GET forms of the calendars and of the search: no CSRF (they change nothing)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField, MonthField, SelectField, SelectMultipleField, TimeField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from booking.schedule.queries import SearchChoices, SiteChoice

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _in_range(_form, field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(
            _l("Choose a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
        )


class GetForm(FlaskForm):
    class Meta:
        csrf = False


DAY_KIND_CHOICES = [
    SelectChoice("", _l("Any kind")),
    SelectChoice("visio", _l("Videoconference or meeting room")),
    SelectChoice("machine", _l("Machine")),
    SelectChoice("open_lab", _l("Open-lab session")),
]


class DayDateForm(GetForm):
    """The day grid's date alone: what the page kept whole is looked up by, before the
    filters' choices are read (`DayForm` adds them)."""

    date = DateField(
        _l("Date"),
        validators=[Optional(), _in_range],
        invalid_value_message=_l("Enter a valid date, for example 2026-09-29."),
    )

    def chosen(self, today: date) -> date:
        """The date asked for, or `today` when none or a bad one is given (after validate)."""
        return self.date.data if self.date.data and not self.date.errors else today


class DayForm(DayDateForm):
    """The day grid's date and filters: a GET form, so every view of it is a plain link."""

    site = SelectField(_l("Place"), validate_choice=False)
    neighbourhood = SelectField(_l("Neighbourhood"), default="")
    kind = SelectField(_l("Kind"), choices=DAY_KIND_CHOICES, default="")
    capacity = IntegerField(
        _l("At least (people)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=500, message=_l("Give a number of people from 1 to 500.")),
        ],
        invalid_value_message=_l("Give the number of people as a number, for example 8."),
    )
    equipment = SelectMultipleField(
        _l("Equipment needed"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(
        self, formdata: MultiDict, sites: list[SiteChoice], choices: SearchChoices
    ) -> None:
        super().__init__(formdata=formdata)
        self.site.choices = [
            SelectChoice("", _l("All places")),
            *(SelectChoice(s.slug, s.name) for s in sites),
        ]
        self.neighbourhood.choices = [
            SelectChoice("", _l("Anywhere in Brest")),
            *(SelectChoice(n, n) for n in choices.neighbourhoods),
        ]
        self.equipment.choices = [SelectChoice(slug, name) for _id, slug, name in choices.equipment]
        self._equipment_ids = {slug: id_ for id_, slug, _name in choices.equipment}

    @property
    def equipment_ids(self) -> tuple[int, ...]:
        """The ids of the equipment asked for that exists (others are left out)."""
        wanted = self.equipment.data or ()
        return tuple(sorted({self._equipment_ids[s] for s in wanted if s in self._equipment_ids}))

    def filter_args(self) -> list[tuple[str, str]]:
        """The filters as query arguments, to keep them in links (other days, pages)."""
        args: list[tuple[str, str]] = []
        for name in ("site", "neighbourhood", "kind"):
            value = getattr(self, name).data
            if value:
                args.append((name, value))
        if self.capacity.data and not self.capacity.errors:
            args.append(("capacity", str(self.capacity.data)))
        args.extend(("equipment", slug) for slug in self.equipment.data or ())
        return args


class WeekForm(GetForm):
    date = DateField(
        _l("Date"),
        validators=[Optional(), _in_range],
        invalid_value_message=_l("Enter a valid date, for example 2026-09-29."),
    )


class MonthForm(GetForm):
    month = MonthField(
        _l("Month"),
        validators=[Optional(), _in_range],
        invalid_value_message=_l("Enter a valid month, for example 2026-09."),
    )


KIND_CHOICES = [
    SelectChoice("", _l("Any")),
    SelectChoice("visio", _l("Videoconference or meeting room")),
    SelectChoice("makerspace", _l("Makerspace: machine or open-lab session")),
]


class FindForm(GetForm):
    date = DateField(
        _l("Date"),
        validators=[InputRequired(_l("Give the date.")), _in_range],
        invalid_value_message=_l("Enter a valid date, for example 2026-09-29."),
    )
    start = TimeField(
        _l("From"),
        validators=[InputRequired(_l("Give the start time."))],
        invalid_value_message=_l("Enter a time as hours and minutes, for example 14:00."),
    )
    end = TimeField(
        _l("Until"),
        validators=[InputRequired(_l("Give the end time."))],
        invalid_value_message=_l("Enter a time as hours and minutes, for example 16:00."),
    )
    attendees = IntegerField(
        _l("Number of people"),
        default=1,
        validators=[
            NumberRange(min=1, max=500, message=_l("Give a number of people from 1 to 500."))
        ],
        invalid_value_message=_l("Give the number of people as a number, for example 8."),
    )
    equipment = SelectMultipleField(
        _l("Equipment needed"),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="")
    neighbourhood = SelectField(_l("Neighbourhood"), default="")

    def __init__(self, formdata: MultiDict | None, choices: SearchChoices) -> None:
        super().__init__(formdata=formdata)
        self.equipment.choices = [SelectChoice(slug, name) for _id, slug, name in choices.equipment]
        self.neighbourhood.choices = [
            SelectChoice("", _l("Anywhere in Brest")),
            *(SelectChoice(n, n) for n in choices.neighbourhoods),
        ]
        self._equipment_ids = {slug: id_ for id_, slug, _name in choices.equipment}

    def validate_end(self, field) -> None:
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("The end must be after the start."))

    @property
    def equipment_ids(self) -> list[int]:
        return [self._equipment_ids[slug] for slug in self.equipment.data or ()]

    @property
    def day(self) -> date:
        return self.date.data

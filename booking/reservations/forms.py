"""Forms of the reservation pages.

The reservation form depends on the resource (its equipment, its slots), so it
is built per request by `reservation_form()`. Parsing errors are worded for
people, not programmers: WTForms' own messages ("Not a valid date value") are
replaced here.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from booking.resources.models import Resource, ResourceKind

NTH_CHOICES = [
    SelectChoice("1", _l("first")),
    SelectChoice("2", _l("second")),
    SelectChoice("3", _l("third")),
    SelectChoice("4", _l("fourth")),
    SelectChoice("-1", _l("last")),
]


class FriendlyDateField(DateField):
    """A native date input whose parsing error a person understands."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0]:
            self.data = None
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter a date, like 14/10/2026."))) from None


class FriendlyTimeField(TimeField):
    """A native time input (HH:MM) whose parsing error a person understands."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0]:
            self.data = None
            return
        try:
            self.data = datetime.strptime(valuelist[0].strip()[:5], "%H:%M").time()
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter a time, like 14:30."))) from None


class FriendlyIntegerField(IntegerField):
    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter a whole number, like 8."))) from None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _weekday_choices() -> list[SelectChoice]:
    names = [
        _l("Monday"),
        _l("Tuesday"),
        _l("Wednesday"),
        _l("Thursday"),
        _l("Friday"),
        _l("Saturday"),
        _l("Sunday"),
    ]
    return [SelectChoice(str(i), name) for i, name in enumerate(names)]


class ReservationForm(FlaskForm):
    """The fields every reservation has; equipment fields are added per resource."""

    date = FriendlyDateField(_l("Date"), validators=[InputRequired(_l("Choose the date."))])
    start = FriendlyTimeField(_l("Start time"))
    end = FriendlyTimeField(_l("End time"))
    slot = SelectField(_l("Time slot"), choices=[], validate_choice=False)
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Give your booking a short title.")),
            Length(max=200, message=_l("The title can be at most 200 characters long.")),
        ],
    )
    purpose = TextAreaField(
        _l("Purpose"),
        validators=[
            Length(max=2000, message=_l("The purpose can be at most 2000 characters long."))
        ],
    )
    attendees = FriendlyIntegerField(
        _l("Number of people"),
        default=1,
        validators=[
            InputRequired(_l("Say how many people will come.")),
            NumberRange(min=1, message=_l("At least one person must come.")),
        ],
    )
    visibility = RadioField(
        _l("Who can see the title"),
        choices=[
            SelectChoice("private", _l("Private: the calendars only show that it is booked")),
            SelectChoice("public", _l("Public: the calendars show the title of the booking")),
        ],
        default="private",
        validators=[InputRequired(_l("Choose who can see the title."))],
    )
    association = SelectField(
        _l("Booking for the association"),
        choices=[],
        coerce=str,
        validate_choice=False,
    )
    repeat = RadioField(
        _l("How often"),
        choices=[
            SelectChoice("none", _l("Does not repeat")),
            SelectChoice("weekly", _l("Every week or every few weeks")),
            SelectChoice("monthly", _l("Every month, on the same weekday")),
        ],
        default="none",
    )
    interval = FriendlyIntegerField(
        _l("Every how many weeks"),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=1, max=12, message=_l("Choose a number between 1 and 12.")),
        ],
    )
    weekdays = MultiCheckboxField(_l("On these days"), choices=_weekday_choices())
    nth = SelectField(_l("Which one in the month"), choices=NTH_CHOICES, default="1")
    ends = RadioField(
        _l("End of the series"),
        choices=[
            SelectChoice("until", _l("Until a date")),
            SelectChoice("count", _l("For a number of dates")),
        ],
        default="until",
    )
    until = FriendlyDateField(_l("Last date of the series"))
    count = FriendlyIntegerField(_l("Number of dates"))
    preview = SubmitField(_l("Preview the dates"))
    submit = SubmitField(_l("Send the request"))
    submit_free = SubmitField(_l("Book the free dates only"))

    # Filled by `reservation_form`.
    equipment_fields: list[tuple[int, str, str | None]]
    uses_slots: bool
    is_open_lab: bool
    asks_attendees: bool  # False: one person (a seat, a machine for one)
    can_repeat: bool  # machines are booked date by date

    def validate_start(self, field: FriendlyTimeField) -> None:
        if not self.uses_slots and field.data is None and not field.errors:
            raise ValidationError(_l("Choose the start time."))

    def validate_end(self, field: FriendlyTimeField) -> None:
        if self.uses_slots:
            return
        if field.data is None and not field.errors:
            raise ValidationError(_l("Choose the end time."))
        if field.data is not None and self.start.data is not None and field.data <= self.start.data:
            raise ValidationError(_l("The end time must be after the start time."))

    def validate_slot(self, field: SelectField) -> None:
        if not self.uses_slots:
            return
        if parse_slot(field.data) is None:
            raise ValidationError(_l("Choose a time slot."))

    def validate_weekdays(self, field: MultiCheckboxField) -> None:
        valid = {str(i) for i in range(7)}
        if any(value not in valid for value in field.data or []):
            raise ValidationError(_l("Choose days of the week from the list."))

    def validate_nth(self, field: SelectField) -> None:
        if self.repeat.data == "monthly" and field.data not in {c.value for c in NTH_CHOICES}:
            raise ValidationError(_l("Choose which weekday of the month."))

    def validate_until(self, field: FriendlyDateField) -> None:
        if self.repeat.data in (None, "none") or self.ends.data != "until" or field.errors:
            return
        if field.data is None:
            raise ValidationError(_l("Choose the last date of the series."))
        if self.date.data is not None and field.data < self.date.data:
            raise ValidationError(_l("The last date must be on or after the first date."))

    def validate_count(self, field: FriendlyIntegerField) -> None:
        if self.repeat.data in (None, "none") or self.ends.data != "count" or field.errors:
            return
        if field.data is None:
            raise ValidationError(_l("Say how many dates you want."))
        if not 1 <= field.data <= 60:
            raise ValidationError(_l("Choose a number between 1 and 60."))

    def attendees_count(self) -> int:
        return self.attendees.data if self.asks_attendees else 1

    def equipment_requested(self) -> dict[int, int]:
        """equipment id -> quantity, for the ticked boxes."""
        wanted: dict[int, int] = {}
        for equipment_id, box_name, qty_name in self.equipment_fields:
            if self[box_name].data:
                qty = self[qty_name].data if qty_name else 1
                wanted[equipment_id] = qty or 1
        return wanted


def parse_slot(value: str | None) -> tuple[time, time] | None:
    """ "HH:MM-HH:MM" -> (start, end), or None for anything else."""
    if not value or "-" not in value:
        return None
    first, _sep, second = value.partition("-")
    try:
        start = datetime.strptime(first.strip(), "%H:%M").time()
        end = datetime.strptime(second.strip(), "%H:%M").time()
    except ValueError:
        return None
    return (start, end) if end > start else None


def reservation_form(resource: Resource, **kwargs: object) -> ReservationForm:
    """A reservation form with one checkbox (and a quantity when > 1) per equipment item."""
    is_machine = resource.kind is ResourceKind.MACHINE
    # A machine's equipment is the machine itself (what searches match): nothing to tick.
    offered = (
        ()
        if is_machine
        else tuple(
            (item.equipment_id, item.equipment.name_in(str(get_locale())), item.quantity)
            for item in sorted(resource.equipment, key=lambda i: i.equipment.name)
        )
    )
    form_class, equipment_fields = _form_class(offered)
    form = form_class(**kwargs)
    form.equipment_fields = list(equipment_fields)
    form.is_open_lab = not resource.is_exclusive
    form.uses_slots = form.is_open_lab or resource.fixed_slots
    form.asks_attendees = resource.is_exclusive and resource.capacity > 1
    form.can_repeat = not is_machine
    if not form.asks_attendees:  # one seat each, or a machine for one: nothing to ask
        del form.attendees
    if not form.can_repeat:
        form.repeat.data = "none"
    return form


@lru_cache(maxsize=256)
def _form_class(
    offered: tuple[tuple[int, str, int], ...],
) -> tuple[type[ReservationForm], list[tuple[int, str, str | None]]]:
    """The form class for one set of equipment (id, name, quantity), built once: making a
    class and collecting its fields costs more than filling the form. Labels stay lazy, so
    one class serves every language."""
    attrs: dict[str, object] = {}
    equipment_fields: list[tuple[int, str, str | None]] = []
    for equipment_id, name, quantity in offered:
        box = f"equipment_{equipment_id}"
        attrs[box] = BooleanField(name)
        qty_name = None
        if quantity > 1:
            qty_name = f"{box}_quantity"
            attrs[qty_name] = FriendlyIntegerField(
                _l("How many (%(name)s, up to %(num)d)", name=name, num=quantity),
                default=1,
                validators=[
                    Optional(),
                    NumberRange(
                        min=1,
                        max=quantity,
                        message=_l("Choose between 1 and %(num)d.", num=quantity),
                    ),
                ],
                render_kw={"min": 1, "max": quantity},
            )
        equipment_fields.append((equipment_id, box, qty_name))
    return type("ResourceReservationForm", (ReservationForm,), attrs), equipment_fields


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your message"),
        validators=[
            DataRequired(_l("Write a message before sending.")),
            Length(max=4000, message=_l("A message can be at most 4000 characters long.")),
        ],
    )
    send = SubmitField(_l("Send the message"))


class CancelForm(FlaskForm):
    scope = RadioField(
        _l("What to cancel"),
        choices=[
            SelectChoice("one", _l("This date only")),
            SelectChoice("following", _l("This date and the following ones")),
            SelectChoice("all", _l("The whole series")),
        ],
        default="one",
        validators=[InputRequired(_l("Choose what to cancel."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[Length(max=2000, message=_l("The reason can be at most 2000 characters."))],
    )
    confirm = SubmitField(_l("Cancel the booking"))


class ChooseResourceForm(FlaskForm):
    """First step when no resource is given: which one, and which day (sent by GET)."""

    resource = SelectField(_l("What do you want to book?"), choices=[], validate_choice=False)
    date = FriendlyDateField(_l("Date"))
    go = SubmitField(_l("Continue"))


class CheckinForm(FlaskForm):
    """Only the CSRF token and the button: the booking is in the URL."""

    confirm = SubmitField(_l("Check in: we are here"))

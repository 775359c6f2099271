"""Administration forms. They check shapes and numbers; the services check the rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FloatField,
    Form,
    FormField,
    IntegerField,
    SearchField,
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
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from booking.resources.mediation import ACCESS_MODES, FEES, SERVICES

SLUG_HELP = _l(
    "Used in web addresses: lowercase letters, digits and hyphens. Left empty, it is made from the name."
)
SLUG_PATTERN = Regexp(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    message=_l("Use only lowercase letters, digits and single hyphens, like salle-du-port."),
)

KIND_LABELS = {
    "visio_room": _l("Videoconference room"),
    "room": _l("Meeting room"),
    "machine": _l("Machine"),
    "open_lab": _l("Open-lab session"),
}


def _int_field(
    label, *, minimum: int, help_message, maximum: int = 100_000, required: bool = True, **kw
):
    """A whole number with a friendly message below `minimum` and a ceiling the database holds."""
    validators = [
        InputRequired(_l("Enter a whole number.")) if required else Optional(),
        NumberRange(min=minimum, message=help_message),
        NumberRange(max=maximum, message=_l("This number is too large: at most %(max)d.")),
    ]
    return IntegerField(label, validators=validators, render_kw={"inputmode": "numeric"}, **kw)


def options(pairs: Iterable[tuple[object, object]], optgroup: str | None = None) -> list:
    """Choices of a select field, from (value, label) pairs."""
    return [SelectChoice(value, label, optgroup=optgroup) for value, label in pairs]


def weekday_choices() -> list[SelectChoice]:
    days = get_locale().days["format"]["wide"]
    return options((i, days[i].capitalize()) for i in range(7))


class SearchForm(FlaskForm):
    """The search box of a list (GET, no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])


class ActionForm(FlaskForm):
    """An empty form: a button that posts with a CSRF token."""


class SiteForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the place a name.")), Length(max=200)]
    )
    slug = StringField(_l("Short name"), validators=[Optional(), Length(max=200), SLUG_PATTERN])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    neighbourhood = StringField(_l("Neighbourhood"), validators=[Optional(), Length(max=120)])
    latitude = FloatField(
        _l("Latitude"),
        validators=[Optional(), NumberRange(-90, 90, _l("Latitude is between -90 and 90."))],
    )
    longitude = FloatField(
        _l("Longitude"),
        validators=[Optional(), NumberRange(-180, 180, _l("Longitude is between -180 and 180."))],
    )
    transport = StringField(
        _l("Getting there by public transport"), validators=[Optional(), Length(max=300)]
    )
    is_wheelchair_accessible = BooleanField(_l("Wheelchair accessible"))
    accessibility_notes = TextAreaField(
        _l("Accessibility details"), validators=[Optional(), Length(max=2000)]
    )
    contact_email = EmailField(
        _l("Contact email"),
        validators=[
            Optional(),
            Email(_l("Enter a valid email address, like name@example.org.")),
            Length(max=254),
        ],
    )
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=300),
            Regexp(r"^https?://\S+$", message=_l("Enter a web address starting with https://.")),
        ],
    )
    # Open data: the national schema of places of digital inclusion.
    pivot = StringField(
        _l("SIRET or RNA number of the operator"),
        validators=[
            Optional(),
            Regexp(
                r"^(\d{14}|W\d{9})$",
                message=_l("Enter a SIRET (14 digits) or an RNA number (W and 9 digits)."),
            ),
        ],
    )
    city = StringField(_l("Town"), validators=[Optional(), Length(max=120)])
    postcode = StringField(
        _l("Postcode"),
        validators=[Optional(), Regexp(r"^\d{5}$", message=_l("A postcode has 5 digits."))],
    )
    insee_code = StringField(
        _l("INSEE code of the town"),
        validators=[
            Optional(),
            Regexp(
                r"^([013-9]\d|2[AB1-9])\d{3}$",
                message=_l("An INSEE code has 5 characters, like 29019."),
            ),
        ],
    )
    services = SelectMultipleField(
        _l("Digital inclusion services offered"), choices=[SelectChoice(v, v) for v in SERVICES]
    )
    fees = SelectMultipleField(
        _l("Access conditions (fees)"), choices=[SelectChoice(v, v) for v in FEES]
    )
    access_modes = SelectMultipleField(
        _l("How to come (access modes)"), choices=[SelectChoice(v, v) for v in ACCESS_MODES]
    )


class EquipmentLineForm(Form):
    """One line of a resource's equipment: an item of the catalogue and how many."""

    equipment_id = SelectField(_l("Equipment"), coerce=int, default=0)
    quantity = IntegerField(
        _l("Quantity"),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=1, max=1000, message=_l("The quantity is at least 1.")),
        ],
    )
    remove = BooleanField(_l("Remove"))


class ResourceForm(FlaskForm):
    site_id = SelectField(
        _l("Place"), coerce=int, validators=[InputRequired(_l("Choose a place."))]
    )
    kind = SelectField(_l("Kind"), choices=options(KIND_LABELS.items()))
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the resource a name.")), Length(max=200)]
    )
    slug = StringField(_l("Short name"), validators=[Optional(), Length(max=200), SLUG_PATTERN])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    capacity = _int_field(
        _l("Capacity (people, or seats of a session)"),
        minimum=1,
        maximum=10000,
        help_message=_l("The capacity is at least 1."),
    )
    max_seats_per_person = _int_field(
        _l("Seats one person may take in a session"),
        minimum=1,
        maximum=10000,
        help_message=_l("At least 1 seat per person."),
        required=False,
        default=1,
    )
    is_bookable = BooleanField(_l("Bookable"), default=True)
    requires_approval = BooleanField(_l("Each request needs a manager's approval"), default=True)
    min_duration_minutes = _int_field(
        _l("Minimum length (minutes)"),
        minimum=1,
        maximum=10080,
        help_message=_l("The minimum length is at least 1 minute."),
        default=30,
    )
    max_duration_minutes = _int_field(
        _l("Maximum length (minutes)"),
        minimum=1,
        maximum=10080,
        help_message=_l("The maximum length is at least 1 minute."),
        default=240,
    )
    slot_step_minutes = _int_field(
        _l("Slot step (minutes)"),
        minimum=1,
        maximum=1440,
        help_message=_l("The slot step is at least 1 minute."),
        default=30,
    )
    fixed_slots = BooleanField(_l("Fixed slots: each booking lasts exactly one step"))
    horizon_days = _int_field(
        _l("Bookable up to (days ahead)"),
        minimum=1,
        maximum=3650,
        help_message=_l("Bookings must be possible at least 1 day ahead."),
        default=180,
    )
    min_notice_minutes = _int_field(
        _l("Minimum notice (minutes)"),
        minimum=0,
        maximum=43200,
        help_message=_l("The minimum notice cannot be negative."),
        default=120,
    )
    required_training_id = SelectField(_l("Training required"), coerce=int, default=0)
    checkin_required = BooleanField(_l("Check-in required: release the booking if nobody comes"))
    checkin_grace_minutes = _int_field(
        _l("Grace period after the start (minutes)"),
        minimum=0,
        maximum=240,
        help_message=_l("The grace period cannot be negative."),
        required=False,
        default=15,
    )
    checkin_by = SelectField(
        _l("Who may check in"),
        choices=[
            SelectChoice("members", _l("The booking's association and the managers")),
            SelectChoice("managers", _l("The managers only")),
        ],
        default="members",
    )
    trusted_ids = SelectMultipleField(
        _l("Trusted associations (approved on arrival)"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    manager_ids = SelectMultipleField(
        _l("Managers of this resource"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    equipment = FieldList(FormField(EquipmentLineForm), min_entries=0, max_entries=100)
    add_line = SubmitField(_l("Add another equipment line"))

    def equipment_lines(self) -> list[tuple[int, int]]:
        """(equipment id, quantity) of the filled lines not marked for removal."""
        return [
            (line.equipment_id.data, line.quantity.data)
            for line in self.equipment
            if line.equipment_id.data and not line.remove.data
        ]

    def validate_equipment(self, field: FieldList) -> None:
        chosen = [item for item, _quantity in self.equipment_lines()]
        if len(chosen) != len(set(chosen)):
            raise ValidationError(str(_l("Each item of equipment goes on one line only.")))

    def validate_max_duration_minutes(self, field: IntegerField) -> None:
        low = self.min_duration_minutes.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("The maximum length must be at least the minimum length."))


class EquipmentForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the equipment a name.")), Length(max=120)]
    )
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=120)])
    slug = StringField(_l("Short name"), validators=[Optional(), Length(max=120), SLUG_PATTERN])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=60)])


class ResourceEquipmentForm(FlaskForm):
    equipment_id = SelectField(
        _l("Equipment"), coerce=int, validators=[InputRequired(_l("Choose an item."))]
    )
    quantity = _int_field(
        _l("Quantity"),
        minimum=1,
        maximum=1000,
        help_message=_l("The quantity is at least 1."),
        default=1,
    )


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


class TrainingForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give the training a name.")), Length(max=200)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    validity_months = _int_field(
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


class UserRolesForm(FlaskForm):
    is_admin = BooleanField(_l("Administrator"))
    is_active = BooleanField(_l("Account active"))
    resource_ids = SelectMultipleField(_l("Manages these resources"), coerce=int)
    site_ids = SelectMultipleField(_l("Manages these places (all their resources)"), coerce=int)

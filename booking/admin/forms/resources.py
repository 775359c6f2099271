"""The resource form: kind, capacity, booking rules and equipment lines."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
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

from booking.admin.forms.common import KIND_LABELS, SLUG_PATTERN, int_field, options


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
    capacity = int_field(
        _l("Capacity (people, or seats of a session)"),
        minimum=1,
        maximum=10000,
        help_message=_l("The capacity is at least 1."),
    )
    max_seats_per_person = int_field(
        _l("Seats one person may take in a session"),
        minimum=1,
        maximum=10000,
        help_message=_l("At least 1 seat per person."),
        required=False,
        default=1,
    )
    is_bookable = BooleanField(_l("Bookable"), default=True)
    requires_approval = BooleanField(_l("Each request needs a manager's approval"), default=True)
    min_duration_minutes = int_field(
        _l("Minimum length (minutes)"),
        minimum=1,
        maximum=10080,
        help_message=_l("The minimum length is at least 1 minute."),
        default=30,
    )
    max_duration_minutes = int_field(
        _l("Maximum length (minutes)"),
        minimum=1,
        maximum=10080,
        help_message=_l("The maximum length is at least 1 minute."),
        default=240,
    )
    slot_step_minutes = int_field(
        _l("Slot step (minutes)"),
        minimum=1,
        maximum=1440,
        help_message=_l("The slot step is at least 1 minute."),
        default=30,
    )
    fixed_slots = BooleanField(_l("Fixed slots: each booking lasts exactly one step"))
    horizon_days = int_field(
        _l("Bookable up to (days ahead)"),
        minimum=1,
        maximum=3650,
        help_message=_l("Bookings must be possible at least 1 day ahead."),
        default=180,
    )
    min_notice_minutes = int_field(
        _l("Minimum notice (minutes)"),
        minimum=0,
        maximum=43200,
        help_message=_l("The minimum notice cannot be negative."),
        default=120,
    )
    required_training_id = SelectField(_l("Training required"), coerce=int, default=0)
    checkin_required = BooleanField(_l("Check-in required: release the booking if nobody comes"))
    checkin_grace_minutes = int_field(
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

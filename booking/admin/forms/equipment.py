"""Equipment forms: an item of the catalogue, and a line lending it to a resource."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from booking.admin.forms.common import SLUG_PATTERN, int_field


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
    quantity = int_field(
        _l("Quantity"),
        minimum=1,
        maximum=1000,
        help_message=_l("The quantity is at least 1."),
        default=1,
    )

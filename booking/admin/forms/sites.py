"""The site form: address, coordinates and mediation details."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from booking.admin.forms.common import SLUG_PATTERN
from booking.resources.mediation import ACCESS_MODES, FEES, SERVICES


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

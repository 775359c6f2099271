"""What the administration forms share: slug and number fields, choice helpers,
the search box and the bare action form (CSRF only)."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField, SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

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


def int_field(
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

"""Forms of the calendars area: closure import and the private-feed token buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

MAX_ICS_BYTES = 2 * 1024 * 1024


class ClosureImportForm(FlaskForm):
    target = SelectField(
        _l("Closed place"),
        validators=[DataRequired(_l("Choose the site or the room that will be closed."))],
    )
    file = FileField(
        _l("iCalendar file (.ics)"),
        validators=[
            FileRequired(_l("Choose an .ics file to import.")),
            FileAllowed(["ics", "ical", "ifb", "icalendar"], _l("Choose a file ending in .ics.")),
            FileSize(max_size=MAX_ICS_BYTES, message=_l("The file is larger than 2 MB.")),
        ],
        render_kw={"accept": ".ics,text/calendar"},
    )


class FeedTokenForm(FlaskForm):
    """Regenerate or revoke the private-feed token (POST with CSRF)."""

    next = HiddenField()

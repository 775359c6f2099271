"""Forms of the calendars area: closure import and the private-feed token buttons."""

from __future__ import annotations

import os

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, ValidationError

MAX_ICS_BYTES = 2 * 1024 * 1024


class SmallerThan:
    """Refuse an uploaded file larger than `max_size` bytes by its size, without reading it.

    (flask_wtf's FileSize reads the whole file into memory to measure it.)
    """

    def __init__(self, max_size: int, message: object) -> None:
        self.max_size = max_size
        self.message = message

    def __call__(self, _form: object, field: FileField) -> None:
        stream = getattr(field.data, "stream", None)
        if stream is None:
            return
        start = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(start)
        if size > self.max_size:
            raise ValidationError(str(self.message))


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
            SmallerThan(MAX_ICS_BYTES, _l("The file is larger than 2 MB.")),
        ],
        render_kw={"accept": ".ics,text/calendar"},
    )


class FeedTokenForm(FlaskForm):
    """Regenerate or revoke the private-feed token (POST with CSRF)."""

    next = HiddenField()

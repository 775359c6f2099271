"""Changing the date or time of a request or an approved booking (a series: this date, this
date and the following ones, or all of them). The rules are checked again by the engine
(`bookings.services.reschedule`, `bookings.series.reschedule_series`); a booking whose
room needs approval goes back to pending, and calendar clients get the move with a higher
SEQUENCE through the rescheduling event."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, RadioField, SubmitField, TimeField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import Booking
from booking.bookings.series import reschedule_series
from booking.bookings.services import reschedule
from booking.extensions import db
from booking.reservations.queries import booking_for_page
from booking.timeutil import is_real_local_time, local_datetime, to_local, to_utc

bp = Blueprint("changes", __name__, url_prefix="/reservations")


class ChangeForm(FlaskForm):
    date = DateField(
        _l("Date"),
        validators=[InputRequired(_l("Give the date."))],
        invalid_value_message=_l("Enter a valid date, for example 2026-09-29."),
    )
    start = TimeField(
        _l("Start"),
        validators=[InputRequired(_l("Give the start time."))],
        invalid_value_message=_l("Enter a time as hours and minutes, for example 14:00."),
    )
    end = TimeField(
        _l("End"),
        validators=[InputRequired(_l("Give the end time."))],
        invalid_value_message=_l("Enter a time as hours and minutes, for example 14:00."),
    )
    scope = RadioField(
        _l("What to change"),
        choices=[
            SelectChoice("one", _l("This date only")),
            SelectChoice("following", _l("This date and the following ones")),
            SelectChoice("all", _l("The whole series")),
        ],
        default="one",
        validators=[InputRequired(_l("Choose what to change."))],
    )
    submit = SubmitField(_l("Change the booking"))

    def validate_end(self, field: TimeField) -> None:
        if self.start.data is not None and field.data is not None and field.data <= self.start.data:
            raise ValidationError(_l("The end must be after the start."))


_FIELDS = {"start_at": "start", "end_at": "end", "date": "date"}


def _period(form: ChangeForm) -> tuple[datetime, datetime] | None:
    for field in (form.start, form.end):
        if not is_real_local_time(datetime.combine(form.date.data, field.data)):
            field.errors.append(_("This time does not exist on that day (the clocks change)."))
            return None
    return (
        to_utc(local_datetime(form.date.data, form.start.data)),
        to_utc(local_datetime(form.date.data, form.end.data)),
    )


def _move(booking: Booking, form: ChangeForm, start_at: datetime, end_at: datetime) -> int:
    """Apply the change; the number of dates moved. Raises the engine's refusals."""
    scope = form.scope.data if booking.series_id is not None else "one"
    if scope == "one":
        reschedule(current_user, booking, start_at, end_at)
        return 1
    if form.date.data != to_local(booking.start_at).date():
        raise BookingRefused(
            _("A series keeps its dates: to move one date to another day, change this date only."),
            rule="series_date",
            field="date",
        )
    minutes = int((end_at - start_at).total_seconds() // 60)
    moved = reschedule_series(
        current_user,
        booking.series,
        form.start.data,
        minutes,
        from_booking=booking if scope == "following" else None,
    )
    return len(moved)


@bp.route("/<int:booking_id>/change", methods=["GET", "POST"])
@login_required
def change(booking_id: int) -> str | Response | tuple[str, int]:
    booking = booking_for_page(booking_id)
    if booking is None or not booking.can_view(current_user):
        abort(404)
    if not booking.can_change(current_user):
        abort(403)
    start, end = to_local(booking.start_at), to_local(booking.end_at)
    form = ChangeForm(data={"date": start.date(), "start": start.time(), "end": end.time()})
    if booking.series_id is None:
        form.scope.choices = [c for c in form.scope.choices if c.value == "one"]
    problems: list[str] = []
    if form.validate_on_submit():
        period = _period(form)
        if period is not None:
            try:
                count = _move(booking, form, *period)
            except NotAllowed:
                db.session.rollback()
                abort(403)
            except BookingRefused as problem:
                message = problem.message
                db.session.rollback()
                name = _FIELDS.get(problem.field or "")
                if name is not None:
                    form[name].errors = [*form[name].errors, message]
                else:
                    problems.append(message)
            else:
                db.session.commit()
                flash(
                    ngettext("The booking is changed.", "%(num)d dates are changed.", count),
                    "success",
                )
                return redirect(url_for("reservations.detail", booking_id=booking_id))
    status = 422 if form.errors or problems else 200
    return render_template(
        "reservations/change.html", booking=booking, form=form, problems=problems
    ), status

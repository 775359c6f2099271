"""Changing the room, the date or the time of a request or an approved booking (a series:
this date, this date and the following ones, or all of them). The rules are checked again
by the engine (`bookings.moves.reschedule`, `bookings.moves.reschedule_series`), those of
a new request in the room it moves to; a booking whose room needs approval goes back to
pending, and calendar clients get the move with a higher SEQUENCE through the
rescheduling event. On a conflict the page offers plan B: the nearest free times of
that room, and the other rooms free at that time, each a pre-filled change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, RadioField, SelectField, SubmitField, TimeField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from booking.bookings.alternatives import move_targets, nearby_times, other_resources
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import Booking
from booking.bookings.moves import reschedule, reschedule_series
from booking.bookings.rules import describe_period
from booking.db import utcnow
from booking.extensions import db
from booking.reservations.convert import prefill
from booking.reservations.queries import bookable_resource, booking_for_page
from booking.resources.models import Resource, ResourceKind
from booking.schedule.grid import booking_link
from booking.timeutil import is_real_local_time, local_datetime, to_local, to_utc

bp = Blueprint("changes", __name__, url_prefix="/reservations")


class ChangeForm(FlaskForm):
    resource = SelectField(
        _l("Room"),
        validate_choice=False,  # any room: the rules say why one does not fit
    )
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


# Where a refusal shows: the rules about the room (people, equipment, training, kind)
# next to the room.
_FIELDS = {
    "start_at": "start",
    "end_at": "end",
    "date": "date",
    "resource": "resource",
    "attendees": "resource",
    "equipment": "resource",
    "training": "resource",
}


_RESOURCE_LABELS = {
    ResourceKind.MACHINE: _l("Machine"),
    ResourceKind.OPEN_LAB: _l("Session"),
}


@dataclass
class ChangePlanB:
    """On a conflict: each choice is the change form pre-filled with it."""

    resource: Resource  # the one asked for, whose other free times are offered
    times: list[tuple[str, str]]  # (the period in words, URL)
    others: list[tuple[Resource, str]]


def _period(form: ChangeForm) -> tuple[datetime, datetime] | None:
    for field in (form.start, form.end):
        if not is_real_local_time(datetime.combine(form.date.data, field.data)):
            field.errors.append(_("This time does not exist on that day (the clocks change)."))
            return None
    return (
        to_utc(local_datetime(form.date.data, form.start.data)),
        to_utc(local_datetime(form.date.data, form.end.data)),
    )


def _move(
    booking: Booking, form: ChangeForm, target: Resource, start_at: datetime, end_at: datetime
) -> int:
    """Apply the change; the number of dates moved. Raises the engine's refusals."""
    scope = form.scope.data if booking.series_id is not None else "one"
    resource = target if target.id != booking.resource_id else None
    if scope == "one":
        reschedule(current_user, booking, start_at, end_at, resource=resource)
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
        resource=resource,
    )
    return len(moved)


def _room_choices(booking: Booking, targets: list[Resource]) -> list[SelectChoice]:
    def label(resource: Resource) -> str:
        people = ngettext("%(num)d person", "%(num)d people", resource.capacity)
        return f"{resource.name} — {resource.site.name} ({people})"

    current = booking.resource
    return [
        SelectChoice(current.slug, _("%(room)s (unchanged)", room=label(current))),
        *(SelectChoice(r.slug, label(r)) for r in targets),
    ]


def _plan_b(
    booking: Booking, target: Resource, start_at: datetime, end_at: datetime
) -> ChangePlanB:
    now = utcnow()
    base = url_for("changes.change", booking_id=booking.id)
    times = [
        (describe_period(a, b), booking_link(base, target, a, b))
        for a, b in nearby_times(target, start_at, end_at, now)
    ]
    equipment = [item.equipment_id for item in booking.equipment]
    found = other_resources(
        target, start_at, end_at, booking.attendees, equipment, now, current_user
    )
    others = [(f.resource, booking_link(base, f.resource, start_at, end_at)) for f in found]
    return ChangePlanB(target, times, others)


def _initial(booking: Booking) -> dict:
    """The booking as it is, or what a plan B link asks for (`?resource=&date=&start=&end=`)."""
    start, end = to_local(booking.start_at), to_local(booking.end_at)
    data = {
        "resource": booking.resource.slug,
        "date": start.date(),
        "start": start.time(),
        "end": end.time(),
    }
    asked = prefill(request.args)
    data.update({k: asked[k] for k in ("date", "start", "end") if asked.get(k) is not None})
    if request.args.get("resource"):
        data["resource"] = request.args["resource"]
    return data


@bp.route("/<int:booking_id>/change", methods=["GET", "POST"])
@login_required
def change(booking_id: int) -> str | Response | tuple[str, int]:
    booking = booking_for_page(booking_id)
    if booking is None or not booking.can_view(current_user):
        abort(404)
    if not booking.can_change(current_user):
        abort(403)
    form = ChangeForm(data=_initial(booking) if request.method == "GET" else None)
    targets = move_targets(booking, booking.requester or current_user)
    form.resource.choices = _room_choices(booking, targets)
    form.resource.label.text = _RESOURCE_LABELS.get(booking.resource.kind, _l("Room"))
    if booking.series_id is None:
        form.scope.choices = [c for c in form.scope.choices if c.value == "one"]
    problems: list[str] = []
    plan_b = None
    if form.validate_on_submit():
        target = _target(booking, form, targets)
        period = _period(form) if target is not None else None
        if period is not None:
            try:
                count = _move(booking, form, target, *period)
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
                if problem.rule in ("overlap", "series"):
                    plan_b = _plan_b(booking, target, *period)
            else:
                db.session.commit()
                flash(
                    ngettext("The booking is changed.", "%(num)d dates are changed.", count),
                    "success",
                )
                return redirect(url_for("reservations.detail", booking_id=booking_id))
    status = 422 if form.errors or problems else 200
    return render_template(
        "reservations/change.html", booking=booking, form=form, problems=problems, plan_b=plan_b
    ), status


def _target(booking: Booking, form: ChangeForm, targets: list[Resource]) -> Resource | None:
    """The room chosen: the booking's own, one offered, or any bookable one (the rules
    then say why it does not fit); None, with the field's error, for an unknown one."""
    slug = (form.resource.data or "").strip()
    if slug in ("", booking.resource.slug):
        return booking.resource
    for resource in targets:
        if resource.slug == slug:
            return resource
    found = bookable_resource(slug)
    if found is None:
        form.resource.errors = [*form.resource.errors, _("Choose a room from the list.")]
    return found

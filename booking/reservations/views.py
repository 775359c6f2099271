"""Reservation pages: the booking form with its date preview, my bookings, the booking page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from booking.audit import trail_query
from booking.auth.models import Association
from booking.auth.services import is_awaiting_validation
from booking.bookings.checkin import needs_checkin
from booking.bookings.errors import BookingRefused
from booking.bookings.models import ACTIVE_STATES, Booking, BookingState
from booking.bookings.rules import bookable_days, held_training
from booking.bookings.seats import sessions_on, waiting_list
from booking.bookings.series import (
    Occurrence,
    Recurrence,
    cancel_occurrences,
    preview_series,
    request_series,
)
from booking.bookings.services import (
    BookingRequest,
    add_comment,
    cancel,
    request_booking,
    state_refusal,
)
from booking.extensions import db
from booking.paging import paginate, requested_page
from booking.reservations.convert import (
    booking_request,
    chosen_session,
    equipment_not_offered,
    prefill,
    prefill_equipment,
    recurrence,
    session_choices,
    slot_choices,
    time_step_seconds,
)
from booking.reservations.forms import (
    CancelForm,
    ChooseResourceForm,
    CommentForm,
    ReservationForm,
    reservation_form,
)
from booking.reservations.planb import plan_b as find_plan_b
from booking.reservations.planb import series_plan_b
from booking.reservations.queries import (
    association_choices,
    bookable_resource,
    bookable_resources,
    booking_for_page,
    comments_query,
    my_bookings,
    series_dates,
    user_names,
)
from booking.resources.models import Closure
from booking.timeutil import local_today

bp = Blueprint("reservations", __name__, url_prefix="/reservations")

STATE_LABELS = {
    BookingState.PENDING: _l("Pending approval"),
    BookingState.APPROVED: _l("Approved"),
    BookingState.REFUSED: _l("Refused"),
    BookingState.CANCELLED: _l("Cancelled"),
    BookingState.EXPIRED: _l("Expired"),
    BookingState.WAITLISTED: _l("On the waiting list"),
    BookingState.RELEASED: _l("Released"),
}

ACTION_LABELS = {
    "requested": _l("Requested"),
    "created": _l("Requested"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Expired"),
    "rescheduled": _l("Time changed"),
    "waitlisted": _l("Put on the waiting list"),
    "promoted": _l("Given a seat from the waiting list"),
    "checked_in": _l("Checked in"),
    "released": _l("Released: nobody checked in"),
    "slot_offered": _l("Told that the slot is free again"),
    "commented": _l("Comment"),
    "comment": _l("Comment"),
}

# Where a refusal from the booking rules is shown. Anything else is a form-level message.
FIELD_ALIASES = {
    "date": "date",
    "start": "start",
    "start_at": "start",
    "end": "end",
    "end_at": "end",
    "attendees": "attendees",
    "title": "title",
    "purpose": "purpose",
    "is_public": "visibility",
    "association": "association",
    "association_id": "association",
    "until": "until",
    "count": "count",
    "slot": "slot",
    "recurrence": "repeat",
}


def state_label(state: BookingState | str) -> str:
    return str(STATE_LABELS.get(BookingState(state), state))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action.replace("_", " ").capitalize()))


def conflict_text(problem: BookingRefused) -> str:
    """The refusal in words, naming what it clashes with."""
    named = []
    for item in problem.conflicts or []:
        if isinstance(item, Closure):
            named.append(_("closed: %(label)s", label=item.label))
        elif isinstance(item, Booking) and (item.is_public or item.can_view(current_user)):
            named.append(_("“%(title)s”", title=item.title))
    if named and not any(n in problem.message for n in named):
        return f"{problem.message} ({', '.join(named)})"
    return problem.message


@bp.context_processor
def _helpers() -> dict:
    return {"state_label": state_label, "action_label": action_label}


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------
# The reservation form


def _show_refusal(form: ReservationForm, problem: BookingRefused) -> list[str]:
    """Put a refusal next to its field; return the form-level messages left."""
    name = FIELD_ALIASES.get(problem.field or "")
    if problem.field == "equipment" and form.equipment_fields:
        name = form.equipment_fields[0][1]
    if form.uses_slots and name in ("date", "start", "end"):
        name = "slot" if name != "date" else "date"
    if not form.asks_attendees and name == "attendees":
        name = None
    if name is not None and name in form:
        form[name].errors = [*form[name].errors, conflict_text(problem)]
        return []
    return [conflict_text(problem)]


def _success_message(bookings: list[Booking]) -> str:
    states = {b.state for b in bookings}
    count = len(bookings)
    if states == {BookingState.APPROVED}:
        return ngettext("Your booking is approved.", "Your %(num)d bookings are approved.", count)
    if states == {BookingState.WAITLISTED}:
        return _(
            "The session is full: you are on the waiting list. We will write to you if a seat frees up."
        )
    if BookingState.PENDING in states:
        return ngettext(
            "Your request is sent. It is pending until a manager approves it.",
            "Your request for %(num)d dates is sent. It is pending until a manager approves it.",
            count,
        )
    return _("Your request is recorded.")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    resource = bookable_resource(request.args.get("resource"))
    if resource is None:
        choose = ChooseResourceForm(
            meta={"csrf": False},
            formdata=None,
            data={"resource": request.args.get("resource"), **prefill(request.args)},
        )
        choose.resource.choices = [
            SelectChoice(r.slug, f"{r.name} ({r.site.name})") for r in bookable_resources()
        ]
        return render_template(
            "reservations/choose.html", form=choose, asked=request.args.get("resource")
        )
    defaults = prefill(request.args) | prefill_equipment(request.args, resource)
    form = reservation_form(resource, data=defaults if request.method == "GET" else None)
    associations = association_choices(current_user)
    form.association.choices = [SelectChoice(str(a.id), a.name) for a in associations]
    if request.method == "GET" and len(associations) >= 1 and not form.association.data:
        form.association.data = str(associations[0].id)
    if request.method == "GET" and form.date.data is not None:
        form.nth.data = str(min((form.date.data.day - 1) // 7 + 1, 4))
        form.weekdays.data = [str(form.date.data.weekday())]
    chosen_day = form.date.data if not form.date.errors else None
    sessions = []
    if form.uses_slots:  # rooms are booked by start and end times: no slot list to show
        form.slot.choices = slot_choices(resource, chosen_day)
    if form.is_open_lab and chosen_day is not None:
        sessions = sessions_on(resource, [chosen_day], _now())
        form.slot.choices = session_choices(sessions)
    if form.asks_attendees:
        form.attendees.render_kw = {"min": 1, "max": resource.capacity}
    if not form.uses_slots:
        step = time_step_seconds(resource)
        if step is not None:  # the time pickers move by the room's step
            for time_field in (form.start, form.end):
                time_field.render_kw = {**(time_field.render_kw or {}), "step": step}
    first_day, last_day = bookable_days(resource, _now())
    for date_field in (form.date, form.until):
        date_field.render_kw = {"min": first_day.isoformat(), "max": last_day.isoformat()}

    problems: list[str] = []
    refusals: list[BookingRefused] = []
    plan_b = None
    occurrences = None
    date_plans = {}
    if request.method == "POST" and form.validate():
        association = _chosen_association(form, associations)
        if association is None:
            form.association.errors = [_("Choose the association you are booking for.")]
        else:
            req = booking_request(
                form, resource, association, equipment_not_offered(request.form, resource)
            )
            rule = recurrence(form)
            try:
                if rule is not None:
                    done, occurrences = _series_step(form, req, rule, problems)
                    if done is not None:
                        return done
                    date_plans = series_plan_b(req, occurrences, current_user)
                elif form.preview.data:
                    problems.append(_("This booking does not repeat: there is only one date."))
                else:
                    done = _book_one(form, req, problems, refusals)
                    if done is not None:
                        return done
                    if refusals and refusals[0].rule == "overlap":
                        plan_b = find_plan_b(req, current_user)
            except BookingRefused as problem:
                problems.extend(_show_refusal(form, problem))  # names conflicts: before rollback
                db.session.rollback()
                occurrences = None
    return render_template(
        "reservations/new.html",
        form=form,
        resource=resource,
        associations=associations,
        awaiting=_awaiting_validation(associations),
        problems=problems,
        occurrences=occurrences,
        conflict_text=conflict_text,
        plan_b=plan_b,
        date_plans=date_plans,
        first_day=first_day,
        last_day=last_day,
        held=held_training(current_user, resource),
        chosen_session=chosen_session(sessions, form.slot.data),
        today=local_today(),
    ), (200 if not (problems or form.errors) else 422)


def _book_one(
    form: ReservationForm,
    req: BookingRequest,
    problems: list[str],
    refusals: list[BookingRefused],
) -> Response | None:
    """Book one date; on a refusal, put it in the form, add it to `refusals`, return None.

    The request runs in a SAVEPOINT: a refusal undoes only what it wrote, so the
    resource, the user and the associations the page shows stay loaded instead of
    being expired (and read again) by a rollback of the whole transaction. The
    transaction left open writes nothing and ends with the request.
    """
    savepoint = db.session.begin_nested()
    try:
        booking = request_booking(current_user, req)
    except BookingRefused as problem:
        problems.extend(_show_refusal(form, problem))  # names conflicts: before the rollback
        refusals.append(problem)
        savepoint.rollback()
        return None
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    # Read before committing, which expires the booking: no reload to redirect.
    message, booking_id = _success_message([booking]), booking.id
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".detail", booking_id=booking_id))


def _series_step(
    form: ReservationForm, req: BookingRequest, rule: Recurrence, problems: list[str]
) -> tuple[Response | None, list[Occurrence]]:
    """Check every date; book them when asked and possible. A preview saves nothing."""
    occurrences = preview_series(current_user, req, rule)
    free = [o for o in occurrences if o.problem is None]
    book_all = bool(form.submit.data and occurrences and len(free) == len(occurrences))
    book_free = bool(form.submit_free.data and free)
    if book_all or book_free:
        series = request_series(current_user, req, rule, skip_conflicts=book_free)
        db.session.commit()
        booked = sorted(series.bookings, key=lambda b: b.start_at)
        flash(_success_message(booked), "success")
        return redirect(url_for(".detail", booking_id=booked[0].id)), occurrences
    db.session.rollback()
    if form.submit.data or form.submit_free.data:
        if free:
            problems.append(
                _(
                    "Some dates are not free. Book the free dates only, or change the time or the dates."
                )
            )
        else:
            problems.append(_("None of these dates is free: change the time or the dates."))
    return None, occurrences


def _awaiting_validation(choices: list[Association]) -> list[Association]:
    """The user's associations still awaiting validation, when they have none to book for."""
    if choices:
        return []
    found = [m.association for m in current_user.memberships]
    return sorted((a for a in found if is_awaiting_validation(a)), key=lambda a: a.name.lower())


def _chosen_association(form: ReservationForm, choices: list[Association]) -> Association | None:
    """The association asked for; the booking rules check that the user may act for it."""
    value = (form.association.data or "").strip()
    if not value and len(choices) == 1:
        return choices[0]
    if not value.isdigit():
        return None
    return db.session.get(Association, int(value))


# ---------------------------------------------------------------------------
# My bookings


@bp.get("/mine")
@login_required
def mine() -> str:
    when = request.args.get("when", "upcoming")
    when = when if when in ("upcoming", "past") else "upcoming"
    state_value = request.args.get("state", "")
    state = BookingState(state_value) if state_value in set(BookingState) else None
    assoc_value = request.args.get("association", "")
    associations = sorted(current_user.associations, key=lambda a: a.name.lower())
    association_id = int(assoc_value) if assoc_value.isdigit() else None
    if association_id not in {a.id for a in associations}:
        association_id = None
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    pagination = my_bookings(
        current_user,
        upcoming=when == "upcoming",
        now=_now(),
        state=state,
        association_id=association_id,
        page=page_number,
    )
    return render_template(
        "reservations/mine.html",
        pagination=pagination,
        when=when,
        state=state,
        association_id=association_id,
        associations=associations,
        states=list(BookingState),
    )


# ---------------------------------------------------------------------------
# The booking page, comments, cancelling


def _viewable(booking_id: int) -> Booking:
    booking = booking_for_page(booking_id)
    if booking is None or not booking.can_view(current_user):
        abort(404)  # a stranger cannot tell a private booking from a missing one
    return booking


def _detail_page(booking: Booking, comment_form: CommentForm | None = None, status: int = 200):
    events = paginate(trail_query("booking", [booking.id]), requested_page("history"))
    comments = paginate(comments_query(booking), requested_page("messages"), from_end=True)
    names = user_names([e.actor_id for e in events.items])
    ics_url = date_ics_url = None
    if "feeds.booking_ics" in current_app.view_functions:
        ics_url = url_for("feeds.booking_ics", booking_id=booking.id)
        if booking.series_id is not None:  # offer this date alone, or the whole series
            date_ics_url = url_for("feeds.booking_date_ics", booking_id=booking.id)
    waiting_position = None
    if booking.state == BookingState.WAITLISTED:
        queue = waiting_list(booking.resource, booking.start_at, booking.end_at)
        waiting_position = next((n for n, b in enumerate(queue, 1) if b.id == booking.id), None)
    # The decision itself happens on the manager's desk (the approvals area).
    decide_url = None
    if (
        booking.state == BookingState.PENDING
        and "approvals.queue" in current_app.view_functions
        and booking.can_decide(current_user)
    ):
        decide_url = url_for("approvals.queue")
    return render_template(
        "reservations/detail.html",
        booking=booking,
        date_ics_url=date_ics_url,
        others=series_dates(booking),
        events=events,
        comments=comments,
        names=names,
        comment_form=comment_form or CommentForm(),
        ics_url=ics_url,
        decide_url=decide_url,
        waiting_position=waiting_position,
        checkin_open=needs_checkin(booking, _now()) and booking.can_check_in(current_user),
    ), status


@bp.get("/<int:booking_id>")
@login_required
def detail(booking_id: int) -> tuple[str, int]:
    return _detail_page(_viewable(booking_id))


@bp.post("/<int:booking_id>/comments")
@login_required
def comment(booking_id: int) -> Response | tuple[str, int]:
    booking = _viewable(booking_id)
    form = CommentForm()
    if not form.validate():
        return _detail_page(booking, form, 422)
    try:
        add_comment(current_user, booking, form.body.data.strip())
    except BookingRefused as problem:
        db.session.rollback()
        form.body.errors = [problem.message]
        return _detail_page(booking, form, 422)
    db.session.commit()
    flash(_("Your message is sent."), "success")
    return redirect(url_for(".detail", booking_id=booking.id, _anchor="comments"))


def _already_decided(booking: Booking, problem: BookingRefused) -> Response:
    """Back to the booking page, which shows its current state, saying what happened."""
    flash(problem.message, "error")
    return redirect(url_for(".detail", booking_id=booking.id), 303)


@bp.route("/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_booking(booking_id: int) -> str | Response | tuple[str, int]:
    booking = _viewable(booking_id)
    if booking.state not in ACTIVE_STATES:
        return _already_decided(booking, state_refusal(booking))
    if not booking.can_cancel(current_user):
        abort(403)
    form = CancelForm()
    if booking.series_id is None:
        form.scope.choices = [c for c in form.scope.choices if c.value == "one"]
    is_manager = booking.can_decide(current_user) and not current_user.is_member_of(
        booking.association_id
    )
    if form.validate_on_submit():
        reason = (form.reason.data or "").strip() or None
        try:
            if booking.series_id is None:
                cancel(current_user, booking, reason)
                cancelled = [booking]
            else:
                cancelled = cancel_occurrences(current_user, booking, form.scope.data, reason)
        except BookingRefused as problem:
            db.session.rollback()
            if problem.rule == "state":  # changed by someone else since the page was loaded
                return _already_decided(booking, problem)
            target = form.reason if problem.field == "reason" else form.scope
            target.errors = [*target.errors, problem.message]
        else:
            db.session.commit()
            flash(
                ngettext(
                    "The booking is cancelled.",
                    "%(num)d dates are cancelled.",
                    max(len(cancelled), 1),
                ),
                "success",
            )
            return redirect(url_for(".detail", booking_id=booking.id))
    status = 422 if form.errors else 200
    return render_template(
        "reservations/cancel.html", booking=booking, form=form, reason_required=is_manager
    ), status

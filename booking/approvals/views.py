"""The manager's desk: decide on requests, see what is coming, block a period."""

from __future__ import annotations

from datetime import datetime

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
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from booking.approvals.forms import BlockForm, CancelHitForm, DecisionForm, RefuseForm
from booking.approvals.services import (
    block_period,
    bookings_hit_query,
    cancel_hit_bookings,
    desk_windows,
    managed_resources,
    pending_queue,
    upcoming,
)
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import Booking, BookingSeries, BookingState
from booking.bookings.series import approve_series, refuse_series
from booking.bookings.services import approve, refuse, state_label
from booking.db import utcnow
from booking.extensions import db
from booking.paging import page_size, paginate, requested_page
from booking.resources.models import Closure, Resource
from booking.timeutil import to_utc

bp = Blueprint("approvals", __name__, url_prefix="/approvals")


def _require_desk() -> None:
    if not (current_user.is_admin or current_user.is_manager):
        abort(403)


def _decidable(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    if not booking.can_decide(current_user):
        abort(403)
    return booking


def _requester_locale(booking: Booking) -> str:
    """Common reasons are stored in the requester's language: they read it in the email."""
    requester = booking.requester
    languages = current_app.config["LANGUAGES"]
    if requester is not None and requester.locale in languages:
        return requester.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def refuse_form(booking_id: int) -> RefuseForm:
    return RefuseForm(prefix=f"refuse-{booking_id}")


def approve_form(booking_id: int) -> DecisionForm:
    return DecisionForm(prefix=f"approve-{booking_id}")


def series_refuse_form(series_id: int) -> RefuseForm:
    return RefuseForm(prefix=f"series-refuse-{series_id}")


def series_approve_form(series_id: int) -> DecisionForm:
    return DecisionForm(prefix=f"series-approve-{series_id}")


def _render_queue(
    failed: RefuseForm | None = None,
    failed_key: tuple[str, int] | None = None,
    ticked: list[int] | None = None,
):
    """The desk; after a failed refusal, its form keeps the reason and the dates ticked."""
    now = utcnow()
    queue = pending_queue(
        current_user,
        now=now,
        overdue_days=current_app.config["PENDING_REMINDER_DAYS"],
        page=requested_page() or 1,
        per_page=page_size(),
    )
    entries = queue.entries
    forms: dict[int, dict] = {}
    series_forms: dict[int, dict] = {}
    for entry in entries:
        if entry.series_id:
            sid = entry.series_id
            series_forms[sid] = {
                "approve": series_approve_form(sid),
                "refuse": failed if failed_key == ("series", sid) else series_refuse_form(sid),
            }
        for item in entry.items:
            bid = item.booking.id
            forms[bid] = {
                "approve": approve_form(bid),
                "refuse": failed if failed_key == ("booking", bid) else refuse_form(bid),
            }
    (today_start, today_end), (week_start, week_end) = desk_windows(now)
    page = render_template(
        "approvals/queue.html",
        entries=entries,
        pagination=queue.pagination,
        pending_count=queue.pagination.total,
        date_count=queue.requests,
        ticked=set(ticked) if ticked is not None else None,
        failed_key=failed_key,
        forms=forms,
        series_forms=series_forms,
        state_label=state_label,
        today=upcoming(current_user, today_start, today_end),
        week=upcoming(current_user, week_start, week_end),
        overdue_days=current_app.config["PENDING_REMINDER_DAYS"],
    )
    return page, (400 if failed else 200)


def _queue_url() -> str:
    """Back to the page of the queue the decision was made on."""
    return url_for(".queue", page=requested_page())


@bp.get("/")
@login_required
def queue():
    _require_desk()
    return _render_queue()


@bp.post("/<int:booking_id>/approve")
@login_required
def approve_request(booking_id: int) -> Response:
    booking = _decidable(booking_id)
    if not approve_form(booking_id).validate_on_submit():
        abort(400)
    try:
        refused = approve(current_user, booking)
    except NotAllowed:
        db.session.rollback()
        abort(403)
    except BookingRefused as exc:
        db.session.rollback()
        flash(_("The request could not be approved: %(why)s", why=str(exc)), "error")
        return redirect(_queue_url())
    db.session.commit()
    flash(
        _("Request approved: %(title)s. The association is told.", title=booking.title), "success"
    )
    if refused:
        flash(
            ngettext(
                "%(num)d overlapping request was refused automatically; its requester is told.",
                "%(num)d overlapping requests were refused automatically; their requesters are told.",
                len(refused),
            ),
            "info",
        )
    return redirect(_queue_url())


@bp.post("/<int:booking_id>/refuse")
@login_required
def refuse_request(booking_id: int):
    booking = _decidable(booking_id)
    form = refuse_form(booking_id)
    if form.validate_on_submit():
        try:
            refuse(current_user, booking, form.reason_text(_requester_locale(booking)))
        except NotAllowed:
            db.session.rollback()
            abort(403)
        except BookingRefused as exc:
            db.session.rollback()
            if exc.rule == "state":  # decided elsewhere: its form is no longer in the queue
                flash(_("The request could not be refused: %(why)s", why=str(exc)), "error")
                return redirect(_queue_url(), 303)
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _("Request refused: %(title)s. The association is told.", title=booking.title),
                "success",
            )
            return redirect(_queue_url())
    return _render_queue(failed=form, failed_key=("booking", booking_id))


# --- A whole series at once -------------------------------------------------------------


def _decidable_series(series_id: int) -> BookingSeries:
    series = db.session.get(BookingSeries, series_id)
    if series is None:
        abort(404)
    if not series.resource.can_approve(current_user):
        abort(403)
    return series


def _has_pending(series: BookingSeries) -> bool:
    now = utcnow()
    return any(b.state is BookingState.PENDING and b.start_at > now for b in series.bookings)


def _ticked_dates(series_id: int) -> list[int] | None:
    """The dates ticked in the series' decision form; None when the form lists no dates
    (the whole series is meant)."""
    if request.form.get(f"series-{series_id}-dates-shown") is None:
        return None
    values = request.form.getlist(f"series-{series_id}-dates")
    return [int(v) for v in values if v.isdigit()]


@bp.post("/series/<int:series_id>/approve")
@login_required
def approve_whole_series(series_id: int) -> Response:
    series = _decidable_series(series_id)
    if not series_approve_form(series_id).validate_on_submit():
        abort(400)
    ticked = _ticked_dates(series_id)
    if ticked == []:
        flash(_("Tick at least one date to approve."), "error")
        return redirect(url_for(".queue", _anchor=f"series-{series_id}"))
    try:
        approved = approve_series(current_user, series, booking_ids=ticked)
    except NotAllowed:
        db.session.rollback()
        abort(403)
    db.session.commit()
    if not approved and not _has_pending(series):
        flash(_("No date of this series is waiting for a decision any more."), "error")
        return redirect(_queue_url(), 303)
    left = [b for b in series.bookings if b.state is BookingState.PENDING]
    flash(
        ngettext(
            "%(num)d date of the series approved. The association is told.",
            "%(num)d dates of the series approved. The association is told.",
            len(approved),
        ),
        "success",
    )
    if left:
        flash(
            ngettext(
                "%(num)d date overlaps a booking and is still waiting: decide on it below.",
                "%(num)d dates overlap a booking and are still waiting: decide on them below.",
                len(left),
            ),
            "warning",
        )
    return redirect(_queue_url())


@bp.post("/series/<int:series_id>/refuse")
@login_required
def refuse_whole_series(series_id: int):
    series = _decidable_series(series_id)
    form = series_refuse_form(series_id)
    ticked = _ticked_dates(series_id)
    valid = form.validate_on_submit()
    if valid and ticked == []:
        form.reason.errors.append(_("Tick at least one date to refuse."))
        valid = False
    if valid:
        try:
            reason = form.reason_text(_requester_locale(series.bookings[0]))
            refused = refuse_series(current_user, series, reason, booking_ids=ticked)
        except NotAllowed:
            db.session.rollback()
            abort(403)
        except BookingRefused as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            if not refused:
                flash(_("No date of this series is waiting for a decision any more."), "error")
                return redirect(_queue_url(), 303)
            flash(
                ngettext(
                    "%(num)d date of the series refused. The association is told.",
                    "%(num)d dates of the series refused. The association is told.",
                    len(refused),
                ),
                "success",
            )
            return redirect(_queue_url())
    return _render_queue(failed=form, failed_key=("series", series_id), ticked=ticked)


# --- Blocking a period ------------------------------------------------------------------


def _managed_closure(closure_id: int) -> Closure:
    closure = db.session.get(Closure, closure_id)
    if closure is None:
        abort(404)
    if closure.resource is not None:
        allowed = closure.resource.can_manage(current_user)
    else:
        allowed = closure.site is not None and closure.site.is_managed_by(current_user)
    if not allowed:
        abort(403)
    return closure


@bp.route("/block", methods=["GET", "POST"])
@login_required
def block():
    _require_desk()
    form = BlockForm()
    form.resource.choices = [
        SelectChoice(r.id, f"{r.name} — {r.site.name}") for r in managed_resources(current_user)
    ]
    if form.validate_on_submit():
        resource = db.session.get(Resource, form.resource.data)
        start_at = to_utc(datetime.combine(form.start_date.data, form.start_time.data))
        end_at = to_utc(datetime.combine(form.end_date.data, form.end_time.data))
        try:
            closure = block_period(current_user, resource, start_at, end_at, form.why.data)
        except NotAllowed:
            db.session.rollback()
            abort(403)
        except BookingRefused as exc:
            db.session.rollback()
            target = getattr(form, exc.field or "", None) or form.why
            target.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The period is blocked: new requests for it are refused."), "success")
            return redirect(url_for(".closure", closure_id=closure.id))
    status = 400 if form.errors else 200
    return render_template("approvals/block.html", form=form), status


def _render_closure(closure: Closure, form: CancelHitForm, status: int = 200):
    hit = paginate(bookings_hit_query(closure), requested_page())
    page = render_template(
        "approvals/closure.html", closure=closure, hit=hit, form=form, state_label=state_label
    )
    return page, status


@bp.get("/closures/<int:closure_id>")
@login_required
def closure(closure_id: int):
    closure = _managed_closure(closure_id)
    # The block's reason is what the associations will most often be told.
    return _render_closure(closure, CancelHitForm(data={"reason": closure.label}))


@bp.post("/closures/<int:closure_id>/cancel-bookings")
@login_required
def cancel_hit(closure_id: int):
    closure = _managed_closure(closure_id)
    form = CancelHitForm()
    if form.validate_on_submit():
        try:
            cancelled = cancel_hit_bookings(current_user, closure, form.reason.data)
        except NotAllowed:
            db.session.rollback()
            abort(403)
        except BookingRefused as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            if not cancelled:
                flash(_("No booking in this period is left to cancel."), "error")
                return redirect(url_for(".closure", closure_id=closure.id), 303)
            flash(
                ngettext(
                    "%(num)d booking cancelled; the associations are told.",
                    "%(num)d bookings cancelled; the associations are told.",
                    len(cancelled),
                ),
                "success",
            )
            return redirect(url_for(".closure", closure_id=closure.id))
    return _render_closure(closure, form, 400)

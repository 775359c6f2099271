"""The check-in page: what the door's QR code and the day-of reminder's link open.

GET shows the booking and, when check-in is open, a button; it never changes state.
POST checks in (CSRF) through `bookings.checkin.check_in`. Routes of the
reservations blueprint (endpoint "reservations.check_in").
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from booking.bookings.checkin import check_in as check_in_service
from booking.bookings.checkin import checkin_refusal, checkin_window, needs_checkin
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking
from booking.db import utcnow
from booking.extensions import db
from booking.reservations.forms import CheckinForm
from booking.reservations.queries import booking_for_page
from booking.reservations.views import bp


def _page(booking: Booking, form: CheckinForm, problem: BookingRefused | None, status: int):
    now = utcnow()
    opens, closes = checkin_window(booking)
    if problem is None and booking.checked_in_at is None:
        problem = checkin_refusal(booking, current_user, now)
    return render_template(
        "reservations/check_in.html",
        booking=booking,
        form=form,
        problem=problem,
        can_check_in=needs_checkin(booking, now) and booking.can_check_in(current_user),
        opens=opens,
        closes=closes,
    ), status


@bp.route("/<int:booking_id>/check-in", methods=["GET", "POST"])
@login_required
def check_in(booking_id: int) -> Response | tuple[str, int]:
    booking = booking_for_page(booking_id)
    if booking is None or not booking.can_view(current_user):
        abort(404)  # a stranger cannot tell a private booking from a missing one
    form = CheckinForm()
    if not form.is_submitted():
        return _page(booking, form, None, 200)
    if not form.validate():
        return _page(booking, form, None, 400)
    try:
        check_in_service(booking.id, current_user, utcnow())
    except BookingRefused as problem:
        db.session.rollback()
        return _page(booking, form, problem, 409)
    db.session.commit()
    flash(_("You are checked in: the booking is kept. Have a good session!"), "success")
    return redirect(url_for("reservations.detail", booking_id=booking.id), 303)

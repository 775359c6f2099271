"""Endpoints that act for a person, with a personal access token.

Each one is the page's routine without the page: validate (the schema), load
the object and check the permission on the model, call the same service as the
page, commit. A rule's refusal becomes a problem document with the rule's code.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from booking.api import idempotency, serialize
from booking.api.auth import api_user, current_token, token_required
from booking.api.http import etag_of, json_response, not_modified, page_links, public_url
from booking.api.problems import ApiProblem
from booking.api.queries import booking_by_id, list_stamp, visible_bookings
from booking.api.schemas import (
    MAX_ID,
    BookingListQuery,
    BookingPageSchema,
    BookingRequestSchema,
    BookingSchema,
    CommentOutSchema,
    CommentSchema,
    DecisionSchema,
    MeSchema,
    MoveSchema,
    ReasonSchema,
    SeriesRequestSchema,
    SeriesSchema,
)
from booking.approvals.services import managed_resources, pending_queue
from booking.auth.models import Association
from booking.bookings.checkin import check_in
from booking.bookings.models import Booking
from booking.bookings.moves import reschedule
from booking.bookings.series import Recurrence, request_series
from booking.bookings.services import (
    BookingRequest,
    add_comment,
    approve,
    cancel,
    refuse,
    request_booking,
)
from booking.db import utcnow
from booking.extensions import db
from booking.reservations.queries import bookable_resource

bp = Blueprint(
    "api_account",
    __name__,
    url_prefix="/api/v1",
    description="With a personal access token: my associations' bookings; managers' decisions.",
)


IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": idempotency.MAX_KEY_LENGTH},
    "description": "Send the same key again to retry safely: it never books twice.",
}


def scoped(scope: str) -> Callable:
    """Require a token with `scope` (checked before the body is read) and document it."""

    def decorate(view: Callable) -> Callable:
        return bp.doc(security=[{"bearerAuth": []}], description=f"Scope: `{scope}`.")(
            token_required(scope)(view)
        )

    return decorate


def _booking(booking_id: int) -> Booking:
    booking = booking_by_id(booking_id) if booking_id <= MAX_ID else None
    if booking is None or not booking.can_view(api_user()):
        # A stranger cannot tell a private booking from a missing one.
        raise ApiProblem(404, _("There is no booking with this number that you can see."))
    return booking


@bp.route("/me")
@scoped("read")
@bp.response(200, MeSchema)
def me() -> Response:
    """Who the token acts for, its scopes, their associations and the resources they manage."""
    user = api_user()
    return json_response(
        {
            "name": user.display_name,
            "email": user.email,
            "scopes": sorted(current_token("read").scope_set),
            "associations": [
                serialize.association(m.association, m.role.value)
                for m in user.memberships
                if m.association.is_active
            ],
            "manages": [r.slug for r in managed_resources(user)],
        }
    )


@bp.route("/bookings")
@scoped("read")
@bp.arguments(BookingListQuery, location="query", as_kwargs=True)
@bp.response(200, BookingPageSchema)
@bp.alt_response(304, description="Not modified")
def list_bookings(
    page: int,
    per_page: int,
    association: int | None = None,
    resource: str | None = None,
    state: str | None = None,
    start=None,
    end=None,
) -> Response:
    """My associations' bookings (all of them for an administrator), soonest first.

    Paginated (`page`, `per_page`) with `Link` headers; `ETag` / `If-None-Match`.
    """
    user = api_user()
    stmt = visible_bookings(
        user,
        association_id=association,
        resource_slug=resource,
        state=state,
        start_on=start,
        end_on=end,
    )
    total, changed, largest = list_stamp(stmt)
    etag = etag_of("bookings", user.id, sorted(request.args.items()), total, str(changed), largest)
    hit = not_modified(etag)
    if hit is not None:
        return hit
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique()
    response = json_response(
        {
            "items": [serialize.booking(b) for b in items],
            "page": page,
            "per_page": per_page,
            "total": total,
        },
        etag=etag,
    )
    response.headers["Link"] = page_links(page, per_page, total)
    return response


@bp.route("/bookings/<int:booking_id>")
@scoped("read")
@bp.response(200, BookingSchema)
def get_booking(booking_id: int) -> Response:
    """One booking the token's person may see."""
    return json_response(serialize.booking(_booking(booking_id)))


@bp.route("/bookings", methods=["POST"])
@scoped("book")
@bp.arguments(BookingRequestSchema)
@bp.response(201, BookingSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
def create_booking(data: dict) -> Response:
    """Request a booking: the same rules, refusal codes and messages as the form."""

    def book() -> tuple[dict, int, str]:
        booking = request_booking(api_user(), _booking_request(data))
        url = public_url(".get_booking", booking_id=booking.id)
        return serialize.booking(booking), booking.id, url

    return _idempotent_create(book)


@bp.route("/series", methods=["POST"])
@scoped("book")
@bp.arguments(SeriesRequestSchema)
@bp.response(201, SeriesSchema)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
def create_series(data: dict) -> Response:
    """Request a repeating booking (weekly or monthly, in local time): every date is checked;
    refused with the dates in the way unless `skip_conflicts`."""

    def book() -> tuple[dict, int, str]:
        repeat = data["repeat"]
        series = request_series(
            api_user(),
            _booking_request(data),
            Recurrence(
                freq=repeat["freq"],
                interval=repeat["interval"],
                weekdays=repeat["weekdays"],
                nth=repeat.get("nth"),
                until=repeat.get("until"),
                count=repeat.get("count"),
            ),
            skip_conflicts=data["skip_conflicts"],
        )
        booked = sorted(series.bookings, key=lambda b: b.start_at)
        body = {"series_id": series.id, "bookings": [serialize.booking(b) for b in booked]}
        return body, series.id, public_url(".get_booking", booking_id=booked[0].id)

    return _idempotent_create(book)


def _booking_request(data: dict) -> BookingRequest:
    resource = bookable_resource(data["resource"])
    if resource is None:
        raise ApiProblem(
            422,
            _("There is no bookable resource with this name."),
            rule="resource",
            field="resource",
        )
    # The user's memberships come with their associations in one statement; the rules ask
    # them anyway (`check_association`), and the association asked for is usually among them.
    own = {m.association_id: m.association for m in api_user().memberships}
    association = own.get(data["association"]) or db.session.get(Association, data["association"])
    if association is None or not association.is_active:
        raise ApiProblem(
            422, _("There is no such association."), rule="association", field="association"
        )
    return BookingRequest(
        resource=resource,
        association=association,
        start_at=data["start"],
        end_at=data["end"],
        title=data["title"],
        purpose=data["purpose"],
        attendees=data["attendees"],
        is_public=data["is_public"],
    )


def _idempotent_create(book: Callable[[], tuple[dict, int, str]]) -> Response:
    """Run `book` once per Idempotency-Key; answer 201 with its body and Location."""
    token = current_token("book")
    key = idempotency.request_key()
    if key is not None:
        replayed = idempotency.replay(token.id, key)
        if replayed is not None:
            return replayed
    body, _ident, location = book()
    response = json_response(body, status=201)
    response.headers["Location"] = location
    if key is not None:
        try:
            idempotency.remember(token.id, key, response)
        except IntegrityError:
            db.session.rollback()  # a copy of this request got there first: its answer
            replayed = idempotency.replay(token.id, key)
            if replayed is not None:
                return replayed
            raise
    db.session.commit()
    return response


@bp.route("/bookings/<int:booking_id>", methods=["PATCH"])
@scoped("book")
@bp.arguments(MoveSchema)
@bp.response(200, BookingSchema)
def move(data: dict, booking_id: int) -> Response:
    """Move a booking to another time, or another resource of its kind, re-checked against
    every rule of a new request there."""
    booking = _booking(booking_id)
    resource = None
    if data.get("resource"):
        resource = bookable_resource(data["resource"])
        if resource is None:
            raise ApiProblem(
                422,
                _("There is no bookable resource with this name."),
                rule="resource",
                field="resource",
            )
    reschedule(api_user(), booking, data["start"], data["end"], resource=resource)
    body = serialize.booking(booking)
    db.session.commit()
    return json_response(body)


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@scoped("book")
@bp.arguments(ReasonSchema)
@bp.response(200, BookingSchema)
def cancel_booking(data: dict, booking_id: int) -> Response:
    """Cancel a booking or a request (a manager cancelling must give a reason)."""
    booking = _booking(booking_id)
    cancel(api_user(), booking, data["reason"])
    body = serialize.booking(booking)
    db.session.commit()
    return json_response(body)


@bp.route("/bookings/<int:booking_id>/check-in", methods=["POST"])
@scoped("book")
@bp.response(200, BookingSchema)
def check_in_booking(booking_id: int) -> Response:
    """Check in on arrival, where the resource requires it (from 15 minutes before the
    start to the end of its grace period); refusals: `too_early`, `too_late`, `released`,
    `checkin_not_required`, `permission`."""
    booking = _booking(booking_id)
    checked = check_in(booking.id, api_user(), utcnow())
    body = serialize.booking(checked)
    db.session.commit()
    return json_response(body)


@bp.route("/bookings/<int:booking_id>/comments", methods=["POST"])
@scoped("book")
@bp.arguments(CommentSchema)
@bp.response(201, CommentOutSchema)
def comment(data: dict, booking_id: int) -> Response:
    """A message between the association and the managers."""
    booking = _booking(booking_id)
    added = add_comment(api_user(), booking, data["body"])
    body = {"id": added.id, "body": added.body, "created_at": serialize.instant(added.created_at)}
    db.session.commit()
    return json_response(body, status=201)


QUEUE_PAGE_SIZE = 100  # entries (a request, or a whole series) per page of the queue


@bp.route("/queue")
@scoped("decide")
@bp.response(200, BookingSchema(many=True))
def queue() -> Response:
    """The pending requests this manager may decide, oldest request first.

    Paginated like the desk (`page`; a series is one entry, whole on its page), with
    `Link` headers.
    """
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = pending_queue(api_user(), page=page, per_page=QUEUE_PAGE_SIZE)
    response = json_response([serialize.booking(i.booking) for e in found.entries for i in e.items])
    response.headers["Link"] = page_links(page, QUEUE_PAGE_SIZE, found.pagination.total)
    return response


@bp.route("/bookings/<int:booking_id>/approve", methods=["POST"])
@scoped("decide")
@bp.response(200, DecisionSchema)
def approve_booking(booking_id: int) -> Response:
    """Approve a pending request; overlapping requests are refused automatically."""
    booking = _booking(booking_id)
    refused = approve(api_user(), booking)
    body = {"booking": serialize.booking(booking), "refused": [b.id for b in refused]}
    db.session.commit()
    return json_response(body)


@bp.route("/bookings/<int:booking_id>/refuse", methods=["POST"])
@scoped("decide")
@bp.arguments(ReasonSchema)
@bp.response(200, BookingSchema)
def refuse_booking(data: dict, booking_id: int) -> Response:
    """Refuse a request; the reason is required and sent to the association."""
    booking = _booking(booking_id)
    refuse(api_user(), booking, data["reason"])
    body = serialize.booking(booking)
    db.session.commit()
    return json_response(body)

"""Marshmallow schemas: what the API accepts and answers (and its OpenAPI description).

Instants are ISO 8601 with their offset: `start`/`end` in UTC, and
`start_local`/`end_local` the same instants in the service's time zone
(Europe/Paris), for clients that show wall-clock times.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from booking.bookings.models import BookingState

STATES = [state.value for state in BookingState]
MAX_ID = 2**31 - 1  # the database's integer: larger ids are refused, not overflowed
INTERVAL_STATES = ["free", "pending", "busy", "closed"]


# --- Places and resources ------------------------------------------------------------


class OpeningRangeSchema(Schema):
    weekday = fields.Integer(required=True, metadata={"description": "0 = Monday … 6 = Sunday"})
    opens = fields.String(required=True, metadata={"example": "09:00"})
    closes = fields.String(required=True, metadata={"example": "18:00"})


class EquipmentSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    quantity = fields.Integer(required=True)


class SiteSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True)
    neighbourhood = fields.String(required=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    transport = fields.String(allow_none=True)
    wheelchair_accessible = fields.Boolean(required=True)
    accessibility_notes = fields.String(allow_none=True)
    resources = fields.List(fields.String(), required=True, metadata={"description": "slugs"})
    url = fields.String(required=True, metadata={"description": "the place's page"})


class ResourceSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    site = fields.String(required=True, metadata={"description": "the place's slug"})
    description = fields.String(allow_none=True)
    capacity = fields.Integer(required=True)
    wheelchair_accessible = fields.Boolean(required=True)
    requires_approval = fields.Boolean(required=True)
    min_duration_minutes = fields.Integer(required=True)
    max_duration_minutes = fields.Integer(required=True)
    slot_step_minutes = fields.Integer(required=True)
    equipment = fields.List(fields.Nested(EquipmentSchema), required=True)
    opening_hours = fields.List(
        fields.Nested(OpeningRangeSchema),
        required=True,
        metadata={"description": "weekly hours, local time (its own, or its place's)"},
    )
    closures = fields.List(
        fields.Nested(lambda: ClosureSchema()),
        required=True,
        metadata={"description": "closures that have not ended yet"},
    )
    url = fields.String(required=True, metadata={"description": "the resource's page"})


class ClosureSchema(Schema):
    label = fields.String(required=True)
    start = fields.String(required=True)
    end = fields.String(required=True)


class ResourceListQuery(Schema):
    site = fields.String(metadata={"description": "a place's slug"})
    kind = fields.String(validate=validate.OneOf(["visio", "makerspace"]))


# --- Availability --------------------------------------------------------------------


class IntervalSchema(Schema):
    start = fields.String(required=True, metadata={"format": "date-time"})
    end = fields.String(required=True, metadata={"format": "date-time"})
    start_local = fields.String(required=True, metadata={"format": "date-time"})
    end_local = fields.String(required=True, metadata={"format": "date-time"})
    state = fields.String(
        required=True,
        validate=validate.OneOf(INTERVAL_STATES),
        metadata={
            "description": "free; pending (free, requests are waiting); busy; "
            "closed (a closure, or outside opening hours)"
        },
    )
    label = fields.String(
        allow_none=True, metadata={"description": "a closure's label or a public booking's title"}
    )
    book_url = fields.String(
        allow_none=True, metadata={"description": "free time: the pre-filled request form"}
    )


class AvailabilitySchema(Schema):
    resource = fields.String(required=True)
    name = fields.String(required=True)
    start = fields.String(required=True, metadata={"format": "date-time"})
    end = fields.String(required=True, metadata={"format": "date-time"})
    intervals = fields.List(fields.Nested(IntervalSchema), required=True)


class AvailabilityListSchema(Schema):
    date = fields.Date(required=True)
    resources = fields.List(fields.Nested(AvailabilitySchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "resources in all pages"})


class AvailabilityQuery(Schema):
    date = fields.Date(metadata={"description": "first local day (default: today)"})
    days = fields.Integer(
        load_default=7,
        validate=validate.Range(min=1, max=31),
        metadata={"description": "how many days, 1 to 31"},
    )


class DayQuery(Schema):
    date = fields.Date(metadata={"description": "the local day (default: today)"})
    site = fields.String(metadata={"description": "only this place's resources"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "resources per page (a region holds hundreds of rooms)"},
    )


class PublicBookingQuery(AvailabilityQuery):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))


class PublicBookingSchema(Schema):
    """An approved booking as the room and place feeds show it: a public one with its
    title, purpose and association; any other one with the neutral title only."""

    resource = fields.String(required=True, metadata={"description": "the resource's slug"})
    start = fields.String(required=True, metadata={"format": "date-time"})
    end = fields.String(required=True, metadata={"format": "date-time"})
    start_local = fields.String(required=True, metadata={"format": "date-time"})
    end_local = fields.String(required=True, metadata={"format": "date-time"})
    is_public = fields.Boolean(required=True)
    title = fields.String(
        required=True,
        metadata={"description": "a public booking's title, else a neutral word (“Booked”)"},
    )
    purpose = fields.String(allow_none=True, metadata={"description": "public bookings only"})
    association = fields.String(
        allow_none=True, metadata={"description": "the organising association: public only"}
    )


class PublicBookingPageSchema(Schema):
    items = fields.List(fields.Nested(PublicBookingSchema), required=True)
    start = fields.String(required=True, metadata={"format": "date-time"})
    end = fields.String(required=True, metadata={"format": "date-time"})
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class FindQuery(Schema):
    start = fields.AwareDateTime(required=True, metadata={"example": "2026-12-10T14:00:00+01:00"})
    end = fields.AwareDateTime(required=True, metadata={"example": "2026-12-10T16:00:00+01:00"})
    attendees = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    kind = fields.String(validate=validate.OneOf(["visio", "makerspace"]))
    neighbourhood = fields.String()
    equipment = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        metadata={"description": "equipment ids"},
    )

    @validates_schema
    def _end_after_start(self, data: dict, **_kwargs) -> None:
        if "start" in data and "end" in data and data["end"] <= data["start"]:
            raise ValidationError("The end must be after the start.", "end")


class FoundSchema(Schema):
    resource = fields.Nested(ResourceSchema, required=True)
    pending = fields.Integer(required=True, metadata={"description": "requests already waiting"})
    seats_left = fields.Integer(allow_none=True)
    book_url = fields.String(required=True)


# --- Accounts and bookings -----------------------------------------------------------


class AssociationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(allow_none=True)


class MeSchema(Schema):
    name = fields.String(required=True)
    email = fields.String(required=True)
    scopes = fields.List(fields.String(), required=True)
    associations = fields.List(fields.Nested(AssociationSchema), required=True)
    manages = fields.List(
        fields.String(), required=True, metadata={"description": "slugs of managed resources"}
    )


class BookingSchema(Schema):
    id = fields.Integer(required=True)
    resource = fields.String(required=True, metadata={"description": "the resource's slug"})
    association = fields.Nested(AssociationSchema, required=True)
    title = fields.String(required=True)
    purpose = fields.String(allow_none=True)
    attendees = fields.Integer(required=True)
    is_public = fields.Boolean(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    start = fields.String(required=True, metadata={"format": "date-time"})
    end = fields.String(required=True, metadata={"format": "date-time"})
    start_local = fields.String(required=True, metadata={"format": "date-time"})
    end_local = fields.String(required=True, metadata={"format": "date-time"})
    series_id = fields.Integer(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    checked_in_at = fields.String(
        allow_none=True, metadata={"format": "date-time", "description": "when checked in"}
    )
    url = fields.String(required=True, metadata={"description": "the booking's page"})


class BookingPageSchema(Schema):
    items = fields.List(fields.Nested(BookingSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class BookingListQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    association = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    resource = fields.String(metadata={"description": "a resource's slug"})
    state = fields.String(validate=validate.OneOf(STATES))
    start = fields.Date(
        data_key="from", metadata={"description": "bookings ending on or after this local day"}
    )
    end = fields.Date(
        data_key="to", metadata={"description": "bookings starting on or before this local day"}
    )


class BookingRequestSchema(Schema):
    resource = fields.String(required=True, metadata={"description": "the resource's slug"})
    association = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    start = fields.AwareDateTime(required=True, metadata={"example": "2026-12-10T14:00:00+01:00"})
    end = fields.AwareDateTime(required=True, metadata={"example": "2026-12-10T16:00:00+01:00"})
    title = fields.String(required=True, validate=validate.Length(max=1000))
    purpose = fields.String(load_default="", validate=validate.Length(max=5000))
    attendees = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    is_public = fields.Boolean(load_default=False)


class ReasonSchema(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=5000))


class CommentSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class CommentOutSchema(Schema):
    id = fields.Integer(required=True)
    body = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})


class DecisionSchema(Schema):
    booking = fields.Nested(BookingSchema, required=True)
    refused = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "requests refused automatically because they overlapped"},
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details, with the booking rule's code and the field."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    rule = fields.String(metadata={"description": "the refusing rule's short code"})
    field = fields.String(metadata={"description": "the request field the problem is about"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "by field"},
    )


class MoveSchema(Schema):
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)
    resource = fields.String(
        metadata={"description": "the slug of the resource to move to (default: the same)"}
    )


class RecurrenceSchema(Schema):
    freq = fields.String(required=True, validate=validate.OneOf(["weekly", "monthly"]))
    interval = fields.Integer(load_default=1, validate=validate.Range(min=1, max=52))
    weekdays = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=6)),
        load_default=list,
        metadata={"description": "0 = Monday; default: the first date's weekday"},
    )
    nth = fields.Integer(
        allow_none=True,
        validate=validate.OneOf([1, 2, 3, 4, -1]),
        metadata={"description": "monthly: the nth weekday (-1: the last)"},
    )
    until = fields.Date(allow_none=True, metadata={"description": "last local day"})
    count = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=60))


class SeriesRequestSchema(BookingRequestSchema):
    repeat = fields.Nested(RecurrenceSchema, required=True)
    skip_conflicts = fields.Boolean(
        load_default=False, metadata={"description": "book only the free dates"}
    )


class SeriesSchema(Schema):
    series_id = fields.Integer(required=True)
    bookings = fields.List(fields.Nested(BookingSchema), required=True)

"""Composing notification emails: who receives them, in which language, with what.

Each email is written for one recipient, in that recipient's language
(`flask_babel.force_locale`), with a plain-text part, an HTML part rendered
from `templates/emails/notifications/<kind>.{txt,html}`, a link to the booking
page and, for approvals and cancellations, an `.ics` invitation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, inspect, or_, select

from booking.auth.models import User
from booking.bookings.models import Booking
from booking.db import utcnow
from booking.extensions import db
from booking.notifications.ical import booking_calendar
from booking.outbox import OutboxMessage, enqueue
from booking.resources.models import Resource, resource_managers, site_managers
from booking.templating import local_date, local_time

# Optional emails a user may turn off in their profile; decisions are always sent.
OPTIONAL_PREFERENCES = {"comment": "notify_comments", "reminder": "notify_reminders"}


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str
    name: str = ""
    user: User | None = None

    @property
    def address(self) -> str:
        """The bare address: display names (which may hold commas) stay out of the header,
        so the outbox's comma-separated recipient list is always right."""
        return self.email


def _languages() -> tuple[str, ...]:
    return tuple(current_app.config.get("LANGUAGES", ("fr", "en")))


def _default_locale() -> str:
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")


def user_recipient(user: User) -> Recipient:
    locale = user.locale if user.locale in _languages() else _default_locale()
    return Recipient(email=user.email, locale=locale, name=user.display_name, user=user)


def _wants(user: User | None, preference: str | None) -> bool:
    if user is None:
        return True
    if not user.is_active:
        return False
    return preference is None or bool(getattr(user, OPTIONAL_PREFERENCES[preference]))


def _user_for_address(address: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == address.lower()))


def requester_side(
    booking: Booking, *, preference: str | None = None, exclude: User | None = None
) -> list[Recipient]:
    """The requester and the association's contact address (once, if they are the same)."""
    found: list[Recipient] = []
    seen: set[str] = set()
    if exclude is not None:
        seen.add(exclude.email.lower())
    requester = booking.requester
    if requester is not None and requester.email.lower() not in seen:
        seen.add(requester.email.lower())
        if _wants(requester, preference):
            found.append(user_recipient(requester))
    contact = (booking.association.contact_email or "").strip()
    if contact and contact.lower() not in seen:
        known = _user_for_address(contact)
        if known is not None:
            if _wants(known, preference):
                found.append(user_recipient(known))
        else:
            locale = requester.locale if requester and requester.locale in _languages() else None
            found.append(
                Recipient(
                    email=contact,
                    locale=locale or _default_locale(),
                    name=booking.association.name,
                )
            )
    return found


def managers_of(booking: Booking, resource: Resource | None = None) -> list[User]:
    """Managers of the resource (the booking's, or `resource`) and of its site;
    administrators when there are none."""
    resource = resource or booking.resource
    managers, admins = _managers_or_admins(resource)
    people: dict[int, User] = {}
    for user in managers:
        people.setdefault(user.id, user)
    if not people:
        people = {u.id: u for u in admins()}
    return [u for u in people.values() if u.is_active]


def _managers_or_admins(resource: Resource) -> tuple[list[User], Callable[[], list[User]]]:
    """The resource's managers, then its site's, and how to get the administrators.

    From the loaded lists when they are (the administrators then read only if needed),
    else one query for all three (issue 19: one round trip, not two, on every request).
    """
    if "managers" not in inspect(resource).unloaded and (
        "managers" not in inspect(resource.site).unloaded
    ):
        return [*resource.managers, *resource.site.managers], _administrators
    direct = User.id.in_(
        select(resource_managers.c.user_id).where(resource_managers.c.resource_id == resource.id)
    )
    of_site = User.id.in_(
        select(site_managers.c.user_id).where(site_managers.c.site_id == resource.site_id)
    )
    rows = db.session.execute(
        select(User, direct, of_site).where(or_(direct, of_site, User.is_admin.is_(True)))
    ).all()
    managers = sorted(
        (row for row in rows if row[1] or row[2]), key=lambda row: (not row[1], row[0].id)
    )
    admins = sorted((user for user, _d, _s in rows if user.is_admin), key=lambda user: user.id)
    return [user for user, _d, _s in managers], lambda: admins


def _administrators() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_admin.is_(True)).order_by(User.id)))


def manager_side(
    booking: Booking,
    *,
    preference: str | None = None,
    exclude: User | None = None,
    resource: Resource | None = None,
) -> list[Recipient]:
    return [
        user_recipient(user)
        for user in managers_of(booking, resource)
        if (exclude is None or user.id != exclude.id) and _wants(user, preference)
    ]


def booking_link(booking: Booking) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/reservations/{booking.id}"


def when_text(bookings: Sequence[Booking]) -> str:
    """A short, localised description of the dates: one date, or a series."""
    first = bookings[0]
    if len(bookings) == 1:
        return _(
            "%(date)s, %(start)s–%(end)s",
            date=local_date(first.start_at, "medium"),
            start=local_time(first.start_at),
            end=local_time(first.end_at),
        )
    return ngettext(
        "%(num)d date from %(date)s",
        "%(num)d dates from %(date)s",
        len(bookings),
        date=local_date(first.start_at, "medium"),
    )


def _subject(kind: str, bookings: Sequence[Booking], extra: dict) -> str:
    first = bookings[0]
    values = {
        "resource": first.resource.name,
        "title": first.title,
        "when": when_text(bookings),
    }
    subjects: dict[str, Callable[[], str]] = {
        "new_request": lambda: _("New request for %(resource)s: %(when)s", **values),
        "approved": lambda: _("Booking approved: %(resource)s, %(when)s", **values),
        "refused": lambda: _("Request refused: %(resource)s, %(when)s", **values),
        "cancelled": lambda: _("Booking cancelled: %(resource)s, %(when)s", **values),
        "cancelled_by_association": lambda: _(
            "Booking cancelled by the association: %(resource)s, %(when)s", **values
        ),
        "rescheduled": lambda: _("Booking moved: %(resource)s, %(when)s", **values),
        "moved_in": lambda: _("Booking moved to %(resource)s: %(when)s", **values),
        "moved_out": lambda: _(
            "Booking moved from %(former)s to %(resource)s: %(when)s",
            former=str(extra.get("former_name", "")),
            **values,
        ),
        "rescheduled_pending": lambda: _(
            "Booking moved, awaiting approval again: %(resource)s, %(when)s", **values
        ),
        "expired": lambda: _("Request expired without a decision: %(resource)s", **values),
        "promoted": lambda: _("A seat is yours: %(resource)s, %(when)s", **values),
        "released": lambda: _("Booking released, nobody checked in: %(resource)s", **values),
        "slot_offered": lambda: _("%(resource)s is free again: %(when)s", **values),
        "comment": lambda: _("New message about “%(title)s”", **values),
        "reminder": lambda: _("Reminder: %(resource)s tomorrow, %(when)s", **values),
        "checkin_reminder": lambda: _(
            "Check in for %(resource)s before %(time)s",
            resource=first.resource.name,
            time=local_time(extra["closes"]),  # type: ignore[arg-type]
        ),
        "pending_reminder": lambda: ngettext(
            "%(num)d request has been waiting for your decision",
            "%(num)d requests have been waiting for your decision",
            extra.get("count", len(bookings)),
        ),
    }
    return subjects[kind]()


def compose(
    kind: str,
    recipient: Recipient,
    bookings: Sequence[Booking],
    *,
    ics_method: str | None = None,
    ics_times: Sequence[tuple[datetime, datetime]] | None = None,
    now: datetime | None = None,
    **context: object,
) -> EmailMessage:
    """One email of `kind` about `bookings` for one recipient, in their language.

    `ics_times` gives the attached events other times than the bookings' own
    (see `booking_calendar`)."""
    config = current_app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    first = bookings[0]
    with force_locale(recipient.locale):
        subject = _subject(kind, bookings, context)
        values = {
            "recipient": recipient,
            "bookings": bookings,
            "booking": first,
            "resource": first.resource,
            "association": first.association,
            "link": booking_link(first),
            "queue_link": f"{config['BASE_URL'].rstrip('/')}/approvals",
            "subject": subject,
            "has_ics": bool(ics_method),
            **context,
        }
        text = render_template(f"emails/notifications/{kind}.txt", **values)
        html = render_template(f"emails/notifications/{kind}.html", **values)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient.address
    message["Date"] = format_datetime(now or utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "salles-ouvertes.local"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, cte=text_transfer_encoding(text, message))
    message.add_alternative(html, subtype="html", cte=text_transfer_encoding(html, message))
    if ics_method:
        ics = booking_calendar(
            bookings,
            ics_method,
            organizer=sender,
            attendee=recipient.email,
            base_url=config["BASE_URL"],
            now=now,
            times=ics_times,
        )
        calendar = ics.decode("utf-8")
        message.add_attachment(
            calendar,
            cte=text_transfer_encoding(calendar, message),
            subtype="calendar",
            filename="cancel.ics" if ics_method == "CANCEL" else "invitation.ics",
            params={"method": ics_method},
        )
    message["Content-Language"] = recipient.locale  # after set_content, which clears Content-*
    return message


def text_transfer_encoding(text: str, message: EmailMessage) -> str | None:
    """The encoding the outbox's `as_string` writes a text part in, chosen up front.

    The library keeps non-ASCII text with short lines as 8bit; turned into a string, such a
    part is copied (twice, with the whole message part) and written in base64. Asking
    for base64 at once writes the same bytes without the copies. Else (ASCII, or long
    lines, for which the library picks quoted-printable or base64 itself): its choice."""
    if text.isascii():
        return None
    longest = max((len(line) for line in text.encode("utf-8").splitlines()), default=0)
    fits = longest <= message.policy.max_line_length
    return "base64" if fits and message.policy.cte_type == "8bit" else None


def notify(
    kind: str,
    recipients: Iterable[Recipient],
    bookings: Sequence[Booking],
    *,
    ics_method: str | None = None,
    ics_times: Sequence[tuple[datetime, datetime]] | None = None,
    now: datetime | None = None,
    **context: object,
) -> list[OutboxMessage]:
    """Compose one email per recipient and add them to the current transaction's outbox."""
    return [
        enqueue(
            compose(
                kind,
                recipient,
                bookings,
                ics_method=ics_method,
                ics_times=ics_times,
                now=now,
                **context,
            ),
            kind=kind,
        )
        for recipient in recipients
    ]

"""Domain errors of the booking services.

A refused request is a value, not a crash: `BookingRefused` carries a message
already translated into the current language, the short code of the rule that
refused (views and tests branch on it, never on the text), the form field it
belongs to and, for conflicts, the bookings or closures in the way.

Field names used: "start_at", "end_at", "attendees", "equipment", "association",
"title", "reason", "body", "recurrence"; None for the form as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class BookingRefused(Exception):  # noqa: N818 - the name the API promises
    """A rule refused the request or the change; `str(exc)` is the translated message."""

    def __init__(
        self,
        message: str,
        *,
        rule: str,
        field: str | None = None,
        conflicts: Sequence[Any] = (),
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.rule = rule
        self.field = field
        self.conflicts: list[Any] = list(conflicts)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.rule}: {self.message}>"


class NotAllowed(BookingRefused):
    """The acting user may not do this (a permission, not a scheduling problem)."""

    def __init__(self, message: str, *, rule: str = "permission", field: str | None = None) -> None:
        super().__init__(message, rule=rule, field=field)

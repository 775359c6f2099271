"""Reading what the reservation pages show."""

from __future__ import annotations

import html
import re


def error_of(page: str, field_id: str) -> str:
    """The error message shown next to a field (empty when none)."""
    match = re.search(
        rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.DOTALL
    )
    return html.unescape(match.group(1)).strip() if match else ""


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def room_form(**changes: str) -> dict[str, str]:
    """A valid request for the room, Tuesday 5 March 2030, 14:00–16:00 local."""
    data = {
        "date": "2030-03-05",
        "start": "14:00",
        "end": "16:00",
        "title": "Assemblée générale",
        "purpose": "Notre AG annuelle",
        "attendees": "8",
        "visibility": "private",
        "repeat": "none",
        "interval": "1",
        "nth": "1",
        "ends": "until",
        "submit": "Send the request",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}

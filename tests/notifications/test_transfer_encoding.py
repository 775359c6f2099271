"""The text parts of notification emails are encoded up front as `as_string` would
write them anyway: the outbox stores the same bytes, without the library's copies."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from booking.notifications.emails import text_transfer_encoding

TEXTS = {
    "french, short lines": "Bonjour,\n\nVotre réservation est approuvée – à bientôt.\n",
    "ascii": "Hello,\n\nYour booking is approved.\n",
    "french, a long line": "Motif : " + "réservation très demandée " * 8 + "\n",
    "ascii, a long line": "Reason: " + "a much wanted room " * 8 + "\n",
    "calendar lines": "BEGIN:VCALENDAR\r\nSUMMARY:Réunion — Salle\r\nEND:VCALENDAR\r\n",
    "empty": "",
}


def _written(text: str, *, up_front: bool, subtype: str = "plain") -> str:
    message = EmailMessage()
    message["Subject"] = "Réservation"
    cte = text_transfer_encoding(text, message) if up_front else None
    message.set_content(text, subtype=subtype, cte=cte)
    return message.as_string()


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize("subtype", ["plain", "html", "calendar"])
def test_a_part_encoded_up_front_is_written_as_the_library_writes_it(name, subtype):
    text = TEXTS[name]
    assert _written(text, up_front=True, subtype=subtype) == _written(
        text, up_front=False, subtype=subtype
    )


def test_french_text_is_written_in_base64_and_ascii_text_as_it_is():
    assert "base64" in _written(TEXTS["french, short lines"], up_front=True)
    assert "Your booking is approved." in _written(TEXTS["ascii"], up_front=True)

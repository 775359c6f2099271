"""The bookings area's French catalog is complete and in step with the code."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
AREA = ROOT / "booking" / "bookings"
CATALOG = AREA / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def _msgid(message_id) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def test_every_bookings_message_has_a_french_translation():
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    translated = {_msgid(m.id): m for m in catalog if m.id}
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    in_code = {
        _msgid(item[2])
        for item in extract_from_dir(str(AREA), method_map=[("**.py", "python")], keywords=keywords)
    }
    assert in_code, "no message found: the extraction itself is broken"
    missing = sorted(in_code - translated.keys())
    assert not missing, f"run ./scripts/messages.sh bookings and translate: {missing}"
    empty = sorted(k for k, m in translated.items() if not m.string or m.fuzzy)
    assert not empty, f"untranslated or fuzzy: {empty}"

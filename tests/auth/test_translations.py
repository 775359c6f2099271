"""The accounts catalog is complete: every string of the area has a French translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from config import BASE_DIR

ROOT = Path(BASE_DIR)
CATALOG = ROOT / "booking/auth/translations/fr/LC_MESSAGES/messages.po"
SOURCES = ["booking/auth", "templates/auth", "templates/emails/auth"]
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle)


def _source_ids() -> set:
    ids = set()
    for source in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / source, METHODS, keywords=KEYWORDS
        ):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_message_has_a_french_translation():
    untranslated = []
    for message in _catalog():
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if "fuzzy" in message.flags or not all(strings):
            untranslated.append(message.id)
    assert untranslated == []


def test_catalog_holds_every_string_of_the_area():
    catalog_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    missing = _source_ids() - catalog_ids
    assert missing == set(), "run ./scripts/messages.sh auth and translate"


def test_placeholders_survive_translation():
    for message in _catalog():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for placeholder in ("%(name)s", "%(email)s", "%(num)d", "%(max)d", "%(min)d"):
            if placeholder in ids[0]:
                assert all(placeholder in s for s in strings), (message.id, placeholder)

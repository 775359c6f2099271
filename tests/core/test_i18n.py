"""French first, English complete: every interface string goes through the catalogs."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale

from booking.i18n import format_day

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
}


def _extracted() -> dict[str, str]:
    """Every msgid in the code and templates, with where it was found."""
    found: dict[str, str] = {}
    for folder in ("booking", "templates"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, METHODS, keywords=KEYWORDS
        ):
            msgid = message if isinstance(message, str) else message[0]
            if msgid:
                found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


def _french() -> dict[str, object]:
    """The French translations of all catalogs, merged like Flask-Babel merges them."""
    merged: dict[str, object] = {}
    for po in [
        ROOT / "translations/fr/LC_MESSAGES/messages.po",
        *sorted((ROOT / "booking").glob("*/translations/fr/LC_MESSAGES/messages.po")),
    ]:
        with po.open("rb") as handle:
            catalog = read_po(handle, locale="fr")
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if all(strings):
                merged[msgid] = message.string
    return merged


def test_every_interface_string_has_a_french_translation() -> None:
    french = _french()
    missing = {msgid: where for msgid, where in _extracted().items() if msgid not in french}
    assert missing == {}, (
        "Untranslated (run scripts/messages.sh AREA and translate):\n"
        + "\n".join(
            f"{where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1])
        )
    )


# Bare text in templates: what is left once Jinja and HTML are taken out must be no words.
_JINJA = re.compile(r"{#.*?#}|{%-?\s*trans\b.*?endtrans\s*-?%}|{%.*?%}|{{.*?}}", re.DOTALL)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>", re.DOTALL)
_ENTITY = re.compile(r"&[a-zA-Z#0-9]+;")
_WORD = re.compile(r"[^\W\d_]{2,}")
ALLOWED = {"Brest", "Salles", "Ouvertes"}


def _bare_words(source: str) -> list[str]:
    text = _JINJA.sub(" ", source)
    text = _SCRIPT.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _ENTITY.sub(" ", text)
    return [w for w in _WORD.findall(text) if w not in ALLOWED]


@pytest.mark.parametrize(
    "template",
    sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*.html")),
)
def test_template_holds_no_untranslated_text(template: str) -> None:
    assert _bare_words((ROOT / template).read_text(encoding="utf-8")) == []


def test_the_bare_text_check_catches_plain_words() -> None:
    assert _bare_words("<p>{{ _('Bonjour') }} Réserver</p>") == ["Réserver"]
    assert _bare_words("<p>{% trans %}Hello{% endtrans %} {{ name }}</p>") == []


# Not French punctuation: web addresses, clock times, iCalendar keywords, HTTP headers.
_NOT_PROSE = re.compile(
    r"https?://\S+|\d{1,2}:\d{2}|%\(\w+\)s:%\(\w+\)s|[A-Z]+:[A-Z]+|Authorization: Bearer"
)


def test_french_translations_put_a_space_before_double_punctuation() -> None:
    """French typography: "Titre :", "Pourquoi ?" — never "Titre:"."""
    tight = []
    for translation in _french().values():
        for text in translation if isinstance(translation, tuple) else (translation,):
            if re.search(r"[^\s\u00a0\u202f][:;?!]", _NOT_PROSE.sub("", text)):
                tight.append(text)
    assert tight == []


def test_templates_put_no_colon_after_a_translated_label() -> None:
    """`{{ _("Title") }}:` reads "Titre:" in French: the colon belongs inside the string."""
    glued = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in (ROOT / "templates").rglob("*")
        if path.suffix in (".html", ".txt")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"\)\s*}}:", line)
    ]
    assert glued == []


def test_the_first_of_the_month_reads_1er_in_french(app) -> None:
    with app.test_request_context(), force_locale("fr"):
        assert format_day(date(2026, 4, 1), "full") == "mercredi 1er avril 2026"
        assert format_day(date(2026, 4, 1), "long") == "1er avril 2026"
        assert format_day(date(2026, 4, 11), "long") == "11 avril 2026"
        assert format_day(date(2026, 4, 21), "long") == "21 avril 2026"
    with app.test_request_context(), force_locale("en"):
        assert format_day(date(2026, 4, 1), "long") == "April 1, 2026"

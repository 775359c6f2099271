"""Language and time-zone selection, and where the message catalogs live.

French first: the default locale is `fr`; the language chosen with the switch
(or, at login, the profile's language) wins, then a signed-in user's profile
language, then the browser's preference.
Each area may keep its own catalog (`booking/<area>/translations`) beside the
shared one (`translations/`); Flask-Babel merges them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_date, get_locale
from flask_login import current_user

from booking.core.sessions import reads_no_session
from config import BASE_DIR

ROOT = Path(BASE_DIR)


def translation_directories() -> str:
    dirs = [ROOT / "translations", *sorted((ROOT / "booking").glob("*/translations"))]
    return ";".join(str(d) for d in dirs)


def available_languages() -> tuple[str, ...]:
    return tuple(current_app.config.get("LANGUAGES", ("fr", "en")))


def select_locale() -> str:
    if not has_request_context():
        # CLI commands and tests call services without a request: the default language.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = available_languages()
    sessionless = reads_no_session()
    if sessionless or request.path.startswith("/widget/"):
        # The widget and the door displays read no session: their `lang`, else the browser's.
        asked = request.args.get("lang")
        if asked in languages:
            return asked
    if sessionless or request.path.startswith(("/api/", "/widget/")):
        # The API reads no session: its messages follow Accept-Language alone.
        return (
            request.accept_languages.best_match(languages)
            or current_app.config["BABEL_DEFAULT_LOCALE"]
        )
    chosen = session.get("lang")
    if chosen in languages:
        # The switch's choice for this browser (a login sets it to the profile's language).
        return chosen
    own = _signed_in_locale()
    if own in languages:
        return own
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _signed_in_locale() -> str | None:
    """The signed-in user's profile language, without loading a user for nobody.

    The session check (booking/auth/session.py) loads the user of a session cookie,
    and restores a remembered login, before any view runs; a session that holds no
    user id and no user already loaded is anonymous, so a cookieless request (a
    polled feed, its 304) never reaches Flask-Login here (issue 19).
    """
    if "_login_user" not in g and "_user_id" not in session:
        return None
    if current_user and current_user.is_authenticated:
        return current_user.locale
    return None


def select_timezone() -> str:
    return current_app.config.get("TIMEZONE", "Europe/Paris")


_FIRST_OF_MONTH = re.compile(r"(?<!\d)1(?=[\s\u00a0\u202f][^\d\s])")


def with_ordinal(text: str, day: date, locale: str) -> str:
    """French writes the first of the month as an ordinal: "mardi 1er avril 2026"."""
    if day.day != 1 or not locale.startswith("fr"):
        return text
    return _FIRST_OF_MONTH.sub("1er", text, count=1)


def format_day(day: date, fmt: str = "full") -> str:
    """A calendar date in the current language, "1er" in French: use it for every date."""
    return with_ordinal(format_date(day, fmt), day, str(get_locale()))

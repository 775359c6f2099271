"""Language and time-zone selection, and where the message catalogs live.

French first: the default locale is `fr`; the language chosen with the switch
(or, at login, the profile's language) wins, then a signed-in user's profile
language, then the browser's preference.
Each area may keep its own catalog (`booking/<area>/translations`) beside the
shared one (`translations/`); Flask-Babel merges them.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context, request, session
from flask_login import current_user

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
    chosen = session.get("lang")
    if chosen in languages:
        # The switch's choice for this browser (a login sets it to the profile's language).
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    return current_app.config.get("TIMEZONE", "Europe/Paris")

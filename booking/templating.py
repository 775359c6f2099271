"""Jinja filters and globals: local dates and times, languages, navigation helpers."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_babel import format_datetime, format_time, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from booking.i18n import available_languages, format_day
from booking.timeutil import to_local


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A UTC instant shown in Europe/Paris, in the locale's format (24 h in French)."""
    if value is None:
        return ""
    return format_datetime(value, fmt)


def local_date(value: date | datetime | None, fmt: str = "full") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return format_day(value, fmt)


def local_time(value: datetime | time | None, fmt: str = "short") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_time(value, fmt)
    return format_time(datetime.combine(date(2000, 1, 3), value), fmt, rebase=False)


_KIND_LABELS = {
    "visio_room": _l("Videoconference room"),
    "room": _l("Meeting room"),
    "machine": _l("Machine"),
    "open_lab": _l("Open-lab session"),
}


def kind_label(kind: object) -> str:
    """The visitor-facing name of a resource kind (translated once per request, language and
    kind: the statistics table names one per row)."""
    name = str(getattr(kind, "value", kind))
    if not has_request_context():
        return str(_KIND_LABELS.get(name, kind))
    labels = g.setdefault("_kind_labels", {})
    key = (str(get_locale()), name)
    label = labels.get(key)
    if label is None:
        label = labels[key] = str(_KIND_LABELS.get(name, kind))
    return label


def equipment_name(equipment: object) -> str:
    """An equipment item's name in the current language."""
    return equipment.name_in(str(get_locale()))


def weekday_name(index: int, width: str = "wide") -> str:
    """Monday is 0, in the current locale."""
    return get_locale().days["format"][width][index].capitalize()


def duration(minutes: int) -> str:
    """A length of time in words: "1 h 30", "45 min"."""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return f"{hours} h {rest:02d}"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


def url_with(**changes: object) -> str:
    """The current URL with some query arguments changed (None removes one)."""
    args: dict[str, object] = request.args.to_dict(flat=False)  # repeated arguments kept
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint or "core.home", **(request.view_args or {}), **args)


# The main menu: (endpoint, label, who may see it). An entry appears once its
# endpoint exists. who: "all", "user" (signed in), "manager", "admin".
NAV: list[tuple[str, object, str]] = [
    ("schedule.day", _l("Calendars"), "all"),
    ("reservations.mine", _l("My bookings"), "user"),
    ("approvals.queue", _l("Manager's desk"), "manager"),
    ("admin.index", _l("Administration"), "manager"),
    ("stats.index", _l("Statistics"), "manager"),
    ("auth.profile", _l("My account"), "user"),
    ("auth.signup", _l("Create an account"), "anonymous"),
]


def _may_see(who: str) -> bool:
    signed_in = current_user.is_authenticated
    if who == "all":
        return True
    if who == "anonymous":
        return not signed_in
    if not signed_in:
        return False
    if who == "user":
        return True
    if who == "admin":
        return current_user.is_admin
    return current_user.is_admin or current_user.is_manager


def nav_links() -> list[dict]:
    links = []
    for endpoint, label, who in NAV:
        if endpoint in current_app.view_functions and _may_see(who):
            url = url_for(endpoint)
            links.append({"url": url, "label": label, "current": request.path == url})
    return links


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        local_time=local_time,
        equipment_name=equipment_name,
    )
    app.jinja_env.globals.update(
        url_with=url_with,
        nav_links=nav_links,
        kind_label=kind_label,
        weekday_name=weekday_name,
        duration=duration,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _languages() -> dict:
        return {"languages": available_languages(), "current_locale": str(get_locale())}
